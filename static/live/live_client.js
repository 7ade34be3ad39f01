/* The client side of the live-session protocol (docs/live-protocol.md): one WebSocket that
 * keeps itself connected, tracks `seq` (repeats ignored, gaps waited for ~1 s then resumed),
 * sends a heartbeat every 20 s, resends unanswered messages with their `cid` after a
 * reconnect (the server applies a cid once), and reconnects with exponential backoff and
 * jitter capped at 15 s. Refusals 4401/4403/4404 stop it; 4409 (not live) retries slowly.
 *
 * new LecternLive.Client(url, {snapshot(msg), event(ev), reply(msg, sent), state(name, detail)})
 * States: connecting, live, reconnecting {seconds}, not_live {reason}, offline {code, reason},
 * ended. */
(function () {
  "use strict";

  var HEARTBEAT_MS = 20000;
  var SILENCE_MS = 50000; // no frame at all (not even a pong) for this long: the link is dead
  var GAP_WAIT_MS = 1000;
  var BACKOFF_BASE_MS = 1000;
  var BACKOFF_MAX_MS = 15000;
  var NOT_LIVE_RETRY_MS = 20000;
  var FINAL_CODES = [4401, 4403, 4404];
  var NOT_LIVE = 4409;

  function newCid() {
    if (window.crypto && typeof window.crypto.randomUUID === "function") {
      return window.crypto.randomUUID();
    }
    return Date.now().toString(36) + "-" + Math.random().toString(36).slice(2, 14);
  }

  function jittered(attempt) {
    var cap = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * Math.pow(2, attempt));
    return cap / 2 + Math.random() * (cap / 2);
  }

  function Client(url, handlers) {
    this.url = url;
    this.handlers = handlers;
    this.socket = null;
    this.synced = false; // this socket delivered its snapshot
    this.everSynced = false;
    this.lastSeq = 0;
    this.ahead = new Map(); // seq → event that arrived before a missing one
    this.pending = new Map(); // cid → message still waiting for its ack or error
    this.attempt = 0;
    this.stopped = false;
    this.timers = {};
    this.state = "connecting";
  }

  Client.prototype.start = function () {
    var self = this;
    window.addEventListener("online", function () {
      self.retryNow();
    });
    window.addEventListener("pagehide", function () {
      self.stop();
    });
    this.connect();
  };

  Client.prototype.setState = function (name, detail) {
    this.state = name;
    this.handlers.state(name, detail || {});
  };

  Client.prototype.clear = function (name) {
    clearTimeout(this.timers[name]);
    clearInterval(this.timers[name]);
    delete this.timers[name];
  };

  Client.prototype.connect = function () {
    var self = this;
    this.clear("retry");
    this.clear("countdown");
    if (this.stopped) {
      return;
    }
    this.setState(this.everSynced ? "reconnecting" : "connecting", { seconds: 0 });
    var socket;
    try {
      socket = new WebSocket(this.url);
    } catch (err) {
      this.scheduleRetry();
      return;
    }
    this.socket = socket;
    this.synced = false;
    socket.onopen = function () {
      if (self.lastSeq > 0) {
        self.sendRaw({ type: "resume", last_seq: self.lastSeq });
      }
      self.timers.heartbeat = setInterval(function () {
        self.sendRaw({ type: "heartbeat" });
      }, HEARTBEAT_MS);
      self.heard();
    };
    socket.onmessage = function (event) {
      if (socket === self.socket) {
        self.heard();
        self.receive(event.data);
      }
    };
    socket.onclose = function (event) {
      self.closed(socket, event.code, event.reason);
    };
  };

  // Any frame proves the link; silence past SILENCE_MS (heartbeats get pongs) means it is dead.
  Client.prototype.heard = function () {
    var self = this;
    this.clear("silence");
    this.timers.silence = setTimeout(function () {
      var socket = self.socket;
      if (socket) {
        socket.onclose = null;
        socket.close();
        self.closed(socket, 1006, "");
      }
    }, SILENCE_MS);
  };

  Client.prototype.sendRaw = function (message) {
    if (this.socket && this.socket.readyState === WebSocket.OPEN) {
      this.socket.send(JSON.stringify(message));
      return true;
    }
    return false;
  };

  /* Sends a message with a fresh cid (now if the room is in sync, else after the next
   * snapshot) and returns the cid; its ack or error comes to handlers.reply. */
  Client.prototype.send = function (type, fields) {
    var message = Object.assign({}, fields || {}, { type: type, cid: newCid() });
    this.pending.set(message.cid, message);
    if (this.synced) {
      this.sendRaw(message);
    }
    return message.cid;
  };

  Client.prototype.receive = function (data) {
    var message;
    try {
      message = JSON.parse(data);
    } catch (err) {
      return;
    }
    if (!message || typeof message !== "object") {
      return;
    }
    switch (message.type) {
      case "snapshot":
        this.applySnapshot(message);
        break;
      case "batch":
      case "resumed":
        (message.events || []).forEach(this.offer, this);
        this.drain();
        break;
      case "ack":
      case "error":
      case "questions.page":
        var sent = this.pending.get(message.cid);
        this.pending.delete(message.cid);
        this.handlers.reply(message, sent);
        break;
      case "pong":
        break;
      case "refused":
        // The close that follows may lose its reason on the way (daphne drops it).
        this.refusedReason = message.reason || "";
        break;
      default:
        if (typeof message.seq === "number") {
          this.offer(message);
          this.drain();
        }
    }
  };

  Client.prototype.applySnapshot = function (snapshot) {
    var firstOnSocket = !this.synced;
    this.lastSeq = snapshot.seq || 0;
    this.synced = true;
    this.everSynced = true;
    this.attempt = 0;
    this.handlers.snapshot(snapshot);
    if (this.stopped) {
      return;
    }
    this.setState("live");
    this.drain();
    if (firstOnSocket) {
      this.pending.forEach(this.sendRaw, this);
    }
  };

  Client.prototype.offer = function (event) {
    if (event && typeof event.seq === "number" && event.seq > this.lastSeq) {
      this.ahead.set(event.seq, event);
    }
  };

  Client.prototype.drain = function () {
    var self = this;
    if (!this.everSynced) {
      return;
    }
    while (this.ahead.has(this.lastSeq + 1) && !this.stopped) {
      var event = this.ahead.get(this.lastSeq + 1);
      this.ahead.delete(event.seq);
      this.lastSeq = event.seq;
      this.handlers.event(event);
      if (event.type === "session.ended") {
        this.end();
      }
    }
    this.ahead.forEach(function (event, seq) {
      if (seq <= self.lastSeq) {
        self.ahead.delete(seq);
      }
    });
    if (this.ahead.size === 0 || this.stopped) {
      this.clear("gap");
    } else if (!this.timers.gap) {
      this.timers.gap = setTimeout(function () {
        delete self.timers.gap;
        if (self.ahead.size > 0) {
          self.sendRaw({ type: "resume", last_seq: self.lastSeq });
        }
      }, GAP_WAIT_MS);
    }
  };

  Client.prototype.closed = function (socket, code, reason) {
    if (socket !== this.socket) {
      return;
    }
    this.socket = null;
    this.synced = false;
    reason = reason || this.refusedReason || "";
    this.refusedReason = "";
    ["heartbeat", "silence", "gap"].forEach(this.clear, this);
    if (this.stopped) {
      return;
    }
    if (FINAL_CODES.indexOf(code) !== -1) {
      this.stopped = true;
      this.setState("offline", { code: code, reason: reason });
      return;
    }
    if (code === NOT_LIVE) {
      var self = this;
      this.setState("not_live", { reason: reason });
      this.timers.retry = setTimeout(function () {
        self.connect();
      }, NOT_LIVE_RETRY_MS / 2 + Math.random() * (NOT_LIVE_RETRY_MS / 2));
      return;
    }
    this.scheduleRetry();
  };

  Client.prototype.scheduleRetry = function () {
    var self = this;
    var retryAt = Date.now() + jittered(this.attempt);
    this.attempt += 1;
    var tick = function () {
      var seconds = Math.max(0, Math.ceil((retryAt - Date.now()) / 1000));
      self.setState("reconnecting", { seconds: seconds });
    };
    tick();
    this.timers.countdown = setInterval(tick, 1000);
    this.timers.retry = setTimeout(function () {
      self.connect();
    }, retryAt - Date.now());
  };

  Client.prototype.retryNow = function () {
    if (!this.stopped && !this.socket && this.timers.retry) {
      this.connect();
    }
  };

  Client.prototype.end = function () {
    this.stop();
    this.setState("ended");
  };

  Client.prototype.stop = function () {
    this.stopped = true;
    Object.keys(this.timers).forEach(this.clear, this);
    if (this.socket) {
      var socket = this.socket;
      this.socket = null;
      socket.close(1000);
    }
  };

  window.LecternLive = window.LecternLive || {};
  window.LecternLive.Client = Client;
})();
