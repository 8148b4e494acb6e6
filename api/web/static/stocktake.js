// The counting sheet: Enter moves to the next line (the change saves the line through
// htmx), and a line that could not be saved is marked and sent again when the
// connection is back, so that nothing typed is lost.
(function () {
  "use strict";
  var sheet = document.querySelector("ol.sheet");
  if (!sheet) {
    return;
  }
  sheet.addEventListener("keydown", function (e) {
    if (e.key !== "Enter" || !e.target.matches("input[name=counted]")) {
      return;
    }
    e.preventDefault();
    var line = e.target.closest("li");
    var next = line && line.nextElementSibling && line.nextElementSibling.querySelector("input[name=counted]");
    if (next) {
      next.focus();
      next.select();
    } else {
      e.target.blur();
    }
  });
  // Enter has moved on: it must not also submit the line it lands on.
  sheet.addEventListener("keypress", function (e) {
    if (e.key === "Enter" && e.target.matches("input[name=counted]")) {
      e.preventDefault();
    }
  });
  // An empty line is not sent (tapping Save on it does nothing).
  sheet.addEventListener("submit", function (e) {
    var input = e.target.querySelector("input[name=counted]");
    if (input && input.value.trim() === "") {
      e.preventDefault();
      e.stopPropagation();
    }
  }, true);
  function formOf(e) {
    return e.detail.elt && e.detail.elt.closest && e.detail.elt.closest("form.count");
  }
  // No answer, or the server failing: keep the line to send again.
  function unsaved(form) {
    form.classList.add("unsaved");
    form.querySelector(".line-status").textContent = "Not saved yet: no connection. It is sent again when the connection is back.";
  }
  document.body.addEventListener("htmx:sendError", function (e) {
    var form = formOf(e);
    if (form) {
      unsaved(form);
    }
  });
  // An answer that refuses the count (the stocktake was closed meanwhile): say so.
  document.body.addEventListener("htmx:responseError", function (e) {
    var form = formOf(e);
    if (!form) {
      return;
    }
    if (e.detail.xhr && e.detail.xhr.status >= 500) {
      unsaved(form);
      return;
    }
    form.classList.add("refused");
    form.querySelector(".line-status").textContent = "Not saved: the store refused this count. Reload the page to see why.";
  });
  function retry() {
    sheet.querySelectorAll("form.count.unsaved").forEach(function (form) {
      form.classList.remove("unsaved");
      window.htmx.trigger(form, "change");
    });
  }
  window.addEventListener("online", retry);
  window.setInterval(function () {
    if (navigator.onLine !== false) {
      retry();
    }
  }, 10000);
})();
