// Browser end-to-end test: the real binary (built here with `go build`) on a
// free port with a throwaway data dir, driven through Debian's Chromium with
// playwright-core. axe-core checks every visited page; screenshots of every
// main page go to e2e/artifacts (git-ignored).
//
//   npm run e2e                       (from web/, after `make web`)
//   E2E_BINARY=path npm run e2e   (use an existing binary)
import { spawn, execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { chromium } from "playwright-core";

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, "../..");
const artifacts = join(here, "artifacts");
const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const chromiumPath = process.env.CHROMIUM || "/usr/bin/chromium";
const timeout = Number(process.env.E2E_TIMEOUT_MS || 120_000);
// Headless Chromium says "HeadlessChrome" in its user agent, which
// engagement's view counting rightly takes for a robot: the test browses
// with an ordinary desktop Chrome agent so that its plays count.
const userAgent = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36";
const launchArgs = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
  "--disable-component-update", "--disable-sync", "--autoplay-policy=no-user-gesture-required"];

const tmp = mkdtempSync(join(tmpdir(), "alexandria-e2e-"));
mkdirSync(artifacts, { recursive: true });
let server;
let oidcPeer;
let browser;
const failures = [];

function log(...a) {
  console.log("e2e:", ...a);
}

/** startOIDCPeer builds and starts test/oidcpeer, an OpenID provider on a
 * free port (mockoidc), so that provider sign-in and linking run in the
 * browser; E2E_OIDC=0 leaves it out (the screens must then hide them). */
async function startOIDCPeer() {
  if (process.env.E2E_OIDC === "0") return null;
  const bin = join(tmp, "oidcpeer");
  execFileSync("go", ["build", "-o", bin, "./test/oidcpeer"], { cwd: repo, stdio: "inherit" });
  oidcPeer = spawn(bin, [], { stdio: ["pipe", "pipe", "inherit"] });
  return new Promise((ok, fail) => {
    let out = "";
    const timer = setTimeout(() => fail(new Error("the OIDC peer did not start: " + out)), 30_000);
    oidcPeer.stdout.on("data", (d) => {
      out += d;
      if (out.includes("\n")) {
        clearTimeout(timer);
        ok(JSON.parse(out.split("\n")[0]));
      }
    });
    oidcPeer.on("exit", (code) => fail(new Error(`the OIDC peer exited (${code}): ${out}`)));
  });
}

async function startServer() {
  let bin = process.env.E2E_BINARY;
  if (!bin) {
    bin = join(tmp, "alexandria");
    log("building the binary");
    execFileSync("go", ["build", "-o", bin, "./cmd/alexandria"], { cwd: repo, stdio: "inherit" });
  }
  // A port chosen here, so that passkeys can be given their relying party
  // before the start: WebAuthn wants a domain (localhost), not an address.
  const port = await new Promise((ok, fail) => {
    const probe = createServer().once("error", fail).listen(0, "127.0.0.1", () => {
      const p = probe.address().port;
      probe.close(() => ok(p));
    });
  });
  const idp = await startOIDCPeer();
  const oidcEnv = idp
    ? {
        ALEXANDRIA_IDENTITY_OIDC_PROVIDERS_0_ID: "mock",
        ALEXANDRIA_IDENTITY_OIDC_PROVIDERS_0_NAME: "Mock IdP",
        ALEXANDRIA_IDENTITY_OIDC_PROVIDERS_0_ISSUER: idp.issuer,
        ALEXANDRIA_IDENTITY_OIDC_PROVIDERS_0_CLIENT_ID: idp.client_id,
        ALEXANDRIA_IDENTITY_OIDC_PROVIDERS_0_CLIENT_SECRET: idp.client_secret,
        ALEXANDRIA_IDENTITY_OIDC_PROVIDERS_0_SCOPES: "email,profile",
        // The browser works on 127.0.0.1; the callback must set its cookies there.
        ALEXANDRIA_IDENTITY_OIDC_PROVIDERS_0_REDIRECT_URL: `http://127.0.0.1:${port}/v1/auth/oidc/mock/callback`,
      }
    : {};
  if (idp) log("OIDC provider at", idp.issuer);
  server = spawn(bin, ["serve", "-data-dir", join(tmp, "data"), "-http-addr", `127.0.0.1:${port}`], {
    env: {
      ...process.env,
      ...oidcEnv,
      ALEXANDRIA_LOG_LEVEL: "warn",
      ALEXANDRIA_IDENTITY_WEBAUTHN_RP_ID: "localhost",
      ALEXANDRIA_IDENTITY_WEBAUTHN_ORIGINS: `http://localhost:${port}`,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  server.stderr.on("data", (d) => process.env.E2E_VERBOSE && process.stderr.write(d));
  return new Promise((ok, fail) => {
    let out = "";
    let password = "";
    const timer = setTimeout(() => fail(new Error("the server did not start:\n" + out)), 120_000);
    server.stdout.on("data", (d) => {
      out += d;
      const pw = out.match(/created administrator (\S+) with password (\S+)/);
      if (pw) password = pw[2];
      const url = out.match(/Alexandria is running at (http:\/\/\S+?) /);
      if (url && password) {
        clearTimeout(timer);
        ok({ base: url[1].replace("localhost", "127.0.0.1"), adminEmail: pw[1], adminPassword: password });
      }
    });
    server.on("exit", (code) => fail(new Error(`the server exited (${code}):\n${out}`)));
  });
}

/** check runs axe-core in the page (through the DevTools protocol, so the
 * page's CSP is untouched) and records serious or critical violations. */
async function check(page, name, fullPage = true) {
  await page.evaluate(axeSource);
  const result = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { resultTypes: ["violations"] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(" ")).slice(0, 5) }));
  });
  const bad = result.filter((v) => v.impact === "serious" || v.impact === "critical");
  for (const v of bad) failures.push(`${name}: axe ${v.impact} ${v.id} (${v.help}) at ${v.nodes.join(", ")}`);
  await page.screenshot({ path: join(artifacts, `${name}.png`), fullPage });
  log(`checked ${name}: ${bad.length} serious/critical, ${result.length - bad.length} minor`);
}

