/* PPAOS volunteers' app: service worker, served by views_pwa.service_worker at
   /targeting/sw.js, which puts `PPAOS` (version, app shell, scope, offline page) before this.

   - The app shell (CSS, JS, icons) is kept in the shell cache.
   - Pages of the volunteer's work (worklist, visit forms, new household) and the worklist
     data are kept in the pages cache when fetched, network first: online the phone always
     shows the server's current page; offline, the copy kept. pwa.js fills this cache from
     the worklist data and empties every cache on sign-out (the server also sends
     Clear-Site-Data then).
   - Nothing is ever sent from here: forms filled offline are queued by pwa.js in IndexedDB. */
"use strict";

const SHELL_CACHE = "ppaos-shell-" + PPAOS.version;
const PAGES_CACHE = "ppaos-pages";
const KEEP = [SHELL_CACHE, PAGES_CACHE];
// Pages kept for offline use: the targeting pages a volunteer works in.
const PAGE_PATTERNS = [
  /\/targeting\/$/,
  /\/targeting\/offline\/$/,
  /\/targeting\/campaigns\/\d+\/worklist\/$/,
  /\/targeting\/campaigns\/\d+\/worklist\.json$/,
  /\/targeting\/campaigns\/\d+\/households\/new\/$/,
  /\/targeting\/campaigns\/\d+\/households\/\d+\/visit\/$/,
];

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(SHELL_CACHE)
      .then((cache) => cache.addAll(PPAOS.shell))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => !KEEP.includes(k)).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

function keptPage(url) {
  return PAGE_PATTERNS.some((pattern) => pattern.test(url.pathname));
}

async function cacheFirst(request) {
  const kept = await caches.match(request);
  if (kept) return kept;
  const response = await fetch(request);
  if (response.ok) {
    const cache = await caches.open(SHELL_CACHE);
    cache.put(request, response.clone());
  }
  return response;
}

async function networkFirst(request, url) {
  try {
    const response = await fetch(request);
    // A redirect (to the login page, say) or an error page is never kept.
    if (response.ok && !response.redirected && !url.search && keptPage(url)) {
      const cache = await caches.open(PAGES_CACHE);
      cache.put(url.pathname, response.clone());
    }
    return response;
  } catch (error) {
    const cache = await caches.open(PAGES_CACHE);
    const kept = await cache.match(url.pathname);
    if (kept) return kept;
    if (request.mode === "navigate") {
      const offline = await caches.match(PPAOS.offline); // kept with the worklist
      if (offline) return offline;
    }
    throw error;
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.startsWith(PPAOS.static)) {
    event.respondWith(cacheFirst(request));
    return;
  }
  // htmx swaps part of a page: always from the network.
  if (request.headers.get("HX-Request")) return;
  if (request.mode === "navigate" || keptPage(url)) {
    event.respondWith(networkFirst(request, url));
  }
});
