// The capture page on a tablet with weak Wi-Fi. Without this script the page
// is a plain form. With it:
// - a draft of the form is kept in this browser while it is filled in, and
//   put back if the page is opened again before it is sent;
// - a saved observation goes first into this device's outbox (IndexedDB),
//   then to the server; if the server cannot be reached it waits and is sent
//   when the connection returns (Background Sync where the browser has it,
//   else on page load and on the `online` event);
// - a service worker keeps this page and its files for use offline.
// Signing out clears drafts, outbox and caches (Clear-Site-Data).
(function () {
  "use strict";
  var form = document.querySelector("form.capture[data-draft], form.capture[data-outbox]");
  if (!form) { return; }
  var status = document.getElementById("outbox");
  var outbox = window.CampusOutbox;
  var draftKey = "campus-visits:draft:" + form.getAttribute("action");
  var skip = { csrf_token: true, idempotency_key: true };
  var storage = window.localStorage;

  function notice(text) {
    var note = document.createElement("p");
    note.className = "notice";
    note.setAttribute("role", "status");
    note.tabIndex = -1;
    note.textContent = text;
    form.parentNode.insertBefore(note, form);
    return note;
  }

  // --- Drafts -------------------------------------------------------------
  if (storage && form.hasAttribute("data-draft")) {
    if (new URLSearchParams(window.location.search).has("saved")) {
      storage.removeItem(draftKey);
    }
    var saveDraft = function () {
      var data = {};
      new FormData(form).forEach(function (value, name) {
        if (!skip[name]) { data[name] = value; }
      });
      storage.setItem(draftKey, JSON.stringify(data));
    };
    var raw = storage.getItem(draftKey);
    if (raw) {
      try {
        var data = JSON.parse(raw);
        Object.keys(data).forEach(function (name) {
          form.querySelectorAll("[name='" + CSS.escape(name) + "']").forEach(function (field) {
            if (field.type === "radio" || field.type === "checkbox") {
              field.checked = field.value === data[name];
            } else {
              field.value = data[name];
            }
          });
        });
        notice("Your unsent draft was restored.");
      } catch (e) { /* an unreadable draft is ignored */ }
    }
    form.addEventListener("input", saveDraft);
    form.addEventListener("change", saveDraft);
  }

  // --- Outbox -------------------------------------------------------------
  var apiUrl = form.getAttribute("data-outbox");
  var user = Number(form.getAttribute("data-user"));
  if (!apiUrl || !outbox || !window.indexedDB || !window.crypto) { return; }
  var keyField = form.querySelector("input[name='idempotency_key']");

  // A page served from the offline cache carries an old key: each
  // observation gets a new one, made here.
  function freshKey() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    keyField.value = Array.from(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }
  freshKey();

  function entryFromForm() {
    var fields = new FormData(form);
    var text = function (name) { return String(fields.get(name) || ""); };
    var body = {
      setting: text("setting"),
      room: text("room"),
      grade_band: text("grade_band"),
      subject: text("subject"),
      started_at: text("started_at"),
      notes: text("notes"),
      rating: text("rating") ? Number(text("rating")) : null,
      ticks: {}
    };
    if (form.querySelector("[name='teacher']")) { body.teacher = text("teacher"); }
    form.querySelectorAll("[data-code]").forEach(function (group) {
      var checked = group.querySelector("input[type=radio]:checked");
      if (checked) { body.ticks[group.getAttribute("data-code")] = checked.value; }
    });
    return { key: keyField.value, user: user, url: apiUrl, body: body, recorded: new Date().toISOString() };
  }

  function show(summary) {
    var waiting = summary.entries.filter(function (e) { return !e.problem && e.user === user; });
    var refused = summary.entries.filter(function (e) { return e.problem && e.user === user; });
    status.textContent = "";
    status.hidden = waiting.length === 0 && refused.length === 0;
    if (waiting.length > 0) {
      var p = document.createElement("p");
      p.className = "waiting";
      p.setAttribute("data-waiting", String(waiting.length));
      p.textContent = waiting.length === 1
        ? "1 observation is saved on this device and waiting to be sent."
        : waiting.length + " observations are saved on this device and waiting to be sent.";
      status.appendChild(p);
      if (summary.signIn) {
        var again = document.createElement("p");
        again.append("Your session has ended. ");
        var link = document.createElement("a");
        link.href = "/sign-in?next=" + encodeURIComponent(window.location.pathname);
        link.textContent = "Sign in again to send them";
        again.append(link, ".");
        status.appendChild(again);
      } else if (summary.offline) {
        var later = document.createElement("p");
        later.textContent = "They will be sent when the connection returns.";
        status.appendChild(later);
      }
    }
    refused.forEach(function (entry) {
      var p = document.createElement("p");
      p.className = "error-message";
      p.textContent = "An observation from " + new Date(entry.recorded).toLocaleTimeString() +
        " was not accepted: " + entry.problem + " It is kept on this device.";
      status.appendChild(p);
    });
  }

  function flush() {
    return outbox.flush().then(function (summary) { show(summary); return summary; },
      function () { return null; });
  }

  function askForSync() {
    if (!navigator.serviceWorker) { return; }
    navigator.serviceWorker.ready.then(function (registration) {
      if (registration.sync) { return registration.sync.register("campus-visits-outbox"); }
    }).catch(function () { /* sent on the next load or `online` event */ });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var entry = entryFromForm();
    outbox.put(entry).then(flush).then(function (summary) {
      var stillHere = summary && summary.entries.some(function (e) { return e.key === entry.key; });
      if (!stillHere) {
        if (storage) { storage.removeItem(draftKey); }
        window.location.assign(window.location.pathname + "?saved=1");
        return;
      }
      var kept = summary.entries.filter(function (e) { return e.key === entry.key; })[0];
      if (kept.problem) {
        // Let the server show what to fix, beside each field.
        outbox.remove(entry.key).then(function () { form.submit(); });
        return;
      }
      if (storage) { storage.removeItem(draftKey); }
      form.reset();
      freshKey();
      askForSync();
      notice("Observation saved on this device. The form is ready for the next one.").focus();
      window.scrollTo(0, 0);
    }, function () {
      // No outbox on this device (private mode, storage full): send the form.
      form.submit();
    });
  });

  window.addEventListener("online", flush);
  flush();

  if (navigator.serviceWorker) {
    navigator.serviceWorker.register("/sw.js").catch(function () { /* the page still works online */ });
    navigator.serviceWorker.addEventListener("message", function (event) {
      if (event.data === "outbox-changed") { outbox.tally().then(show); }
    });
  }
})();
