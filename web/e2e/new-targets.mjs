// Browser flows of the screens of the search, engagement and feeds targets
// (issues 10, 11, 13), run by run.mjs after the core flows.
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { chromium } from "playwright-core";

/** pdfWithPages writes a small valid PDF with one line of text per page. */
function pdfWithPages(lines) {
  const objs = ["<< /Type /Catalog /Pages 2 0 R >>", null, "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"];
  const kids = [];
  for (const line of lines) {
    const stream = `BT /F1 18 Tf 20 100 Td (${line}) Tj ET`;
    objs.push(`<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`);
    const contents = objs.length;
    objs.push(`<< /Type /Page /Parent 2 0 R /MediaBox [0 0 400 200] /Contents ${contents} 0 R /Resources << /Font << /F1 3 0 R >> >> >>`);
    kids.push(`${objs.length} 0 R`);
  }
  objs[1] = `<< /Type /Pages /Kids [${kids.join(" ")}] /Count ${lines.length} >>`;
  let out = "%PDF-1.4\n";
  const offsets = objs.map((o, i) => {
    const at = out.length;
    out += `${i + 1} 0 obj\n${o}\nendobj\n`;
    return at;
  });
  const xref = out.length;
  out += `xref\n0 ${objs.length + 1}\n0000000000 65535 f \n` + offsets.map((o) => `${String(o).padStart(10, "0")} 00000 n \n`).join("");
  out += `trailer\n<< /Size ${objs.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, "latin1");
}

/** writeEpub writes a small EPUB 3 (three chapters) with Python's zipfile:
 * the mimetype entry first and stored, as the format asks. */
function writeEpub(path, chapters) {
  const py = `
import sys, zipfile
path, chapters = sys.argv[1], sys.argv[2:]
xhtml = lambda title, body: f'<?xml version="1.0" encoding="utf-8"?><html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops"><head><title>{title}</title></head><body>{body}</body></html>'
with zipfile.ZipFile(path, "w") as z:
    z.writestr(zipfile.ZipInfo("mimetype"), "application/epub+zip", compress_type=zipfile.ZIP_STORED)
    z.writestr("META-INF/container.xml", '<?xml version="1.0"?><container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles><rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/></rootfiles></container>')
    items = "".join(f'<item id="c{i}" href="c{i}.xhtml" media-type="application/xhtml+xml"/>' for i in range(len(chapters)))
    spine = "".join(f'<itemref idref="c{i}"/>' for i in range(len(chapters)))
    z.writestr("OEBPS/content.opf", f'<?xml version="1.0" encoding="utf-8"?><package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="id"><metadata xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:identifier id="id">urn:uuid:0f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b</dc:identifier><dc:title>A harbour book</dc:title><dc:language>en</dc:language><meta property="dcterms:modified">2026-01-01T00:00:00Z</meta></metadata><manifest><item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/>{items}</manifest><spine>{spine}</spine></package>')
    links = "".join(f'<li><a href="c{i}.xhtml">Chapter {i + 1}</a></li>' for i in range(len(chapters)))
    z.writestr("OEBPS/nav.xhtml", xhtml("Contents", f'<nav epub:type="toc"><ol>{links}</ol></nav>'))
    for i, text in enumerate(chapters):
        z.writestr(f"OEBPS/c{i}.xhtml", xhtml(f"Chapter {i + 1}", f"<h1>Chapter {i + 1}</h1><p>{text}</p>"))
`;
  execFileSync("python3", ["-c", py, path, ...chapters]);
}

/** until retries fn (eventually consistent read models) until it is true. */
async function until(what, fn, { timeout = 30_000, every = 500 } = {}) {
  const end = Date.now() + timeout;
  for (;;) {
    if (await fn()) return;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, every));
  }
}

/** shows waits up to ms for a locator to be visible (isVisible does not wait). */
const shows = (locator, ms = 3000) => locator.first().waitFor({ state: "visible", timeout: ms }).then(() => true, () => false);
/** textOf waits up to ms for a locator and returns its text ("" if absent). */
const textOf = (locator, ms = 3000) => locator.first().textContent({ timeout: ms }).catch(() => "");

export async function run(t) {
  const { page, base, check, signIn, signOut, failures, log, tmp, timeout, ada, admin, chromiumPath, launchArgs, userAgent } = t;
  log("new targets: search, engagement, feeds");
  // What the app reports to engagement, for the failure messages.
  const reported = [];
  page.on("response", (r) => {
    if (/\/views$|\/v1\/users\/me\/progress\//.test(r.url())) reported.push(`${r.request().method()} ${r.url().replace(base, "")} ${r.request().postData()} → ${r.status()}`);
  });

  // Ada publishes a longer episode in two chapters (to resume in) and a
  // three-page PDF; a short video comes later, once Bea follows her.
  const audio = join(tmp, "long-tone.ogg");
  // Ogg's chapters are Vorbis comments (CHAPTERnn, CHAPTERnnNAME).
  execFileSync("ffmpeg", ["-v", "error", "-f", "lavfi", "-i", "sine=frequency=330:duration=40", "-c:a", "libvorbis",
    "-metadata", "CHAPTER00=00:00:00.000", "-metadata", "CHAPTER00NAME=The calm",
    "-metadata", "CHAPTER01=00:00:20.000", "-metadata", "CHAPTER01NAME=The swell", "-y", audio]);
  const film = join(tmp, "harbour-film.mp4");
  execFileSync("ffmpeg", ["-v", "error", "-f", "lavfi", "-i", "testsrc=size=320x240:rate=24:duration=8", "-f", "lavfi", "-i",
    "sine=frequency=440:duration=8", "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest",
    "-movflags", "+faststart", "-y", film]);
  const pdf = join(tmp, "lighthouse.pdf");
  writeFileSync(pdf, pdfWithPages(["An opening page", "The lighthouse keeper wrote at night", "A closing page"]));
  await signIn(page, base, ada.email, ada.password);
  const publish = async (title, kind, file, p = page) => {
    await p.goto(`${base}/studio/authors/${ada.authorId}`);
    await p.getByLabel("Title").fill(title);
    if (kind) await p.getByLabel("Kind").selectOption(kind);
    await p.getByRole("button", { name: "Create" }).click();
    await p.getByRole("heading", { name: title }).waitFor();
    const id = p.url().split("/").pop();
    await p.getByLabel("File").setInputFiles(file);
    await p.getByRole("button", { name: "Upload" }).click();
    await p.getByText("Upload complete").waitFor();
    await p.getByTestId("processing-pending").waitFor({ state: "detached", timeout });
    const status = await p.getByTestId("media-status").textContent();
    if (/Failed/.test(status)) throw new Error(`processing ${title} failed: ${await p.textContent("main")}`);
    await p.getByRole("button", { name: "Publish" }).click();
    await p.getByTestId("media-status").filter({ hasText: /Published/ }).waitFor({ timeout });
    return id;
  };
  const epub = join(tmp, "harbour.epub");
  writeEpub(epub, [
    "Morning came grey over the quay and the boats were still.",
    "The fishermen mended their nets and spoke of the weather.",
    "At dusk the lantern swung over the harbour wall.",
  ]);
  const longId = await publish("A long lighthouse tone", null, audio);
  const epubId = await publish("A harbour book", "book", epub);
  const pdfId = await publish("The keeper's notes", "document", pdf);

  // The episode lists its chapters (read from the file's metadata); a click
  // seeks to one, which is then marked as playing, and the sleep timer offers
  // its end.
  await page.goto(`${base}/media/${longId}`);
  const toc = page.getByRole("navigation", { name: "Chapters" });
  await toc.getByRole("button", { name: /The swell/ }).waitFor();
  await page.waitForFunction(() => (document.querySelector("audio")?.readyState ?? 0) >= 1);
  await toc.getByRole("button", { name: /The swell/ }).click();
  await page.waitForFunction(() => Math.abs((document.querySelector("audio")?.currentTime ?? 0) - 20) < 0.5);
  await toc.locator('button[aria-current="true"]', { hasText: "The swell" }).waitFor();
  await page.getByLabel("Sleep timer").selectOption("chapter");
  await page.getByLabel("Sleep timer").selectOption("off");
  await check(page, "media-audio-chapters");
  await signOut(page);

  // A reader signs up.
  const bea = { email: `bea-${Date.now()}@example.org`, password: "a long pass phrase for bea" };
  await page.goto(base + "/signup");
  await page.getByLabel("Display name").fill("Bea");
  await page.getByLabel("E-mail", { exact: true }).fill(bea.email);
  await page.getByLabel("Password").fill(bea.password);
  await page.getByRole("button", { name: "Create the account" }).click();
  await page.getByRole("button", { name: "Sign out", exact: true }).waitFor();

  // Search: autocomplete in the header, then results with facets.
  const box = page.getByRole("combobox", { name: "Search" });
  await until("the episode to be suggested", async () => {
    await box.fill("");
    await box.fill("lighth");
    return shows(page.getByRole("option", { name: /A long lighthouse tone/ }));
  });
  await check(page, "search-suggest", false);
  await box.press("Escape");
  await box.fill("lighthouse");
  await box.press("Enter");
  await page.waitForURL(/\/search\?q=lighthouse/);
  await until("results", async () => {
    await page.reload();
    return shows(page.getByRole("link", { name: /A long lighthouse tone/ }));
  });
  if ((await page.locator(".hit mark").count()) === 0) failures.push("search: no highlighted term in the results");
  await check(page, "search");
  await page.getByRole("button", { name: /^Podcast \(/ }).click();
  await page.waitForURL(/kind=podcast/);
  await page.getByRole("button", { name: /^Podcast \(/, pressed: true }).waitFor();
  await page.getByRole("link", { name: /A long lighthouse tone/ }).waitFor();
  if (await page.getByRole("link", { name: "The keeper's notes" }).count()) failures.push("search: the kind facet did not filter");

  // Search inside the PDF jumps to the page of the hit.
  await page.goto(`${base}/media/${pdfId}`);
  await page.getByLabel("Find in this item").fill("keeper");
  await page.getByLabel("Find in this item").press("Enter");
  await page.getByRole("button", { name: /Page 2/ }).click();
  await page.getByText("Page 2 of 3").first().waitFor();
  await check(page, "search-inside");

  // Search inside the EPUB opens the chapter that holds the words.
  await page.goto(`${base}/media/${epubId}`);
  const frame = page.frameLocator(".epub-host iframe");
  await frame.getByText(/Morning came grey/).waitFor({ timeout: 20_000 });
  await page.getByLabel("Find in this item").fill("lantern");
  await page.getByLabel("Find in this item").press("Enter");
  await page.locator(".search-inside button.passage").first().click();
  await frame.getByText(/lantern swung/).waitFor({ timeout: 20_000 });
  await check(page, "search-inside-epub");

  // Follow the author; the author page shows counts and feed links.
  await page.goto(`${base}/authors/${ada.authorId}`);
  await page.getByRole("button", { name: /^Follow / }).click();
  await page.getByRole("button", { name: /^Stop following / }).waitFor();
  await until("the follower count", async () => {
    await page.reload();
    return /Followers: 1\b/.test((await textOf(page.getByTestId("author-stats"))) || "");
  });
  const rss = page.getByRole("link", { name: "Podcast feed (RSS)" });
  await rss.waitFor();
  const feed = await page.request.get(base + (await rss.getAttribute("href")));
  if (feed.status() !== 200 || !(await feed.text()).includes("<rss")) failures.push(`podcast feed: ${feed.status()}`);
  const opds = await page.request.get(base + (await page.getByRole("link", { name: "OPDS catalog" }).getAttribute("href")));
  if (opds.status() !== 200) failures.push(`OPDS catalog: ${opds.status()}`);
  await check(page, "author-engagement");

  // Ada publishes a video while Bea has her inbox open: the bell's unread
  // count goes up live (the notification stream, no reload), the inbox lists
  // "New: A harbour film", and its link opens the video, which streams the
  // HLS ladder processing made.
  const notify = ![404, 405, 501].includes((await page.request.get(base + "/v1/notifications/vapid-public-key", { failOnStatusCode: false })).status());
  const unreadOf = async () => Number(((await page.locator(".bell").getAttribute("aria-label")) || "").match(/(\d+) unread/)?.[1] ?? -1);
  let before = 0;
  if (notify) {
    await page.goto(base + "/notifications");
    await page.getByRole("heading", { name: "Notifications" }).waitFor();
    await page.locator('.bell[data-live="sse"]').waitFor({ timeout: 15_000 });
    before = await unreadOf();
  } else {
    log("skipped: notify absent (no notification to the follower)");
  }
  let filmId;
  const studio = await chromium.launch({ executablePath: chromiumPath, headless: true, args: launchArgs });
  try {
    const pa = await (await studio.newContext({ locale: "en-US", userAgent })).newPage();
    await signIn(pa, base, ada.email, ada.password);
    filmId = await publish("A harbour film", "video", film, pa);
  } finally {
    await studio.close();
  }
  if (notify) {
    await until("the unread count to go up live", async () => (await unreadOf()) > before, { timeout: 30_000 });
    if (!page.url().endsWith("/notifications")) failures.push(`the inbox was left: ${page.url()}`);
    const item = page.locator(".inbox li.unread").filter({ hasText: "New: A harbour film" });
    await item.waitFor({ timeout: 10_000 });
    await check(page, "inbox-new-item");
    await item.getByRole("link", { name: "New: A harbour film" }).click();
    await page.waitForURL(`${base}/media/${filmId}`);
  } else {
    await page.goto(`${base}/media/${filmId}`);
  }
  const hlsRequests = [];
  const onRequest = (r) => /\.(m3u8|m4s)(\?|$)/.test(r.url()) && hlsRequests.push(r.url());
  page.on("request", onRequest);
  await page.getByRole("heading", { name: "A harbour film" }).waitFor();
  const film$ = page.locator("video");
  await film$.waitFor();
  await page.waitForFunction(() => (document.querySelector("video")?.readyState ?? 0) >= 1, null, { timeout: 20_000 });
  const playback = await film$.getAttribute("data-playback");
  if (playback !== "hls" && playback !== "native") failures.push(`video: played as "${playback}", not HLS`);
  await page.evaluate(() => document.querySelector("video").play());
  await page.waitForFunction(() => (document.querySelector("video")?.currentTime ?? 0) > 1, null, { timeout: 20_000 });
  await page.evaluate(() => document.querySelector("video").pause());
  page.off("request", onRequest);
  if (!hlsRequests.some((u) => u.endsWith("hls.m3u8"))) failures.push(`video: the master playlist was not fetched (${hlsRequests.join(", ")})`);
  if (!hlsRequests.some((u) => /\.m4s(\?|$)/.test(u))) failures.push(`video: no HLS segment was fetched (${hlsRequests.join(", ")})`);
  log(`video: ${playback} playback, ${hlsRequests.length} playlist and segment requests`);
  await check(page, "media-video");

  // Where the browser has no HLS of its own (Firefox; Chromium before native
  // HLS), hls.js streams the ladder: the same page with canPlayType hiding
  // native HLS.
  const plain = await chromium.launch({ executablePath: chromiumPath, headless: true, args: launchArgs });
  try {
    const ctx = await plain.newContext({ locale: "en-US", userAgent });
    await ctx.addInitScript(() => {
      const can = HTMLMediaElement.prototype.canPlayType;
      HTMLMediaElement.prototype.canPlayType = function (type) {
        return /mpegurl/i.test(type) ? "" : can.call(this, type);
      };
    });
    const p3 = await ctx.newPage();
    p3.on("console", (m) => {
      if (/Content.Security.Policy|Refused to/i.test(m.text())) failures.push(`CSP (hls.js): ${m.text()}`);
    });
    p3.on("pageerror", (e) => failures.push(`page error (hls.js): ${e.message}`));
    const fetched = [];
    p3.on("request", (r) => fetched.push(r.url()));
    await p3.goto(`${base}/media/${filmId}`);
    await p3.locator('video[data-playback="hls"]').waitFor({ timeout: 20_000 });
    await p3.waitForFunction(() => (document.querySelector("video")?.readyState ?? 0) >= 1, null, { timeout: 20_000 });
    await p3.evaluate(() => document.querySelector("video").play());
    await p3.waitForFunction(() => (document.querySelector("video")?.currentTime ?? 0) > 1, null, { timeout: 20_000 });
    if (!fetched.some((u) => /\/assets\/hls\.light-[^/]+\.js$/.test(u))) failures.push("hls.js: its chunk was not loaded");
    if (!fetched.some((u) => /\.m4s(\?|$)/.test(u))) failures.push("hls.js: no segment was fetched");
    if ((await p3.evaluate(() => document.querySelector("video").src)).startsWith("blob:") === false) failures.push("hls.js: the video is not fed through Media Source Extensions");
    await check(p3, "media-video-hlsjs");
  } finally {
    await plain.close();
  }

  // Like, add to the saved collection, play past the view threshold.
  await page.goto(`${base}/media/${longId}`);
  await page.getByRole("button", { name: "Like" }).click();
  await page.getByRole("button", { name: "Liked" }).waitFor();
  await page.getByRole("button", { name: "Add", exact: true }).click();
  await page.getByText("Added.").waitFor();
  await page.getByLabel("Speed").selectOption("2");
  await page.getByRole("button", { name: "Play" }).click();
  await page.waitForFunction(() => (document.querySelector("audio")?.currentTime ?? 0) > 12, null, { timeout: 30_000 });
  await page.getByRole("button", { name: "Pause" }).click();
  const stopped = await page.evaluate(() => document.querySelector("audio").currentTime);
  await until(`the view to count (reports: ${reported.join("; ")})`, async () => {
    await page.reload();
    return /Views: [1-9]/.test((await textOf(page.getByTestId("media-stats"))) || "");
  });
  await check(page, "media-engagement");

  // A second device resumes where the first stopped.
  const other = await chromium.launch({ executablePath: chromiumPath, headless: true, args: launchArgs });
  try {
    const ctx = await other.newContext({ locale: "en-US", userAgent });
    const p2 = await ctx.newPage();
    await signIn(p2, base, bea.email, bea.password);
    await p2.goto(`${base}/media/${longId}`);
    await p2.getByTestId("resumed").waitFor({ timeout: 20_000 });
    const at = await p2.evaluate(() => document.querySelector("audio").currentTime);
    if (Math.abs(at - stopped) > 3) failures.push(`resume: second device at ${at}s, first stopped at ${stopped}s`);
    // Home: "Continue" lists the episode.
    await p2.goto(base + "/");
    await p2.getByRole("region", { name: "Continue" }).getByText("A long lighthouse tone").waitFor();
    await check(p2, "home-continue");
  } finally {
    await other.close();
  }

  // Collections: make one, put the episode in it, see it there.
  await page.goto(base + "/collections");
  await page.getByRole("link", { name: "Saved" }).waitFor();
  await page.getByLabel("Name").fill("Road trip");
  await page.getByRole("button", { name: "Create" }).click();
  await page.getByRole("link", { name: "Road trip" }).waitFor();
  await check(page, "collections");
  await page.goto(`${base}/media/${longId}`);
  await page.getByLabel("Add to collection").selectOption({ label: "Road trip" });
  await page.getByRole("button", { name: "Add", exact: true }).click();
  await page.getByText("Added.").waitFor();
  await page.goto(base + "/collections");
  await page.getByRole("link", { name: "Road trip" }).click();
  await page.getByTestId("collection-items").getByRole("link", { name: "A long lighthouse tone" }).waitFor();
  await check(page, "collection");

  // Bea reports the PDF; a moderator removes it.
  await page.goto(`${base}/media/${pdfId}`);
  await page.getByRole("button", { name: "Report" }).click();
  await page.getByLabel("Reason").selectOption("spam");
  await page.getByRole("button", { name: "Send the report" }).click();
  await page.getByText("a moderator will look at it").waitFor();
  await signOut(page);
  await signIn(page, base, admin.email, admin.password);
  await page.goto(base + "/admin");
  const queue = page.getByTestId("reports");
  await queue.waitFor();
  await check(page, "admin-reports");
  await queue.getByRole("listitem").filter({ has: page.locator(`a[href="/media/${pdfId}"]`) }).getByRole("button", { name: "Remove" }).click();
  await until("the item to be removed", async () => {
    const r = await page.request.get(`${base}/v1/media/${pdfId}`);
    return r.status() === 404 || (r.ok() && (await r.json()).status === "removed");
  });
  await signOut(page);
  log("new targets: passed");
}
