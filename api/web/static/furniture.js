// The tag box: its text is selected when it has the focus, so that the next scan or
// typed tag replaces a tag that was not found instead of adding to it.
// Photo fields: too many photos, or one too big, are said before the form is sent, as
// the server would refuse the whole form.
(function () {
  "use strict";
  function select(e) { if (e.target.matches && e.target.matches("input[data-select]")) { e.target.select(); } }
  document.addEventListener("focusin", select);
  var box = document.querySelector("input[data-select]");
  if (box && document.activeElement === box) { box.select(); }

  function photoProblem(input) {
    var max = Number(input.dataset.maxFiles), maxBytes = Number(input.dataset.maxBytes);
    if (input.files.length > max) { return "Choose at most " + max + " photos at a time."; }
    for (var i = 0; i < input.files.length; i++) {
      if (input.files[i].size > maxBytes) { return input.files[i].name + " is larger than " + (maxBytes >> 20) + " MB: choose a smaller photo."; }
    }
    return "";
  }
  document.addEventListener("submit", function (e) {
    var input = e.target.querySelector("input[type=file][data-max-files]");
    if (!input) { return; }
    var msg = photoProblem(input), id = input.id + "-check", p = document.getElementById(id);
    if (!msg) { return; }
    e.preventDefault();
    if (!p) {
      p = document.createElement("p");
      p.className = "error";
      p.id = id;
      p.setAttribute("role", "alert");
      input.parentNode.insertBefore(p, input);
      input.setAttribute("aria-describedby", id);
    }
    p.textContent = msg;
    input.setAttribute("aria-invalid", "true");
    input.focus();
  });
})();
