// The service worker: keeps capture pages and their files for use offline,
// and sends the outbox by Background Sync. The server fills in the names of
// the current files; a new release changes them, which updates this worker.
"use strict";
var CACHE = "campus-visits-__VERSION__";
var FILES = __FILES__;
importScripts(__OUTBOX__);

var CAPTURE_PAGE = /^\/visits\/\d+\/observe$/;

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) { return cache.addAll(FILES); })
    .then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) {
      return name.indexOf("campus-visits-") === 0 && name !== CACHE;
    }).map(function (name) { return caches.delete(name); }));
  }).then(function () { return self.clients.claim(); }));
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") { return; }
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (url.pathname.indexOf("/static/") === 0) {
    event.respondWith(caches.match(request).then(function (hit) { return hit || fetch(request); }));
    return;
  }
  if (request.mode === "navigate" && CAPTURE_PAGE.test(url.pathname)) {
    // The network first, so a page online is always current; the last copy
    // of this visit's capture page when the network does not answer.
    var key = url.origin + url.pathname;
    event.respondWith(fetch(request).then(function (response) {
      if (response.ok && !response.redirected) {
        var copy = response.clone();
        caches.open(CACHE).then(function (cache) { return cache.put(key, copy); });
      }
      return response;
    }, function () {
      return caches.match(key).then(function (hit) {
        return hit || new Response(
          "<!doctype html><html lang=en><meta charset=utf-8><title>Offline</title>" +
          "<p>This page has not been opened on this device yet, and the network does not answer. " +
          "Open it once while online to use it offline.</p>",
          { status: 503, headers: { "Content-Type": "text/html; charset=utf-8" } });
      });
    }));
  }
});

function tellPages() {
  return self.clients.matchAll({ type: "window" }).then(function (pages) {
    pages.forEach(function (page) { page.postMessage("outbox-changed"); });
  });
}

self.addEventListener("sync", function (event) {
  if (event.tag !== "campus-visits-outbox") { return; }
  event.waitUntil(self.CampusOutbox.flush().then(function (summary) {
    return tellPages().then(function () {
      // Ask to be woken again while something is still waiting.
      if (summary.offline) { throw new Error("the server did not answer"); }
    });
  }));
});
