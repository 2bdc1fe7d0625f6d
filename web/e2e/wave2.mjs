// Browser flows of the notify (issue 12), analytics (issue 14) and identity
// (issue 15) screens. Each target is probed first: when it answers, its
// flow runs; when it does not, the screens must degrade calmly (a note or
// nothing) and the log says "skipped: <target> target absent".
import { createHmac } from "node:crypto";

const absent = (status) => [404, 405, 501].includes(status);

/** totp computes the current RFC 6238 code of a base32 secret. */
export function totp(secret, at = Date.now()) {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const ch of secret.replace(/=+$/, "").toUpperCase()) bits += alphabet.indexOf(ch).toString(2).padStart(5, "0");
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(at / 30_000)));
  const h = createHmac("sha1", key).update(counter).digest();
  const o = h[h.length - 1] & 15;
  return String((h.readUInt32BE(o) & 0x7fffffff) % 1_000_000).padStart(6, "0");
}

const shows = (locator, ms = 5000) => locator.first().waitFor({ state: "visible", timeout: ms }).then(() => true, () => false);

export async function run(t) {
  const { page, base, check, signIn, failures, log, ada } = t;
  const status = async (method, path, data) => (await page.request.fetch(base + path, { method, data, failOnStatusCode: false })).status();
  const has = {
    notify: !absent(await status("GET", "/v1/notifications/vapid-public-key")),
    analytics: !absent(await status("GET", "/v1/trending?window=day")),
    sessions: !absent(await status("GET", "/v1/users/me/sessions")),
    secondFactor: !absent(await status("GET", "/v1/users/me/second-factor")),
    reset: !absent(await status("POST", "/v1/auth/password-reset", {})),
    oidc: await hasProvider(page, base, "mock"),
  };
  log("wave 2 targets:", JSON.stringify(has));
  const expect = (cond, what) => {
    if (!cond) failures.push(`wave2: ${what}`);
  };

  // Signed out first: the sign-in page and password reset.
  if (await shows(page.getByRole("button", { name: "Sign out", exact: true }), 500)) {
    await page.getByRole("button", { name: "Sign out", exact: true }).click();
    await page.getByRole("link", { name: "Sign in" }).waitFor();
  }
  await page.goto(base + "/signin");
  await page.getByRole("link", { name: "Forgot your password?" }).waitFor();
  if (!has.oidc) {
    log("skipped: OIDC providers absent");
    expect(!(await shows(page.getByRole("link", { name: /^Continue with / }), 1000)), "provider buttons without OIDC");
  } else {
    expect(await shows(page.getByRole("link", { name: "Continue with Mock IdP" })), "the provider's button on the sign-in page");
  }
  await check(page, "wave2-signin");
  await page.getByRole("link", { name: "Forgot your password?" }).click();
  await page.getByLabel("E-mail", { exact: true }).fill(ada.email);
  await page.getByRole("button", { name: "Send the link" }).click();
  if (has.reset) {
    expect(await shows(page.getByText(/a link is on its way/)), "reset link confirmation");
  } else {
    log("skipped: password reset absent");
    expect(await shows(page.getByText("Password reset is not available on this server; ask an administrator.")), "calm note without password reset");
  }
  await check(page, "wave2-forgot-password");
  await page.goto(base + "/reset-password");
  await page.getByText("This link is incomplete.").waitFor();
  await check(page, "wave2-reset-password");

  await signIn(page, base, ada.email, ada.password);

  // Notifications.
  await page.goto(base + "/notifications");
  if (has.notify) {
    await page.getByRole("heading", { name: "Notifications" }).waitFor();
    expect(await shows(page.getByRole("link", { name: /^Notifications, \d+ unread$/ })), "the bell with notify");
    expect(await shows(page.getByRole("checkbox", { name: "Unread only" })), "inbox controls");
    await check(page, "wave2-inbox");
    await page.goto(base + "/notifications/settings");
    const box = page.getByRole("checkbox", { name: "New item from what you follow: E-mail" });
    await box.waitFor();
    await box.click();
    await page.getByRole("radio", { name: "Daily digest" }).check();
    await page.getByRole("button", { name: "Save" }).click();
    expect(await shows(page.getByText("Saved.")), "preferences saved");
    await check(page, "wave2-notification-settings");
    await page.goto(`${base}/studio/authors/${ada.authorId}`);
    expect(await shows(page.getByRole("heading", { name: "Webhooks" })), "webhooks section with notify");
  } else {
    log("skipped: notify target absent");
    expect(await shows(page.getByText("Notifications are not available on this server.")), "calm inbox note without notify");
    expect(!(await shows(page.getByRole("link", { name: /^Notifications, / }), 1000)), "no bell without notify");
    await check(page, "wave2-inbox-absent");
    await page.goto(base + "/notifications/settings");
    expect(await shows(page.getByText("Notifications are not available on this server.")), "calm settings note without notify");
  }

  // Trending, popular, statistics.
  await page.goto(base + "/trending");
  if (has.analytics) {
    await page.getByRole("heading", { name: "Trending" }).waitFor();
    await page.getByLabel("Window").selectOption("week");
    await check(page, "wave2-trending");
    await page.goto(`${base}/studio/authors/${ada.authorId}`);
    expect(await shows(page.getByRole("img", { name: /^Views: \d+ in total/ }), 10_000), "statistics chart with analytics");
    await check(page, "wave2-studio-stats");
  } else {
    log("skipped: analytics target absent");
    expect(await shows(page.getByText("Trending is not available on this server.")), "calm trending note without analytics");
    await check(page, "wave2-trending-absent");
    await page.goto(`${base}/studio/authors/${ada.authorId}`);
    await page.getByRole("heading", { level: 1 }).waitFor();
    expect(!(await shows(page.getByRole("heading", { name: "Statistics" }), 1500)), "no statistics without analytics");
  }

  // Account security.
  await page.goto(base + "/account");
  await page.getByRole("heading", { name: "Profile" }).waitFor();
  if (has.sessions) {
    expect(await shows(page.getByText("this browser")), "the current session is marked");
  } else {
    log("skipped: sessions absent");
    expect(!(await shows(page.getByRole("heading", { name: "Sessions" }), 1000)), "no sessions section without the endpoint");
  }
  if (has.secondFactor) {
    await page.getByRole("button", { name: "Set up an authenticator app" }).click();
    await page.getByRole("img", { name: "QR code of the authenticator app set-up" }).waitFor();
    const secret = (await page.getByTestId("totp-secret").textContent()).trim();
    await page.getByLabel("Code from the app").fill(totp(secret));
    await page.getByRole("button", { name: "Turn on" }).click();
    const codes = page.getByRole("list", { name: "Recovery codes" });
    await codes.waitFor();
    const recovery = (await codes.getByRole("listitem").allTextContents()).map((s) => s.trim());
    await check(page, "wave2-account-totp");
    // Sign in again: the second step takes a recovery code.
    await page.getByRole("button", { name: "Sign out", exact: true }).click();
    await page.goto(base + "/signin");
    await page.getByLabel("E-mail", { exact: true }).fill(ada.email);
    await page.getByLabel("Password").fill(ada.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    const otp = page.getByLabel("Code from your authenticator app, or a recovery code");
    await otp.waitFor();
    await check(page, "wave2-signin-otp");
    await otp.fill(recovery[0]);
    await page.getByRole("button", { name: "Verify" }).click();
    await page.getByRole("button", { name: "Sign out", exact: true }).waitFor();
    await passkeySecondFactor(t, recovery[2]);
    // Turn it off again (with another recovery code) for the flows after this one.
    await page.goto(base + "/account");
    await page.getByLabel("Code from the app, or a recovery code").fill(recovery[1]);
    await page.getByRole("button", { name: "Turn off" }).click();
    expect(await shows(page.getByRole("button", { name: "Set up an authenticator app" })), "second factor turned off");
  } else {
    log("skipped: second factor absent");
    expect(!(await shows(page.getByRole("heading", { name: "Authenticator app (second factor)" }), 1000)), "no TOTP section without the endpoint");
  }
  await check(page, "wave2-account");
  if (has.oidc) {
    await linkedProviders(t, expect);
  } else {
    expect(!(await shows(page.getByRole("heading", { name: "Sign-in providers" }), 1000)), "no providers section without providers");
  }
}

/** hasProvider tells whether the server lists the OIDC provider id. */
async function hasProvider(page, base, id) {
  const res = await page.request.fetch(base + "/v1/auth/oidc/providers", { failOnStatusCode: false });
  if (res.status() !== 200) return false;
  const body = await res.json().catch(() => ({}));
  return (body.items ?? body.providers ?? []).some((p) => p.id === id);
}

/** linkedProviders runs the account's sign-in providers screen against the
 * OIDC peer run.mjs starts (test/oidcpeer): Ada links the provider through
 * the browser, sees it listed and unlinks it; then a reader whom the provider
 * signs up (its address not verified here, no passkey) cannot unlink their
 * only way in and is told why. Ada is signed in again at the end. */
async function linkedProviders(t, expect) {
  const { page, base, check, signIn, log, ada } = t;
  await page.goto(base + "/account");
  const section = page.getByRole("region", { name: "Sign-in providers" });
  await section.getByText("No provider is linked to this account.").waitFor();
  await section.getByRole("button", { name: "Link Mock IdP" }).click();
  // To the provider and back through identity's callback, which sets a new
  // session's cookies and sends the browser home.
  await page.waitForURL((u) => ["/", "/auth/callback"].includes(u.pathname) && u.host === new URL(base).host, { timeout: 30_000 });
  if (new URL(page.url()).pathname === "/auth/callback") throw new Error(`provider link failed: ${await page.textContent("body")}`);
  await page.getByRole("button", { name: "Sign out", exact: true }).waitFor();
  await page.goto(base + "/account");
  const unlink = section.getByRole("button", { name: "Unlink Mock IdP" });
  expect(await shows(unlink, 10_000), "the linked provider is listed");
  await check(page, "wave2-account-providers");
  await unlink.click();
  expect(await shows(section.getByText("No provider is linked to this account.")), "unlinking empties the list");
  expect(await shows(section.getByRole("button", { name: "Link Mock IdP" })), "the provider can be linked again");

  // A provider-made account keeps its only way in.
  await page.getByRole("button", { name: "Sign out", exact: true }).click();
  await page.goto(base + "/signin");
  await page.getByRole("link", { name: "Continue with Mock IdP" }).click();
  await page.waitForURL((u) => ["/", "/auth/callback"].includes(u.pathname) && u.host === new URL(base).host, { timeout: 30_000 });
  if (new URL(page.url()).pathname === "/auth/callback") throw new Error(`provider sign-in failed: ${await page.textContent("body")}`);
  await page.getByRole("button", { name: "Sign out", exact: true }).waitFor();
  await page.goto(base + "/account");
  const own = section.getByRole("button", { name: "Unlink Mock IdP" });
  await own.waitFor();
  await own.click();
  expect(await shows(section.getByRole("alert").filter({ hasText: "only way to sign in" })), "refusal to unlink the only way in");
  expect(await shows(own), "the provider stays linked after the refusal");
  await check(page, "wave2-account-providers-refused");
  log("providers: linked and unlinked in the browser; the provider-made account kept its only way in");
  await page.getByRole("button", { name: "Sign out", exact: true }).click();
  await signIn(page, base, ada.email, ada.password);
}

/** passkeySecondFactor registers a passkey in Chromium's virtual
 * authenticator (DevTools protocol: WebAuthn.addVirtualAuthenticator) and
 * signs in with the password and that passkey as the second factor. WebAuthn
 * wants a domain, so this part browses http://localhost (run.mjs gives the
 * server that relying party); its cookies are apart from 127.0.0.1's. */
async function passkeySecondFactor(t, recoveryCode) {
  const { page, base, check, failures, log, ada } = t;
  const local = base.replace("127.0.0.1", "localhost");
  const probe = await page.request.fetch(local + "/v1/auth/passkey/options", { method: "POST", failOnStatusCode: false });
  if (probe.status() !== 200) {
    log(`skipped: passkeys not configured (${probe.status()})`);
    return;
  }
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("WebAuthn.enable");
  const { authenticatorId } = await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: { protocol: "ctap2", transport: "internal", hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
  });
  try {
    const passwordStep = async () => {
      await page.goto(local + "/signin");
      await page.getByLabel("E-mail", { exact: true }).fill(ada.email);
      await page.getByLabel("Password").fill(ada.password);
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.getByLabel("Code from your authenticator app, or a recovery code").waitFor();
    };
    await passwordStep();
    await page.getByLabel("Code from your authenticator app, or a recovery code").fill(recoveryCode);
    await page.getByRole("button", { name: "Verify" }).click();
    await page.getByRole("button", { name: "Sign out", exact: true }).waitFor();
    await page.goto(local + "/account");
    await page.getByLabel("Name of the new passkey").fill("virtual key");
    await page.getByRole("button", { name: "Add a passkey" }).click();
    await page.getByRole("button", { name: "Delete the passkey virtual key" }).waitFor();
    await page.getByRole("button", { name: "Sign out", exact: true }).click();
    await page.getByRole("link", { name: "Sign in" }).waitFor();
    await passwordStep();
    const usePasskey = page.getByRole("button", { name: "Use a passkey instead" });
    await usePasskey.waitFor();
    await check(page, "wave2-signin-passkey");
    await usePasskey.click();
    await page.getByRole("button", { name: "Sign out", exact: true }).waitFor();
    const { credentials } = await cdp.send("WebAuthn.getCredentials", { authenticatorId });
    if (credentials.length !== 1 || credentials[0].signCount < 1) failures.push(`passkey: the authenticator holds ${JSON.stringify(credentials.map((c) => c.signCount))}`);
    log("passkey: registered, and answered as the second factor of a password sign-in");
  } finally {
    await cdp.send("WebAuthn.removeVirtualAuthenticator", { authenticatorId }).catch(() => {});
    await cdp.detach().catch(() => {});
  }
}
