// The driver's run page without a signal. Each action on the page (start, a stop done
// or missed, finish) is kept on the phone first, with its own Idempotency-Key, and sent
// from there; one that cannot be sent now stays, marked "waiting to send", and is sent
// when the signal returns, in the order it was made. The server keeps the first answer
// to each key, so sending one again never does it twice. Without this script each form
// posts as usual.
(function () {
  "use strict";
  var STORE = "scrapstore.driver.queue";
  var RETRY_MS = 5000;
  var memory = []; // used when the browser keeps no storage
  var sending = false;
  var notes = []; // what to tell the driver after sending

  function load() {
    try {
      return JSON.parse(window.localStorage.getItem(STORE) || "[]");
    } catch (e) {
      return memory;
    }
  }

  function save(queue) {
    memory = queue;
    try {
      window.localStorage.setItem(STORE, JSON.stringify(queue));
    } catch (e) {
      // Kept in memory only: still sent while the page stays open.
    }
  }

  function newKey() {
    if (window.crypto && window.crypto.randomUUID) {
      return window.crypto.randomUUID();
    }
    var b = new Uint8Array(16);
    window.crypto.getRandomValues(b);
    return Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
  }

  function panel() { return document.getElementById("queue"); }

  function user() {
    var p = panel();
    return p ? p.getAttribute("data-user") : "";
  }

  function mine() {
    var u = user();
    return load().filter(function (it) { return it.user === u; });
  }

  function csrf() {
    var f = document.querySelector('input[name="csrf"]');
    return f ? f.value : "";
  }

  // show marks each part of the page with an action still to send and says how many
  // are waiting.
  function show() {
    var p = panel();
    if (!p) {
      return;
    }
    Array.prototype.forEach.call(document.querySelectorAll(".waiting-note"), function (n) { n.remove(); });
    Array.prototype.forEach.call(document.querySelectorAll(".waiting"), function (n) { n.classList.remove("waiting"); });
    var queue = mine();
    queue.forEach(function (it) {
      var el = document.getElementById(it.mark);
      if (!el) {
        return;
      }
      el.classList.add("waiting");
      var note = document.createElement("p");
      note.className = "waiting-note";
      note.textContent = "Waiting to send: " + it.what + ". Kept on this phone; it is sent when the signal returns.";
      el.insertBefore(note, el.children[1] || null);
    });
    p.textContent = "";
    if (queue.length > 0) {
      var line = document.createElement("p");
      line.className = "waiting-count";
      line.textContent = queue.length + (queue.length === 1 ? " action" : " actions") + " waiting to send. " +
        (navigator.onLine ? "Sending…" : "No signal: kept on this phone until it returns.");
      p.appendChild(line);
    }
    notes.forEach(function (n) {
      var line = document.createElement("p");
      line.className = n.ok ? "sent" : "error";
      line.textContent = n.text;
      p.appendChild(line);
    });
  }

  function drop(key) {
    save(load().filter(function (it) { return it.key !== key; }));
  }

  // problemText is what a refusal says, from its problem+json.
  function problemText(res) {
    return res.json().then(function (p) {
      var errs = (p.errors || []).map(function (e) {
        // A message that starts in lower case goes after its field's name, as on the page.
        var field = e.field.replace(/^[a-z0-9]+-/, "").replace(/_/g, " ");
        return /^[a-z]/.test(e.message) ? field + " " + e.message : e.message;
      });
      return errs.length ? errs.join("; ") : (p.detail || "refused");
    }, function () { return "refused (" + res.status + ")"; });
  }

  // send sends one kept action; it resolves true when the server has answered for good
  // (done or refused), false when it should be tried again later.
  function send(it) {
    return fetch(it.url, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/x-www-form-urlencoded",
        "Accept": "application/json",
        "Idempotency-Key": it.key,
        "X-CSRF-Token": csrf()
      },
      body: it.body
    }).then(function (res) {
      var json = (res.headers.get("Content-Type") || "").indexOf("json") >= 0;
      // A cut-short request's key is kept only when its work was done.
      var done = res.ok || (res.status === 499 && res.headers.get("Idempotent-Replayed") === "true");
      if (done && json) {
        drop(it.key);
        notes.push({ ok: true, text: "Sent: " + it.what + "." });
        return true;
      }
      // 499: the server saw the connection drop before it answered.
      var later = res.status >= 500 || res.status === 499 || res.status === 429 || (res.status === 409 && res.headers.get("Retry-After"));
      if (!json || later) {
        if (res.redirected) {
          notes.push({ ok: false, text: "Sign in again to send what is waiting; it stays on this phone." });
        }
        return false;
      }
      return problemText(res).then(function (text) {
        drop(it.key);
        notes.push({ ok: false, text: "Not done: " + it.what + ": " + text });
        return true;
      });
    }, function () { return false; });
  }

  // typing is what the driver is in the middle of on the page: the fields' values, the
  // sections open and the field with the focus, so that drawing the page again keeps it.
  function typing() {
    var main = document.querySelector("main");
    var t = { values: {}, open: [], focus: document.activeElement ? document.activeElement.id : "" };
    Array.prototype.forEach.call(main.querySelectorAll("input[id], textarea[id], select[id]"), function (f) {
      t.values[f.id] = f.type === "checkbox" ? f.checked : f.value;
    });
    Array.prototype.forEach.call(main.querySelectorAll("details"), function (d, i) {
      var f = d.querySelector("form");
      if (d.open) {
        t.open.push(f ? f.getAttribute("action") : i);
      }
    });
    return t;
  }

  function restore(t) {
    Object.keys(t.values).forEach(function (id) {
      var f = document.getElementById(id);
      if (f && f.type === "checkbox") {
        f.checked = t.values[id];
      } else if (f) {
        f.value = t.values[id];
      }
    });
    Array.prototype.forEach.call(document.querySelectorAll("main details"), function (d, i) {
      var f = d.querySelector("form");
      var action = f ? f.getAttribute("action") : i;
      if (t.open.indexOf(action) >= 0) {
        d.open = true; // what the driver opened stays open; the next stop opens too
      }
    });
    var focused = t.focus && document.getElementById(t.focus);
    if (focused) {
      focused.focus();
    }
  }

  // refresh draws the page again from the server, keeping it as it is when that fails.
  function refresh() {
    return fetch(window.location.pathname, { credentials: "same-origin", headers: { "Accept": "text/html" } }).then(function (res) {
      if (!res.ok) {
        return;
      }
      return res.text().then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var main = doc.querySelector("main");
        if (main && doc.getElementById("queue")) {
          var typed = typing();
          document.querySelector("main").innerHTML = main.innerHTML;
          restore(typed);
        }
      });
    }, function () {}).then(show);
  }

  // flush sends what is waiting, in order, stopping at the first that cannot be sent.
  function flush() {
    if (sending) {
      return;
    }
    var queue = mine();
    if (queue.length === 0 || !navigator.onLine) {
      show(); // a phone that knows it has no signal waits for the "online" event
      return;
    }
    sending = true;
    notes = [];
    show();
    var answered = 0;
    var next = function (i) {
      if (i >= queue.length) {
        return Promise.resolve();
      }
      return send(queue[i]).then(function (done) {
        if (done) {
          answered++;
          return next(i + 1);
        }
      });
    };
    next(0).then(function () {
      sending = false;
      return answered > 0 ? refresh() : show();
    });
  }

  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    if (!form.classList || !form.classList.contains("queued") || !panel()) {
      return;
    }
    ev.preventDefault();
    var body = new URLSearchParams(new FormData(form));
    body.delete("csrf");
    var queue = load();
    queue.push({
      key: newKey(), user: user(), url: new URL(form.action).pathname, body: body.toString(),
      mark: form.getAttribute("data-mark"), what: form.getAttribute("data-what")
    });
    save(queue);
    form.hidden = true;
    notes = [];
    show();
    flush();
  });

  // keepForOffline has the service worker serve this page when there is no signal, and
  // keeps the page and its files now, while there is one.
  function keepForOffline() {
    if (!("serviceWorker" in navigator) || !window.caches || !navigator.onLine) {
      return;
    }
    navigator.serviceWorker.register("/driver/sw.js", { scope: "/" }).catch(function () {});
    // Once the worker looks after the page it keeps each copy it fetches itself.
    var files = navigator.serviceWorker.controller ? [] : [window.location.pathname];
    Array.prototype.forEach.call(document.querySelectorAll('link[rel="stylesheet"], script[src]'), function (el) {
      files.push(new URL(el.href || el.src).pathname);
    });
    window.caches.open("scrapstore-driver").then(function (c) { return c.addAll(files); }).catch(function () {});
  }

  window.addEventListener("online", flush);
  window.addEventListener("offline", show);
  window.setInterval(flush, RETRY_MS);
  show();
  keepForOffline();
  flush();
}());
