// The donation entry form, for the keyboard: Enter starts the next line (with the last
// line's location), Ctrl+Enter saves, and each line shows its weight estimated from
// the unit until a weighed figure is typed. The form works without it.
(function () {
  "use strict";
  var form = document.querySelector("form.donation");
  if (!form) return;
  var data = JSON.parse(form.dataset.weights);
  var lines = form.querySelector(".lines");
  var remembered = "scrapstore.donation.location";

  function field(line, name) { return line.querySelector("[name$='." + name + "']"); }

  function estimate(line) {
    var out = line.querySelector(".estimate");
    var weighed = parseFloat(field(line, "weight_kg").value);
    if (weighed > 0) { out.textContent = "Weighed: " + round(weighed) + " kg"; return; }
    var cat = field(line, "category_id").value.trim().toLowerCase();
    var units = data.units[cat];
    var unit = field(line, "unit").value.trim() || data.defaults[cat];
    var qty = parseFloat(field(line, "quantity").value);
    if (units && units[unit] && qty > 0) {
      out.textContent = "About " + round(qty * units[unit]) + " kg, estimated";
    } else {
      out.textContent = "";
    }
  }

  function round(kg) { return Math.round(kg * 10) / 10; }

  // addLine copies the last line, empty but for its location, numbered next.
  function addLine() {
    var all = lines.querySelectorAll(".line");
    var last = all[all.length - 1];
    var line = last.cloneNode(true);
    var n = all.length;
    line.querySelector("legend").textContent = "Line " + (n + 1);
    line.querySelectorAll(".error").forEach(function (e) { e.remove(); });
    line.querySelectorAll(".has-error").forEach(function (e) { e.classList.remove("has-error"); });
    line.querySelectorAll("[name]").forEach(function (el) {
      var name = el.name.replace(/^lines\[\d+\]/, "lines[" + n + "]");
      var label = line.querySelector("label[for='" + el.id + "']");
      el.name = name;
      el.id = "f-" + name;
      if (label) label.htmlFor = el.id;
      el.removeAttribute("aria-invalid");
      el.removeAttribute("aria-describedby");
      if (el.tagName !== "SELECT") el.value = "";
    });
    field(line, "location_id").value = field(last, "location_id").value;
    line.querySelector(".estimate").textContent = "";
    lines.appendChild(line);
    return line;
  }

  var first = lines.querySelector(".line");
  var firstLocation = field(first, "location_id");
  if (!firstLocation.value && window.localStorage) {
    firstLocation.value = localStorage.getItem(remembered) || "";
  }
  lines.querySelectorAll(".line").forEach(estimate);

  form.addEventListener("input", function (e) {
    var line = e.target.closest(".line");
    if (line) estimate(line);
  });
  form.addEventListener("change", function (e) {
    if (e.target.name && /\.location_id$/.test(e.target.name) && window.localStorage) {
      localStorage.setItem(remembered, e.target.value);
    }
  });
  function ownEnter(e) {
    return e.key === "Enter" && ["INPUT", "SELECT"].indexOf(e.target.tagName) >= 0;
  }
  // Enter in a field is ours, not the browser's "send the form" (some keyboards and
  // scanners send a keypress even when its keydown was taken).
  form.addEventListener("keypress", function (e) {
    if (ownEnter(e)) e.preventDefault();
  });
  form.addEventListener("keydown", function (e) {
    if (!ownEnter(e)) return;
    e.preventDefault();
    if (e.ctrlKey || e.metaKey) {
      form.requestSubmit(form.querySelector("button.save"));
      return;
    }
    var line = e.target.closest(".line");
    var next = line ? line.nextElementSibling : first;
    if (!next) next = addLine();
    field(next, "category_id").focus();
  });
})();