async function signIn(page, base, email, password) {
  await page.goto(base + "/signin");
  await page.getByLabel("E-mail", { exact: true }).fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("button", { name: "Sign out", exact: true }).waitFor();
}

async function signOut(page) {
  await page.getByRole("button", { name: "Sign out", exact: true }).click();
  await page.getByRole("link", { name: "Sign in" }).waitFor();
}

async function main() {
  const { base, adminEmail, adminPassword } = await startServer();
  log("server at", base);
  const profile = join(tmp, "profile");
  browser = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: true,
    locale: "en-US",
    userAgent,
    viewport: { width: 1280, height: 900 },
    args: launchArgs,
  });
  browser.setDefaultTimeout(30_000);
  const page = browser.pages()[0] || (await browser.newPage());
  page.on("console", (m) => {
    if (/Content.Security.Policy|Refused to/i.test(m.text())) failures.push(`CSP: ${m.text()}`);
  });
  page.on("pageerror", (e) => failures.push(`page error: ${e.message}`));

  // A reader arrives, looks around and signs up.
  await page.goto(base + "/");
  await page.getByRole("heading", { name: "New on Alexandria" }).waitFor();
  const csp = (await page.request.get(base + "/")).headers()["content-security-policy"] || "";
  if (!csp.includes("default-src 'self'")) failures.push(`weak CSP on /: ${csp}`);
  await check(page, "home");
  await page.goto(base + "/browse");
  await page.getByRole("heading", { name: "Browse" }).waitFor();
  await check(page, "browse");
  const email = `ada-${Date.now()}@example.org`;
  const password = "a long pass phrase for ada";
  await page.goto(base + "/signup");
  await check(page, "signup");
  await page.getByLabel("Display name").fill("Ada");
  await page.getByLabel("E-mail", { exact: true }).fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Create the account" }).click();
  await page.getByRole("button", { name: "Sign out", exact: true }).waitFor();
  const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }));
  if (/eyJ[A-Za-z0-9_-]+\./.test(stored)) failures.push("a token was found in web storage");
  await page.goto(base + "/account");
  await page.getByRole("heading", { name: "Your account" }).waitFor();
  await check(page, "account");
  // A reload keeps the session (refresh cookie), with no token in storage.
  await page.reload();
  await page.getByRole("heading", { name: "Your account" }).waitFor();
  await signOut(page);

  // The administrator makes Ada an author.
  await signIn(page, base, adminEmail, adminPassword);
  await page.goto(base + "/admin");
  const row = page.getByRole("row").filter({ hasText: email });
  await row.waitFor();
  await check(page, "admin");
  // The box follows the server: it turns checked once the PATCH is done
  // and the list reloaded.
  const patched = page.waitForResponse((r) => r.url().includes("/v1/users/") && r.request().method() === "PATCH");
  await row.getByLabel("author").click();
  if ((await patched).status() !== 200) failures.push("granting the author role failed");
  await page.waitForFunction((email) => [...document.querySelectorAll("tr")].some((tr) => tr.textContent.includes(email) &&
    [...tr.querySelectorAll("label")].some((l) => l.textContent.trim() === "author" && l.querySelector("input").checked)), email);
  await signOut(page);

  // Ada creates an author profile and a podcast episode, uploads it, and
  // watches it process.
  await signIn(page, base, email, password);
  await page.goto(base + "/studio");
  await check(page, "studio");
  await page.getByLabel("Name").fill("Ada's Podcast");
  await page.getByRole("button", { name: "Create" }).click();
  await page.getByRole("heading", { name: "Ada's Podcast" }).waitFor();
  const authorId = page.url().split("/").pop();
  await check(page, "studio-author");
  await page.getByLabel("Title").fill("Episode 1: a tone");
  await page.getByRole("button", { name: "Create" }).click();
  await page.getByRole("heading", { name: "Episode 1: a tone" }).waitFor();
  const mediaId = page.url().split("/").pop();
  await page.getByLabel("File").setInputFiles(join(here, "fixtures", "tone.ogg"));
  await page.getByRole("button", { name: "Upload" }).click();
  await page.getByText("Upload complete").waitFor();
  // The bar reads full once the upload is complete (it used not to).
  const bar = await page.getByTestId("upload-progress").evaluate((p) => [p.value, p.max]);
  if (bar[0] !== bar[1]) failures.push(`upload bar not full after completion: ${bar.join("/")}`);
  await page.screenshot({ path: join(artifacts, "upload-complete.png") });
  // Processing returns the item to its status (a draft stays a draft) or
  // fails it, with the reason; the author then publishes it.
  await page.getByTestId("processing-pending").waitFor({ timeout });
  await page.getByTestId("processing-pending").waitFor({ state: "detached", timeout });
  const status = await page.getByTestId("media-status").textContent();
  if (/Failed/.test(status)) failures.push(`processing failed: ${await page.textContent("body")}`);
  await check(page, "studio-media");
  await page.getByRole("button", { name: "Publish" }).click();
  await page.getByTestId("media-status").filter({ hasText: /Published/ }).waitFor({ timeout });

  // The episode plays.
  await page.goto(`${base}/media/${mediaId}`);
  await page.getByRole("heading", { name: "Episode 1: a tone" }).waitFor();
  await page.locator("canvas.waveform").waitFor();
  await page.getByRole("button", { name: "Play" }).click();
  await page.waitForFunction(() => (document.querySelector("audio")?.currentTime ?? 0) > 0.3, null, { timeout: 20_000 });
  await page.getByRole("button", { name: "Pause" }).click();
  await check(page, "media-audio");

  // 360 px wide: nothing scrolls sideways.
  await page.setViewportSize({ width: 360, height: 740 });
  for (const [name, path] of [["mobile-home", "/"], ["mobile-media", `/media/${mediaId}`], ["mobile-studio-media", `/studio/media/${mediaId}`]]) {
    await page.goto(base + path);
    await page.locator("main h1").first().waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    if (overflow > 1) failures.push(`${name}: ${overflow}px wider than a 360 px screen`);
    await check(page, name);
  }
  await page.setViewportSize({ width: 1280, height: 900 });

  // Unknown API paths keep their JSON problem; app paths get the shell.
  const api404 = await page.request.get(base + "/v1/no-such-thing");
  if (api404.status() !== 404 || !api404.headers()["content-type"].includes("problem+json")) failures.push("/v1 fallback swallowed");
  await page.goto(base + "/docs");
  await page.getByRole("heading", { name: /Alexandria API/ }).waitFor();
  await check(page, "docs", false); // the reference is very long

  // The screens of the search, engagement and feeds targets.
  const { run } = await import("./new-targets.mjs");
  await run({
    page, base, check, signIn, signOut, failures, log, tmp, timeout, chromiumPath, launchArgs, userAgent,
    ada: { email, password, authorId },
    admin: { email: adminEmail, password: adminPassword },
  });

  // The screens of the notify, analytics and identity work (each flow runs
  // when its target answers; otherwise the calm degrade is checked).
  const wave2 = await import("./wave2.mjs");
  await wave2.run({ page, base, check, signIn, signOut, failures, log, ada: { email, password, authorId } });
}

try {
  await main();
} catch (e) {
  failures.push(String(e && e.stack ? e.stack : e));
} finally {
  await browser?.close().catch(() => {});
  server?.kill("SIGTERM");
  oidcPeer?.kill("SIGTERM");
  rmSync(tmp, { recursive: true, force: true });
}
if (failures.length) {
  console.error("e2e: FAILED\n" + failures.map((f) => "  - " + f).join("\n"));
  process.exit(1);
}
log("passed; screenshots in", artifacts);
