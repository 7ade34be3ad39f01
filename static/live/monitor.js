/* Live monitor: keeps the table of live sessions current over /ws/live/monitor/.
   Frames: {"type": "snapshot", "rooms": [...]} on every (re)connect, then
   {"type": "room", "room": {...}} per change; a room with status "ended" leaves the table.
   Reconnects with exponential backoff, except after 4401 (not logged in) / 4403 (forbidden). */
(function () {
  "use strict";
  var table = document.getElementById("monitor-table");
  var body = document.getElementById("monitor-rooms");
  var empty = document.getElementById("monitor-empty");
  var state = document.getElementById("monitor-state");
  var branches = JSON.parse(document.getElementById("monitor-branches").textContent);
  var gettext = window.gettext || function (s) { return s; };
  var FIELDS = ["present", "questions", "hands"];
  var FINAL_CODES = {4401: gettext("Not logged in: reload the page to log in again."),
                     4403: gettext("You may not watch the live monitor.")};
  var delay = 1000;
  var MAX_DELAY = 30000;
  var socket = null;

  function showState(text, kind) {
    state.textContent = text;
    state.className = "badge text-bg-" + kind;
    state.dataset.state = kind;
  }

  function sessionUrl(id) {
    return table.dataset.sessionUrl.replace(/\/0\/$/, "/" + id + "/");
  }

  function branchName(room) {
    if (room.branch_id === null) { return gettext("Company-wide"); }
    return room.branch || branches[String(room.branch_id)] || "";
  }

  function cell(field, className) {
    var td = document.createElement("td");
    td.dataset.field = field;
    if (className) { td.className = className; }
    return td;
  }

  function newRow(room) {
    var tr = document.createElement("tr");
    tr.dataset.sessionId = String(room.session_id);
    tr.setAttribute("data-testid", "monitor-room");
    var titleCell = document.createElement("td");
    var link = document.createElement("a");
    link.dataset.field = "title";
    link.href = sessionUrl(room.session_id);
    titleCell.appendChild(link);
    var trainers = document.createElement("div");
    trainers.className = "small text-muted";
    trainers.dataset.field = "trainers";
    titleCell.appendChild(trainers);
    tr.appendChild(titleCell);
    tr.appendChild(cell("branch"));
    FIELDS.forEach(function (field) { tr.appendChild(cell(field, "text-end")); });
    return tr;
  }

  function field(tr, name) { return tr.querySelector('[data-field="' + name + '"]'); }

  function fill(tr, room) {
    // Titles and names are text typed by people: textContent, never innerHTML.
    field(tr, "title").textContent = room.title;
    field(tr, "branch").textContent = branchName(room);
    if (room.trainers) { field(tr, "trainers").textContent = room.trainers.join("、"); }
    FIELDS.forEach(function (name) {
      var target = field(tr, name);
      var value = String(room[name]);
      if (target.textContent !== value) {
        target.textContent = value;
        target.classList.add("table-info");
        window.setTimeout(function () { target.classList.remove("table-info"); }, 800);
      }
    });
  }

  function rowFor(id) { return body.querySelector('tr[data-session-id="' + id + '"]'); }

  function refreshEmpty() { empty.classList.toggle("d-none", body.children.length > 0); }

  function apply(room) {
    var tr = rowFor(room.session_id);
    if (room.status === "ended") {
      if (tr) { tr.remove(); }
    } else {
      if (!tr) { tr = newRow(room); body.appendChild(tr); }
      fill(tr, room);
    }
    refreshEmpty();
  }

  function snapshot(rooms) {
    var keep = {};
    rooms.forEach(function (room) { keep[String(room.session_id)] = true; apply(room); });
    Array.prototype.slice.call(body.children).forEach(function (tr) {
      if (!keep[tr.dataset.sessionId]) { tr.remove(); }
    });
    refreshEmpty();
  }

  function connect() {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + window.location.host + table.dataset.wsPath);
    showState(gettext("Connecting…"), "secondary");
    socket.onmessage = function (event) {
      var message;
      try { message = JSON.parse(event.data); } catch (e) { return; }
      if (message.type === "snapshot") {
        delay = 1000;
        showState(gettext("Live"), "success");
        snapshot(message.rooms || []);
      } else if (message.type === "room" && message.room) {
        apply(message.room);
      }
    };
    socket.onclose = function (event) {
      socket = null;
      if (FINAL_CODES[event.code]) {
        showState(FINAL_CODES[event.code], "danger");
        return;
      }
      var wait = delay + Math.floor(Math.random() * 500);
      delay = Math.min(delay * 2, MAX_DELAY);
      showState(interpolate(gettext("Disconnected, reconnecting in %s s…"), [Math.ceil(wait / 1000)]), "warning");
      window.setTimeout(connect, wait);
    };
  }

  function interpolate(text, values) {
    if (window.interpolate) { return window.interpolate(text, values); }
    return text.replace("%s", values[0]);
  }

  connect();
})();
