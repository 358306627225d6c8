/* Apiary service worker: keeps the app shell, never a page or an API answer.
 *
 * Served at /sw.js (scope "/") with the shell's version and its URLs filled in. Pages hold
 * someone's data, so they always come from the network; when there is none, a navigation gets
 * the offline page. Only the shell's own URLs are answered from the cache.
 */
"use strict";

const VERSION = "__SHELL_VERSION__";
const CACHE = "apiary-shell-" + VERSION;
const SHELL = "__SHELL_URLS__";
const OFFLINE = "/offline";

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(CACHE)
      .then((cache) => cache.addAll(SHELL.map((url) => new Request(url, {cache: "reload",
                                                                         credentials: "omit"}))))
      .then(() => self.skipWaiting())
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(names
        .filter((name) => name.startsWith("apiary-shell-") && name !== CACHE)
        .map((name) => caches.delete(name))))
      .then(() => self.clients.claim())
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") {
    return;
  }
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) {
    return;
  }
  if (request.mode === "navigate") {
    // Network only for pages: nothing a page shows is ever stored here.
    event.respondWith(fetch(request).catch(() => caches.open(CACHE)
      .then((cache) => cache.match(OFFLINE))
      .then((page) => page || new Response("You are offline. Reconnect and reload.",
                                           {status: 503, headers: {"Content-Type": "text/plain"}}))));
    return;
  }
  if (SHELL.includes(url.pathname) && url.search === "") {
    event.respondWith(caches.open(CACHE)
      .then((cache) => cache.match(request))
      .then((hit) => hit || fetch(request)));
  }
  // Everything else (API answers, other files) goes to the network untouched and uncached.
});
