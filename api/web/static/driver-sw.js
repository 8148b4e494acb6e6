// The service worker of the drivers' pages: it keeps the last copy of each driver's
// page and the static files it uses, and serves them when there is no signal, so that
// a run page opened or reloaded in a dead spot still shows the run and what is waiting
// to send. It always asks the network first. Signing in or out clears what it kept.
"use strict";
var CACHE = "scrapstore-driver";

self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (ev) { ev.waitUntil(self.clients.claim()); });

self.addEventListener("fetch", function (ev) {
  var req = ev.request;
  var url = new URL(req.url);
  if (url.origin !== self.location.origin) {
    return;
  }
  if (req.method === "POST" && (url.pathname === "/sign-out" || url.pathname === "/sign-in")) {
    ev.waitUntil(caches.delete(CACHE));
    return;
  }
  var page = url.pathname.indexOf("/driver/") === 0 && (req.headers.get("Accept") || "").indexOf("text/html") >= 0;
  if (req.method !== "GET" || !(page || url.pathname.indexOf("/static/") === 0)) {
    return;
  }
  ev.respondWith(fetch(req).then(function (res) {
    if (res.ok && !res.redirected) {
      var copy = res.clone();
      ev.waitUntil(caches.open(CACHE).then(function (c) { return c.put(req.url, copy); }));
    }
    return res;
  }, function (err) {
    return caches.open(CACHE).then(function (c) { return c.match(req.url); }).then(function (hit) {
      if (hit) {
        return hit;
      }
      throw err;
    });
  }));
});
