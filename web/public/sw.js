// Alexandria's service worker: caches the app shell (index.html and the
// hashed assets it names) so the app opens offline and installs as a PWA.
// API calls, media and feeds always go to the network.
const CACHE = "alexandria-shell-v1";

self.addEventListener("install", (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      const res = await fetch("/", { cache: "no-cache" });
      if (res.ok) {
        const html = await res.clone().text();
        await cache.put("/", res);
        const assets = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]);
        await cache.addAll(["/manifest.webmanifest", "/icon.svg", ...assets]);
      }
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      for (const key of await caches.keys()) if (key !== CACHE) await caches.delete(key);
      await self.clients.claim();
    })(),
  );
});

const apiLike = /^\/(v1|opds|feeds|openapi|docs|schemas|livez|readyz|metrics|\.well-known)(\/|$|\.)/;

self.addEventListener("fetch", (event) => {
  const req = event.request;
  const url = new URL(req.url);
  if (req.method !== "GET" || url.origin !== self.location.origin || apiLike.test(url.pathname)) return;
  if (url.pathname.startsWith("/assets/")) {
    // Hashed names never change content: cache first.
    event.respondWith(
      caches.match(req).then(
        (hit) =>
          hit ||
          fetch(req).then((res) => {
            if (res.ok) {
              const copy = res.clone();
              caches.open(CACHE).then((c) => c.put(req, copy));
            }
            return res;
          }),
      ),
    );
    return;
  }
  if (req.mode === "navigate") {
    // Pages: the network first (fresh shell after a deploy), the cache offline.
    event.respondWith(
      fetch(req).catch(() => caches.match("/").then((hit) => hit || Response.error())),
    );
  }
});

// Web Push from the notify target: a JSON payload {id, type, title, body,
// url}; the notification opens that page when it is on this origin (else a
// subject's page, else the inbox).
self.addEventListener("push", (event) => {
  let data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch {
    data = { title: event.data ? event.data.text() : "" };
  }
  const m = /^(media|author)\/([\w-]+)$/.exec(data.subject || "");
  let url = m ? (m[1] === "media" ? `/media/${m[2]}` : `/authors/${m[2]}`) : "/notifications";
  try {
    const u = new URL(data.url, self.location.origin);
    if (data.url && u.origin === self.location.origin) url = u.pathname + u.search;
  } catch {
    /* keep the default */
  }
  event.waitUntil(
    self.registration.showNotification(data.title || "Alexandria", { body: data.body || "", tag: data.id, icon: "/icon.svg", data: { url } }),
  );
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const url = (event.notification.data && event.notification.data.url) || "/notifications";
  event.waitUntil(
    (async () => {
      for (const c of await self.clients.matchAll({ type: "window", includeUncontrolled: true })) {
        if (new URL(c.url).origin === self.location.origin && "navigate" in c) {
          await c.focus();
          return c.navigate(url);
        }
      }
      return self.clients.openWindow(url);
    })(),
  );
});
