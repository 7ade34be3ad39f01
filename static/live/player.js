/* Recorded-session player: speeds 0.5×–2× (remembered in localStorage and on the server),
   resume at the last position, and reports of what was really played.

   Played intervals come from contiguous `timeupdate` steps only: a seek (or any jump larger
   than the elapsed time allows at the current speed) closes the interval and starts a new one,
   so skipping ahead never counts. The server checks the same again. Reports go out every
   10 s, on pause and end, and with navigator.sendBeacon when the page is hidden; each is a
   form carrying the CSRF token, so Django accepts the beacon too. */
(function () {
  "use strict";
  var box = document.getElementById("recording-player");
  if (!box) { return; }
  var video = box.querySelector("video");
  var tracked = box.dataset.track === "1";
  var buttons = Array.prototype.slice.call(box.querySelectorAll("button[data-speed]"));
  var speeds = buttons.map(function (b) { return Number(b.dataset.speed); });
  var REPORT_MS = 10000;
  var MAX_PENDING = 40;

  var pending = [];      // closed intervals not yet accepted by the server
  var segment = null;    // [start, end] of the playback in progress
  var lastTime = null;   // media time of the previous timeupdate
  var lastWall = null;   // wall clock (ms) of the previous timeupdate
  var sending = false;
  var lastSent = null;   // "position|speed" of the last report, to skip empty repeats

  // --- speed -------------------------------------------------------------------------
  function storedSpeed() {
    try { return Number(window.localStorage.getItem(box.dataset.speedKey)); } catch (e) { return 0; }
  }
  function rememberSpeed(speed) {
    try { window.localStorage.setItem(box.dataset.speedKey, String(speed)); } catch (e) { /* private mode */ }
  }
  function showSpeed(speed) {
    buttons.forEach(function (b) {
      var on = Number(b.dataset.speed) === speed;
      b.classList.toggle("active", on);
      b.setAttribute("aria-pressed", on ? "true" : "false");
    });
  }
  function setSpeed(speed) {
    video.defaultPlaybackRate = speed;
    video.playbackRate = speed;
    showSpeed(speed);
  }
  var initial = Number(box.dataset.speed);
  if (speeds.indexOf(initial) < 0) { initial = storedSpeed(); }
  if (speeds.indexOf(initial) < 0) { initial = 1; }
  setSpeed(initial);
  rememberSpeed(initial);
  buttons.forEach(function (b) {
    b.addEventListener("click", function () {
      var speed = Number(b.dataset.speed);
      setSpeed(speed);
      rememberSpeed(speed);
    });
  });
  video.addEventListener("ratechange", function () {
    if (speeds.indexOf(video.playbackRate) >= 0) {
      showSpeed(video.playbackRate);
      rememberSpeed(video.playbackRate);
    }
  });

  // --- a source that fails -----------------------------------------------------------
  // A <source> that cannot be fetched or decoded fires "error" on itself, not on the video
  // (which then just waits, spinning): both say so in words instead.
  var failed = false;
  function showLoadError() {
    if (failed) { return; }
    failed = true;
    var message = document.getElementById("player-error");
    if (message) {
      message.textContent = box.dataset.msgLoadFailed;
      message.classList.remove("d-none");
    }
    video.classList.add("d-none");
  }
  video.addEventListener("error", showLoadError);
  var source = document.createElement("source");
  source.addEventListener("error", showLoadError);
  source.src = video.dataset.src;
  if (video.dataset.type) { source.type = video.dataset.type; }

  // --- resume ------------------------------------------------------------------------
  video.addEventListener("loadedmetadata", function () {
    video.playbackRate = video.defaultPlaybackRate;
    var position = Number(box.dataset.position) || 0;
    if (position > 0 && (!isFinite(video.duration) || position < video.duration - 0.5)) {
      video.currentTime = position;
    }
  }, {once: true});
  video.appendChild(source);  // starts loading, with every listener in place

  if (!tracked) { return; }

  // --- played intervals ----------------------------------------------------------------
  function closeSegment() {
    if (segment && segment[1] - segment[0] > 0.05) {
      pending.push([segment[0], segment[1]]);
    }
    segment = null;
    if (pending.length > MAX_PENDING) {
      pending.sort(function (a, b) { return a[0] - b[0]; });
      var merged = [pending[0]];
      for (var i = 1; i < pending.length; i++) {
        var top = merged[merged.length - 1];
        if (pending[i][0] <= top[1]) { top[1] = Math.max(top[1], pending[i][1]); } else { merged.push(pending[i]); }
      }
      pending = merged.slice(-MAX_PENDING);
    }
  }

  // Extends the open interval to the current time when that is contiguous playback (no more
  // media time than the wall clock allows at this speed); otherwise starts a new one.
  function step() {
    var now = performance.now();
    var time = video.currentTime;
    var contiguous = false;
    if (segment && lastTime !== null && time >= lastTime) {
      var allowed = ((now - lastWall) / 1000) * video.playbackRate * 1.5 + 0.3;
      contiguous = time - lastTime <= allowed;
    }
    if (contiguous) {
      segment[1] = time;
    } else {
      closeSegment();
      segment = [time, time];
    }
    lastTime = time;
    lastWall = now;
  }
  function startSegment() {
    closeSegment();
    lastTime = video.currentTime;
    lastWall = performance.now();
    segment = [lastTime, lastTime];
  }
  function stopSegment() {
    if (segment && !video.seeking) { step(); }
    closeSegment();
    lastTime = null;
  }

  video.addEventListener("playing", startSegment);
  video.addEventListener("timeupdate", function () {
    if (!video.paused && !video.seeking) { step(); }
  });
  video.addEventListener("seeking", function () { closeSegment(); lastTime = null; });

  // The intervals to send now; playback in progress is split at the current time.
  function takeBatch() {
    if (segment && !video.paused && !video.seeking) {
      step();
      var end = segment[1];
      closeSegment();
      segment = [end, end];
    }
    var batch = pending;
    pending = [];
    return batch;
  }

  function form(batch) {
    var data = new FormData();
    data.append("csrfmiddlewaretoken", box.dataset.csrf);
    data.append("payload", JSON.stringify({
      intervals: batch,
      position: video.currentTime || 0,
      speed: video.playbackRate,
      duration: isFinite(video.duration) ? video.duration : null
    }));
    return data;
  }

  function stateKey() { return (video.currentTime || 0).toFixed(1) + "|" + video.playbackRate; }

  var errorBox = document.getElementById("progress-error");
  function show(data) {
    var percent = String(data.watched_percent);
    document.getElementById("watched-percent").textContent = percent;
    document.getElementById("watched-bar").style.width = percent + "%";
    document.getElementById("completed-badge").classList.toggle("d-none", !data.completed);
    errorBox.classList.add("d-none");
  }
  function showStatus(text, failed) {
    errorBox.textContent = text;
    errorBox.classList.toggle("text-danger", failed);
    errorBox.classList.toggle("text-success", !failed);
    errorBox.classList.remove("d-none");
  }
  function showError(text) { showStatus(text || box.dataset.msgSaveFailed, true); }

  function report() {
    if (sending) { return; }
    var batch = takeBatch();
    if (!batch.length && stateKey() === lastSent) { return; }
    var key = stateKey();
    sending = true;
    fetch(box.dataset.progressUrl, {
      method: "POST",
      body: form(batch),
      credentials: "same-origin",
      headers: {"Accept": "application/json"}
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (response.ok) {
          lastSent = key;
          show(data);
        } else if (response.status >= 500) {
          pending = batch.concat(pending);
          showError();
        } else {
          showError(data.error);  // refused as invalid: sending it again would not help
        }
      });
    }).catch(function () {
      pending = batch.concat(pending);
      showError();
    }).then(function () { sending = false; });
  }

  function beacon() {
    var batch = takeBatch();
    if (!batch.length && stateKey() === lastSent) { return; }
    if (navigator.sendBeacon && navigator.sendBeacon(box.dataset.progressUrl, form(batch))) {
      lastSent = stateKey();
    } else {
      pending = batch.concat(pending);
    }
  }

  video.addEventListener("pause", function () { stopSegment(); report(); });
  video.addEventListener("ended", function () { stopSegment(); report(); });
  window.setInterval(function () { if (!video.paused) { report(); } }, REPORT_MS);
  window.addEventListener("pagehide", beacon);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") { beacon(); }
  });

  // --- questions -----------------------------------------------------------------------
  var ask = document.getElementById("ask-form");
  if (!ask) { return; }
  ask.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = ask.elements.text.value.trim();
    if (!text) { return; }
    ask.elements.position.value = String(Math.floor(video.currentTime || 0));
    ask.elements.client_id.value = String(Date.now()) + "-" + Math.random().toString(36).slice(2, 10);
    var button = ask.querySelector("button[type=submit]");
    button.disabled = true;
    fetch(ask.action, {
      method: "POST",
      body: new FormData(ask),
      credentials: "same-origin",
      headers: {"Accept": "application/json"}
    }).then(function (response) {
      return response.json().then(function (data) {
        if (!response.ok) { showError(data.error); return; }
        var list = document.getElementById("my-questions");
        var none = document.getElementById("no-questions");
        if (none) { none.remove(); }
        var item = document.createElement("li");
        item.className = "border-top pt-2 mb-2";
        item.id = "q-" + data.id;
        item.dataset.testid = "my-question";
        var when = document.createElement("div");
        when.className = "small text-muted";
        when.textContent = box.dataset.msgAt.replace("%(seconds)s", String(data.position));
        var body = document.createElement("div");
        body.textContent = data.text;
        var waiting = document.createElement("div");
        waiting.className = "small text-muted";
        waiting.textContent = box.dataset.msgWaiting;
        item.append(when, body, waiting);
        list.prepend(item);
        ask.elements.text.value = "";
        showStatus(box.dataset.msgAsked, false);
      });
    }).catch(function () { showError(); }).then(function () { button.disabled = false; });
  });
})();
