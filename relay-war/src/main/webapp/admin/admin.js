"use strict";
// The relay's monitoring console: polls /admin/api/stats every second, derives rates from the
// totals, keeps the last 5 minutes in memory and draws them on a canvas. No library, no network
// beyond this relay.
(function () {
  var WINDOW_SECONDS = 300;
  var REASON_CODES = { PROTOCOL_ERROR: 1002, UNSUPPORTED_DATA: 1003, INVALID_PAYLOAD: 1007, POLICY_VIOLATION: 1008,
    TOO_BIG: 1009, INTERNAL_ERROR: 1011, TAKEN_OVER: 4001, REGISTRATION_TIMEOUT: 4002, REGISTRATION_INVALID: 4003,
    IDLE_TIMEOUT: 4004, SLOW_CONSUMER: 4008, TOO_MANY_CONNECTIONS: 4013, RATE_LIMITED: 4029, OTHER_CLOSE: "",
    PEER_NOT_CONNECTED: "ERROR", DELIVERY_FAILED: "ERROR" };
  var history = []; // {t, fps, kbps, conns}
  var previous = null;
  var $ = function (id) { return document.getElementById(id); };

  function fmtInt(n) { return Math.round(n).toLocaleString("en-US"); }
  function fmtBytes(b) {
    var units = ["B", "KiB", "MiB", "GiB", "TiB"], i = 0;
    while (b >= 1024 && i < units.length - 1) { b /= 1024; i++; }
    return (i === 0 ? Math.round(b) : b.toFixed(b < 10 ? 2 : 1)) + "\u202f" + units[i];
  }
  function fmtRate(n) { return n === 0 ? "0" : n >= 10000 ? fmtInt(n) : n >= 100 ? Math.round(n).toString() : n.toFixed(1); }
  function fmtDuration(ms) {
    var s = Math.floor(ms / 1000), d = Math.floor(s / 86400), h = Math.floor(s % 86400 / 3600),
        m = Math.floor(s % 3600 / 60);
    return d > 0 ? d + "d " + h + "h" : h > 0 ? h + "h " + m + "m" : m + "m " + (s % 60) + "s";
  }
  function fmtMicros(us) { return us >= 1000 ? (us / 1000).toFixed(1) + " ms" : us + " µs"; }
  function cell(tr, text, cls) { var td = document.createElement("td"); td.textContent = text; if (cls) td.className = cls; tr.appendChild(td); return td; }

  function render(s) {
    var fps = 0, bps = 0;
    if (previous && s.time > previous.time) {
      var dt = (s.time - previous.time) / 1000;
      fps = Math.max(0, (s.framesRelayed - previous.framesRelayed) / dt);
      bps = Math.max(0, (s.bytesRelayed - previous.bytesRelayed) / dt);
    }
    previous = s;
    history.push({ t: s.time, fps: fps, kbps: bps / 1024, conns: s.connections });
    while (history.length && history[0].t < s.time - WINDOW_SECONDS * 1000) history.shift();

    $("connections").textContent = fmtInt(s.connections);
    $("sessions").textContent = fmtInt(s.sessions);
    $("fps").textContent = fmtRate(fps);
    $("frames").textContent = fmtInt(s.framesRelayed);
    $("bps").textContent = fmtBytes(bps) + "/s";
    $("bytes").textContent = fmtBytes(s.bytesRelayed);
    $("pending").textContent = fmtBytes(s.pendingBytes);
    $("latency").textContent = s.latencyMicros ? fmtMicros(s.latencyMicros.p50) + " / " + fmtMicros(s.latencyMicros.p99) : "–";
    $("heap").textContent = fmtBytes(s.heapUsed);
    $("heapmax").textContent = fmtBytes(s.heapMax);
    $("heapbar").style.width = Math.min(100, 100 * s.heapUsed / s.heapMax).toFixed(1) + "%";
    $("threads").textContent = fmtInt(s.threads);
    $("uptime").textContent = fmtDuration(s.uptimeMillis);

    var body = $("rejections").tBodies[0], total = 0, quiet = 0;
    body.textContent = "";
    Object.keys(s.rejections).sort(function (a, b) { return s.rejections[b] - s.rejections[a]; }).forEach(function (r) {
      var n = s.rejections[r]; total += n;
      if (n === 0) { quiet++; return; }
      var tr = document.createElement("tr");
      cell(tr, REASON_CODES[r], "code");
      cell(tr, r.toLowerCase().replace(/_/g, " "));
      cell(tr, fmtInt(n), "num").setAttribute("data-reason", r);
      body.appendChild(tr);
    });
    if (quiet > 0) {
      var tr0 = document.createElement("tr");
      cell(tr0, "", "code");
      cell(tr0, total === 0 ? "none of " + quiet + " reasons so far" : quiet + " other reasons", "empty");
      cell(tr0, "0", "num zero");
      body.appendChild(tr0);
    }
    $("rejtotal").textContent = fmtInt(total) + " in total";

    var pairs = $("pairs").tBodies[0];
    pairs.textContent = "";
    if (s.pairs.length === 0) {
      var tr = document.createElement("tr"); cell(tr, "no active pairs", "empty"); pairs.appendChild(tr);
    }
    s.pairs.forEach(function (p) {
      var tr = document.createElement("tr"), td = document.createElement("td");
      var a = document.createElement("span"); a.className = "id"; a.textContent = p[0];
      var arrow = document.createElement("span"); arrow.className = "arrow"; arrow.textContent = "⇄";
      var b = document.createElement("span"); b.className = "id"; b.textContent = p[1];
      td.appendChild(a); td.appendChild(arrow); td.appendChild(b); tr.appendChild(td); pairs.appendChild(tr);
    });
    $("paircount").textContent = s.pairs.length + (s.pairs.length >= 50 ? "+" : "");

    // Cluster mode: Redis up or down, members (instance IDs) and the traffic between instances.
    var c = s.cluster || { enabled: false, members: [] };
    $("clusterstate").textContent = c.enabled ? c.members.length + " member" + (c.members.length === 1 ? "" : "s")
        + ", Redis " + c.redis : "single instance (cluster mode off)";
    $("cforwarded").textContent = fmtInt(c.framesForwarded || 0);
    $("creceived").textContent = fmtInt(c.framesReceived || 0);
    $("cundeliverable").textContent = fmtInt(c.framesUndeliverable || 0);
    $("cdirectory").textContent = c.enabled ? fmtInt(c.directoryEntries) : "–";
    var members = $("members").tBodies[0];
    members.textContent = "";
    c.members.forEach(function (m) { var tr = document.createElement("tr"); cell(tr, m, "id"); members.appendChild(tr); });
    draw();
  }

  function niceMax(v) {
    if (v <= 0) return 1;
    var p = Math.pow(10, Math.floor(Math.log10(v))), m = v / p;
    return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
  }

  function draw() {
    var canvas = $("chart"), dpr = window.devicePixelRatio || 1;
    var w = canvas.clientWidth, h = canvas.clientHeight;
    if (canvas.width !== w * dpr) { canvas.width = w * dpr; canvas.height = h * dpr; }
    var g = canvas.getContext("2d");
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    g.clearRect(0, 0, w, h);
    var left = 56, right = 48, top = 10, bottom = 26, pw = w - left - right, ph = h - top - bottom;
    var now = history.length ? history[history.length - 1].t : Date.now();
    var maxRate = niceMax(Math.max.apply(null, history.map(function (p) { return Math.max(p.fps, p.kbps); }).concat([1])));
    var maxConns = niceMax(Math.max.apply(null, history.map(function (p) { return p.conns; }).concat([1])));
    g.font = "11px DejaVu Sans, sans-serif";
    g.strokeStyle = "#273042"; g.fillStyle = "#8b94a7"; g.lineWidth = 1;
    for (var i = 0; i <= 4; i++) {
      var y = top + ph - ph * i / 4;
      g.beginPath(); g.moveTo(left, y + .5); g.lineTo(left + pw, y + .5); g.stroke();
      g.textAlign = "right"; g.fillText(fmtRate(maxRate * i / 4), left - 8, y + 4);
      var c = maxConns * i / 4;
      g.textAlign = "left"; g.fillStyle = "#f0b95a"; g.fillText(c % 1 === 0 ? fmtInt(c) : c.toFixed(1), left + pw + 8, y + 4);
      g.fillStyle = "#8b94a7";
    }
    g.textAlign = "center";
    for (var m = 0; m <= 5; m++) {
      var x = left + pw - pw * m / 5;
      g.fillText(m === 0 ? "now" : "-" + m + " min", x, h - 8);
    }
    function line(key, max, color, fill) {
      if (history.length < 2) return;
      g.beginPath();
      history.forEach(function (p, idx) {
        var x = left + pw - pw * (now - p.t) / (WINDOW_SECONDS * 1000), y = top + ph - ph * Math.min(1, p[key] / max);
        if (idx === 0) g.moveTo(x, y); else g.lineTo(x, y);
      });
      g.strokeStyle = color; g.lineWidth = 2; g.lineJoin = "round"; g.stroke();
      if (fill) {
        var lastX = left + pw - pw * (now - history[history.length - 1].t) / (WINDOW_SECONDS * 1000);
        var firstX = left + pw - pw * (now - history[0].t) / (WINDOW_SECONDS * 1000);
        g.lineTo(lastX, top + ph); g.lineTo(firstX, top + ph); g.closePath();
        g.fillStyle = fill; g.fill();
      }
    }
    line("kbps", maxRate, "#46d39a", "rgba(70,211,154,0.08)");
    line("fps", maxRate, "#5ab0ff", "rgba(90,176,255,0.10)");
    line("conns", maxConns, "#f0b95a", null);
  }

  function poll() {
    fetch("api/stats", { credentials: "same-origin", cache: "no-store" }).then(function (r) {
      if (r.status === 401) { location.href = "login.html"; throw new Error("logged out"); }
      if (!r.ok) throw new Error("HTTP " + r.status);
      return r.json();
    }).then(function (s) {
      render(s);
      $("status").textContent = "live, updated " + new Date(s.time).toLocaleTimeString("en-GB");
      $("live").className = "dot";
    }).catch(function (e) {
      $("status").textContent = "no answer from the relay (" + e.message + ")";
      $("live").className = "dot stale";
    }).finally(function () { setTimeout(poll, 1000); });
  }
  // The session's anti-CSRF token, for the sign-out form (the relay refuses a POST without it).
  function loadCsrfToken() {
    fetch("api/session", { credentials: "same-origin", cache: "no-store" }).then(function (r) {
      if (!r.ok) throw new Error("HTTP " + r.status);
      return r.json();
    }).then(function (s) { $("csrf").value = s.csrf; }).catch(function () { setTimeout(loadCsrfToken, 1000); });
  }
  window.addEventListener("resize", draw);
  loadCsrfToken();
  poll();
})();
