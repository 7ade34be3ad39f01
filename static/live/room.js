/* The live room page: holds the room's state from the snapshot and the events of the
 * protocol (docs/live-protocol.md, via live_client.js), and renders the connection badge,
 * presence, the hand button, the staff roster and raised hands, and the Q&A and poll panels.
 * The video is rendered by the template; this only attaches hls.js to it. */
(function () {
  "use strict";

  var live = window.LecternLive;
  var dom = live.dom;
  var el = dom.el;
  var _ = dom.gettext;
  var configNode = document.getElementById("live-config");
  if (!configNode) {
    return;
  }
  var config = JSON.parse(configNode.textContent);

  var state = {
    session: null,
    me: null,
    questions: new Map(),
    polls: new Map(),
    present: 0,
    raised: 0,
    hands: [], // employee ids, oldest first (staff)
    roster: new Map(), // employee id → roster entry (staff)
    connection: "connecting",
    ended: config.status === "ended" || config.status === "cancelled",
  };

  var client = null;
  var handCid = null;

  function isStaff() {
    return state.me ? state.me.role !== "learner" : Boolean(config.staff);
  }

  function canAct() {
    return !state.ended && (state.connection === "live" || state.connection === "reconnecting");
  }

  var ctx = {
    state: state,
    staff: isStaff,
    canAct: canAct,
    canRunPolls: function () {
      return state.me && (state.me.role === "trainer" || state.me.role === "hq");
    },
    send: function (type, fields) {
      return client.send(type, fields);
    },
    notify: notify,
  };

  // --- rendering -----------------------------------------------------------------------------

  var renderQueued = false;
  function render() {
    if (renderQueued) {
      return;
    }
    renderQueued = true;
    window.requestAnimationFrame(function () {
      renderQueued = false;
      questions.render();
      polls.render();
      renderPresence();
      renderHand();
      renderStaff();
    });
  }

  function notify(text) {
    var box = document.getElementById("live-error");
    box.textContent = text || _("Something went wrong; try again.");
    box.hidden = false;
    clearTimeout(notify.timer);
    notify.timer = setTimeout(function () {
      box.hidden = true;
    }, 8000);
  }

  var STATE_TONES = {
    connecting: "secondary",
    live: "success",
    reconnecting: "warning",
    not_live: "secondary",
    offline: "danger",
    ended: "dark",
  };

  function stateText(name, detail) {
    switch (name) {
      case "live":
        return _("Live");
      case "reconnecting":
        return detail.seconds > 0
          ? dom.interpolate(_("Reconnecting in %(seconds)s s"), { seconds: detail.seconds })
          : _("Reconnecting…");
      case "not_live":
        return _("Not live");
      case "offline":
        return _("Offline");
      case "ended":
        return _("Ended");
      default:
        return _("Connecting…");
    }
  }

  function showNotice(text, tone) {
    var notice = document.getElementById("live-notice");
    notice.className = "alert alert-" + (tone || "secondary");
    notice.textContent = text;
    notice.hidden = !text;
  }

  // The page title starts with the session's state (未开始 / 直播中 / 已结束): follow it.
  function titleState(word) {
    var rest = document.title.indexOf(" · ");
    document.title = word + (rest >= 0 ? document.title.slice(rest) : "");
  }

  function onState(name, detail) {
    var badge = document.getElementById("live-state");
    var previous = state.connection;
    state.connection = name;
    badge.dataset.state = name;
    badge.className = "badge text-bg-" + (STATE_TONES[name] || "secondary");
    badge.textContent = stateText(name, detail);
    if (name === "ended") {
      state.ended = true;
      titleState(_("Ended"));
      showNotice(_("The session has ended. Thank you for taking part."), "dark");
    } else if (name === "not_live") {
      showNotice(detail.reason || _("The session is not live. This page joins by itself when it starts."), "secondary");
    } else if (name === "offline") {
      if (detail.code === 4401) {
        window.location.assign(config.loginUrl);
        return;
      }
      // daphne drops close reasons: fall back on what the code means
      var fallback = detail.code === 4404 ? _("There is no such session.") : _("You cannot join this live session.");
      showNotice(detail.reason || fallback, "danger");
    } else if (name === "live") {
      titleState(_("Live"));
      showNotice("", "secondary");
    }
    if (previous !== name) {
      render();
    }
  }

  function renderPresence() {
    var node = document.getElementById("live-presence");
    node.textContent = dom.interpolate(_("%(count)s online"), { count: state.present });
    node.hidden = !state.me;
  }

  function renderHand() {
    var button = document.getElementById("hand-button");
    if (!button || !state.me) {
      return;
    }
    var raised = Boolean(state.me.hand_raised);
    button.textContent = raised ? _("Lower my hand") : _("Raise my hand");
    button.setAttribute("aria-pressed", String(raised));
    button.classList.toggle("active", raised);
    button.disabled = !canAct() || handCid !== null;
  }

  function rosterName(id) {
    var entry = state.roster.get(id);
    return entry ? entry.name : "#" + id;
  }

  function renderStaff() {
    var roster = document.getElementById("roster");
    if (!roster || !isStaff()) {
      return;
    }
    var entries = Array.from(state.roster.values()).sort(function (a, b) {
      return Number(b.present) - Number(a.present) || String(a.name).localeCompare(String(b.name), "zh");
    });
    var hands = new Set(state.hands);
    var late = 0;
    var leftEarly = 0;
    var present = 0;
    dom.clearChildren(roster);
    entries.forEach(function (entry) {
      present += entry.present ? 1 : 0;
      late += entry.late ? 1 : 0;
      leftEarly += entry.left_early ? 1 : 0;
      var badges = [
        entry.present ? dom.badge(_("Present"), "success", "roster-present") : dom.badge(_("Away"), "secondary", "roster-away"),
        entry.late ? dom.badge(_("Joined late"), "warning", "roster-late") : null,
        entry.left_early ? dom.badge(_("Left early"), "secondary", "roster-left-early") : null,
        hands.has(entry.id) ? dom.badge(_("Hand raised"), "info", "roster-hand") : null,
      ];
      roster.appendChild(
        el("li", { className: "list-group-item px-0 py-1 d-flex flex-wrap gap-1 align-items-center", data: { testid: "roster-entry", employeeId: String(entry.id) } }, [
          el("span", { className: "me-auto text-break", text: entry.branch ? entry.name + " · " + entry.branch : entry.name }),
        ].concat(badges))
      );
    });
    document.getElementById("roster-summary").textContent = dom.interpolate(
      _("Present now: %(present)s · joined late: %(late)s · left early: %(left)s"),
      { present: present, late: late, left: leftEarly }
    );
    var handList = document.getElementById("hands");
    dom.clearChildren(handList);
    state.hands.forEach(function (id) {
      handList.appendChild(el("li", { className: "list-group-item px-0 py-1", text: rosterName(id), data: { testid: "hand" } }));
    });
    document.getElementById("hands-empty").hidden = state.hands.length > 0;
    document.getElementById("hands-count").textContent = String(state.raised);
  }

  // --- protocol ------------------------------------------------------------------------------

  function onSnapshot(snapshot) {
    state.session = snapshot.session || {};
    var me = snapshot.me || {};
    state.me = {
      id: me.id,
      name: me.name,
      role: me.role || "learner",
      votes: new Set(me.votes || []),
      questions: new Set(me.questions || []),
      polls: Object.assign({}, me.polls || {}),
      hand_raised: Boolean(me.hand_raised),
    };
    state.questions = new Map((snapshot.questions || []).map(function (q) {
      return [q.id, q];
    }));
    // Older questions of a big room come on request (questions.page), from this id down.
    state.questionsBefore = snapshot.questions_before || null;
    state.polls = new Map((snapshot.polls || []).map(function (p) {
      return [p.id, p];
    }));
    state.present = (snapshot.presence && snapshot.presence.present) || 0;
    state.raised = (snapshot.hands && snapshot.hands.raised) || 0;
    state.roster = new Map((snapshot.roster || []).map(function (entry) {
      return [entry.id, entry];
    }));
    state.hands = (snapshot.hands && snapshot.hands.hands) || (snapshot.roster || []).filter(function (entry) {
      return entry.hand_raised;
    }).map(function (entry) {
      return entry.id;
    });
    if (state.session.status === "ended") {
      state.ended = true;
    }
    render();
  }

  function questionField(id, field, value) {
    var question = state.questions.get(id);
    if (question) {
      question[field] = value;
    }
  }

  var EVENTS = {
    "question.asked": function (event) {
      state.questions.set(event.question.id, event.question);
    },
    "question.votes": function (event) {
      Object.keys(event.counts || {}).forEach(function (id) {
        questionField(Number(id), "votes", event.counts[id]);
      });
    },
    "question.answered": function (event) {
      questionField(event.id, "answered", event.answered);
    },
    "question.pinned": function (event) {
      questionField(event.id, "pinned", event.pinned);
    },
    "question.hidden": function (event) {
      if (event.question) {
        state.questions.set(event.question.id, event.question);
      } else if (event.hidden && !isStaff()) {
        state.questions.delete(event.id);
      } else {
        questionField(event.id, "hidden", event.hidden);
      }
    },
    "poll.opened": function (event) {
      state.polls.set(event.poll.id, event.poll);
    },
    "poll.counts": function (event) {
      Object.keys(event.counts || {}).forEach(function (id) {
        var poll = state.polls.get(Number(id));
        if (poll) {
          poll.counts = event.counts[id].counts;
          poll.voters = event.counts[id].voters;
        }
      });
    },
    "poll.closed": function (event) {
      state.polls.set(event.poll.id, event.poll);
    },
    "presence.changed": function (event) {
      state.present = event.present;
      (event.joined || []).forEach(function (entry) {
        state.roster.set(entry.id, Object.assign({}, entry, { present: true }));
      });
      var early = Date.now() < Date.parse(config.endsAt);
      (event.left || []).forEach(function (id) {
        var entry = state.roster.get(id);
        if (entry) {
          entry.present = false;
          entry.left_early = entry.left_early || early;
        }
      });
    },
    "hand.changed": function (event) {
      state.raised = event.raised;
      if (event.hands) {
        state.hands = event.hands;
      }
    },
    "room.settings": function (event) {
      state.session = Object.assign({}, state.session, {
        allow_anonymous: event.allow_anonymous,
        stream: event.stream,
      });
      if ("reveal_anonymous_to_staff" in event) {
        state.session.reveal_anonymous_to_staff = event.reveal_anonymous_to_staff;
      }
      Object.keys(event.authors || {}).forEach(function (id) {
        questionField(Number(id), "author", event.authors[id]);
      });
    },
    "session.ended": function () {
      state.ended = true;
    },
  };

  function onEvent(event) {
    var apply = EVENTS[event.type];
    if (apply) {
      apply(event);
      render();
    }
  }

  function onReply(message, sent) {
    var kind = message.for || (sent && sent.type);
    if (message.type === "questions.page" || kind === "questions.page") {
      questions.onPage(message, sent);
    } else if (kind && kind.indexOf("question.") === 0) {
      questions.onReply(message, sent);
    } else if (kind && kind.indexOf("poll.") === 0) {
      polls.onReply(message, sent);
    } else if (kind === "hand.raise" || kind === "hand.lower") {
      handCid = null;
      if (message.type === "ack") {
        state.me.hand_raised = kind === "hand.raise";
      } else {
        notify(message.message);
      }
      render();
    } else if (message.type === "error") {
      notify(message.message);
    }
  }

  // --- page wiring -----------------------------------------------------------------------------

  function attachVideo() {
    var video = document.getElementById("live-video");
    if (!video || !video.dataset.src) {
      return;
    }
    var source = video.dataset.src;
    if (window.Hls && window.Hls.isSupported()) {
      var hls = new window.Hls({ lowLatencyMode: true });
      hls.on(window.Hls.Events.ERROR, function (name, data) {
        if (!data.fatal) {
          return;
        }
        if (data.type === window.Hls.ErrorTypes.NETWORK_ERROR) {
          setTimeout(function () {
            hls.startLoad();
          }, 3000);
        } else if (data.type === window.Hls.ErrorTypes.MEDIA_ERROR) {
          hls.recoverMediaError();
        } else {
          hls.destroy();
          document.getElementById("video-error").hidden = false;
        }
      });
      hls.loadSource(source);
      hls.attachMedia(video);
    } else if (video.canPlayType("application/vnd.apple.mpegurl")) {
      video.src = source; // Safari plays HLS itself
    } else {
      document.getElementById("video-error").hidden = false;
    }
  }

  var questions = new live.QuestionsPanel(ctx);
  var polls = new live.PollsPanel(ctx);

  var handButton = document.getElementById("hand-button");
  if (handButton) {
    handButton.addEventListener("click", function () {
      handCid = client.send(state.me.hand_raised ? "hand.lower" : "hand.raise");
      render();
    });
  }
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.dataset.confirm)) {
        event.preventDefault();
      }
    });
  });
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) {
      window.location.reload(); // back from the page cache: the socket was closed on pagehide
    }
  });

  attachVideo();
  var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
  client = new live.Client(scheme + window.location.host + config.socketPath, {
    snapshot: onSnapshot,
    event: onEvent,
    reply: onReply,
    state: onState,
  });
  window.__lecternLive = { client: client, state: state };
  if (state.ended) {
    onState("ended", {});
  } else {
    client.start();
  }
})();
