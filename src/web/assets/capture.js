// Keeps a draft of the capture form in this browser while it is being
// filled in, and puts it back if the page is opened again before the form is
// sent (a tablet that slept, a tap on the wrong link). The form works
// without this script; signing out clears the drafts (Clear-Site-Data).
(function () {
  "use strict";
  var form = document.querySelector("form.capture[data-draft]");
  if (!form || !window.localStorage) { return; }
  var key = "campus-visits:draft:" + form.getAttribute("action");
  if (new URLSearchParams(window.location.search).has("saved")) {
    window.localStorage.removeItem(key);
  }
  var skip = { csrf_token: true, idempotency_key: true };

  function save() {
    var data = {};
    new FormData(form).forEach(function (value, name) {
      if (!skip[name]) { data[name] = value; }
    });
    window.localStorage.setItem(key, JSON.stringify(data));
  }

  function restore() {
    var raw = window.localStorage.getItem(key);
    if (!raw) { return; }
    var data;
    try { data = JSON.parse(raw); } catch (e) { return; }
    Object.keys(data).forEach(function (name) {
      var fields = form.querySelectorAll("[name='" + CSS.escape(name) + "']");
      fields.forEach(function (field) {
        if (field.type === "radio" || field.type === "checkbox") {
          field.checked = field.value === data[name];
        } else {
          field.value = data[name];
        }
      });
    });
    var note = document.createElement("p");
    note.className = "notice";
    note.setAttribute("role", "status");
    note.textContent = "Your unsent draft was restored.";
    form.parentNode.insertBefore(note, form);
  }

  restore();
  form.addEventListener("input", save);
  form.addEventListener("change", save);
})();
