// The tag box: its text is selected when it has the focus, so that the next scan or
// typed tag replaces a tag that was not found instead of adding to it.
(function () {
  "use strict";
  function select(e) { if (e.target.matches && e.target.matches("input[data-select]")) { e.target.select(); } }
  document.addEventListener("focusin", select);
  var box = document.querySelector("input[data-select]");
  if (box && document.activeElement === box) { box.select(); }
})();
