// The outbox of observations recorded on this device and not yet accepted by
// the server. Shared by the capture page and the service worker (Background
// Sync), so both send the same way. Each entry keeps the submission key made
// on the device: sending it twice stores it once.
(function (scope) {
  "use strict";
  var DB_NAME = "campus-visits";
  var STORE = "outbox";
  var LOCK = "campus-visits-outbox";

  function open() {
    return new Promise(function (resolve, reject) {
      var request = scope.indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = function () {
        request.result.createObjectStore(STORE, { keyPath: "key" });
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  function transact(mode, work) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(STORE, mode);
        var result = work(tx.objectStore(STORE));
        tx.oncomplete = function () {
          db.close();
          resolve(result && "result" in result ? result.result : undefined);
        };
        tx.onerror = function () { db.close(); reject(tx.error); };
        tx.onabort = function () { db.close(); reject(tx.error); };
      });
    });
  }

  function put(entry) {
    return transact("readwrite", function (store) { return store.put(entry); });
  }

  function all() {
    return transact("readonly", function (store) { return store.getAll(); });
  }

  function remove(key) {
    return transact("readwrite", function (store) { return store.delete(key); });
  }

  // Who is signed in here, and the session's CSRF token; null when nobody
  // is (the session ended), undefined when the server cannot be reached.
  function session() {
    return fetch("/api/v1/session", {
      credentials: "same-origin",
      cache: "no-store",
      headers: { Accept: "application/json" }
    }).then(function (response) {
      if (response.status === 401) { return null; }
      if (!response.ok) { return undefined; }
      return response.json();
    }, function () { return undefined; });
  }

  function sendOne(entry, csrf) {
    return fetch(entry.url, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        Accept: "application/json",
        "Idempotency-Key": entry.key,
        "X-CSRF-Token": csrf
      },
      body: JSON.stringify(entry.body)
    }).then(function (response) {
      if (response.ok) {
        return remove(entry.key).then(function () { return "sent"; });
      }
      if (response.status === 401 || response.status === 403) { return "sign-in"; }
      if (response.status === 400 || response.status === 404 || response.status === 422) {
        // The server will never take it as it is: keep it, with the reason,
        // for the author to see; never drop what someone recorded.
        return response.json().then(function (body) {
          entry.problem = (body && body.error && body.error.message) || "The server refused it.";
          return put(entry).then(function () { return "refused"; });
        }, function () { return "refused"; });
      }
      return "later";
    }, function () { return "later"; });
  }

  // Sends every waiting entry of the signed-in user. Resolves with a summary:
  // { sent, waiting, refused, signIn, offline }.
  function flushNow() {
    var summary = { sent: 0, waiting: 0, refused: 0, signIn: false, offline: false };
    return all().then(function (entries) {
      var mine = entries.filter(function (e) { return !e.problem; });
      if (mine.length === 0) { return tally(summary); }
      return session().then(function (who) {
        if (who === undefined) { summary.offline = true; return tally(summary); }
        if (who === null || !who.csrf_token) { summary.signIn = true; return tally(summary); }
        var queue = mine.filter(function (e) { return e.user === who.id; });
        return queue.reduce(function (chain, entry) {
          return chain.then(function (stop) {
            if (stop) { return stop; }
            return sendOne(entry, who.csrf_token).then(function (outcome) {
              if (outcome === "sent") { summary.sent += 1; return null; }
              if (outcome === "refused") { return null; }
              if (outcome === "sign-in") { summary.signIn = true; }
              else { summary.offline = true; }
              return outcome;
            });
          });
        }, Promise.resolve(null)).then(function () { return tally(summary); });
      });
    });
  }

  function tally(summary) {
    return all().then(function (entries) {
      summary.waiting = entries.filter(function (e) { return !e.problem; }).length;
      summary.refused = entries.filter(function (e) { return e.problem; }).length;
      summary.entries = entries;
      return summary;
    });
  }

  // One flush at a time across the page and the service worker.
  function flush() {
    if (scope.navigator.locks) {
      return scope.navigator.locks.request(LOCK, flushNow);
    }
    return flushNow();
  }

  scope.CampusOutbox = { put: put, all: all, remove: remove, flush: flush, tally: function () { return tally({}); } };
})(self);
