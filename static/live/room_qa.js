/* The Q&A panel of the live room: the ask box (500 characters, optionally anonymous), the
 * questions sorted pinned → votes → time, upvotes (not on one's own), and for staff the
 * answer / pin / hide buttons. Every list item is kept and updated in place. */
(function () {
  "use strict";

  var dom = window.LecternLive.dom;
  var el = dom.el;
  var _ = dom.gettext;
  var MAX_LENGTH = 500;

  function compare(a, b) {
    return (
      Number(b.pinned) - Number(a.pinned) ||
      b.votes - a.votes ||
      Date.parse(a.asked_at) - Date.parse(b.asked_at) ||
      a.id - b.id
    );
  }

  function QuestionsPanel(ctx) {
    this.ctx = ctx;
    this.list = document.getElementById("questions");
    this.empty = document.getElementById("questions-empty");
    this.form = document.getElementById("ask-form");
    this.text = document.getElementById("ask-text");
    this.anonymous = document.getElementById("ask-anonymous");
    this.anonymousWrap = document.getElementById("ask-anonymous-wrap");
    this.counter = document.getElementById("ask-count");
    this.submit = document.getElementById("ask-submit");
    this.error = document.getElementById("ask-error");
    this.more = document.getElementById("questions-more");
    this.pageCid = null; // a questions.page request on its way
    this.items = new Map(); // question id → <li>
    this.askCid = null;
    this.busyVotes = new Set(); // question ids with an upvote/unvote on its way
    this.bind();
  }

  QuestionsPanel.prototype.bind = function () {
    var self = this;
    this.text.addEventListener("input", function () {
      self.count();
    });
    this.form.addEventListener("submit", function (event) {
      event.preventDefault();
      self.ask();
    });
    this.list.addEventListener("click", function (event) {
      var button = event.target.closest("button[data-action]");
      if (button && !button.disabled) {
        self.act(button.dataset.action, Number(button.closest("li").dataset.questionId));
      }
    });
    if (this.more) {
      this.more.addEventListener("click", function () {
        var before = self.ctx.state.questionsBefore;
        if (before && self.pageCid === null) {
          self.pageCid = self.ctx.send("questions.page", { before: before });
          self.render();
        }
      });
    }
    this.count();
  };

  /* A page of older questions (newest first) or an error: the page is as new as the
   * events already received, so its questions replace what is held. */
  QuestionsPanel.prototype.onPage = function (message, sent) {
    var state = this.ctx.state;
    if (sent && sent.cid === this.pageCid) {
      this.pageCid = null;
    }
    if (message.type === "questions.page") {
      (message.questions || []).forEach(function (question) {
        state.questions.set(question.id, question);
      });
      if (sent && sent.before === state.questionsBefore) {
        state.questionsBefore = message.before || null;
      }
    } else if (message.type === "error") {
      this.ctx.notify(message.message);
    }
    this.render();
  };

  QuestionsPanel.prototype.count = function () {
    var length = this.text.value.length;
    this.counter.textContent = length + " / " + MAX_LENGTH;
    this.counter.classList.toggle("text-danger", length > MAX_LENGTH);
  };

  QuestionsPanel.prototype.ask = function () {
    var text = this.text.value.trim();
    this.error.textContent = "";
    if (!text) {
      this.error.textContent = _("Type your question first.");
      return;
    }
    if (text.length > MAX_LENGTH) {
      this.error.textContent = _("A question can have at most 500 characters.");
      return;
    }
    var fields = { text: text };
    if (this.anonymous.checked && this.ctx.state.session && this.ctx.state.session.allow_anonymous) {
      fields.anonymous = true;
    }
    this.askCid = this.ctx.send("question.ask", fields);
    this.render();
  };

  QuestionsPanel.prototype.act = function (action, id) {
    var question = this.ctx.state.questions.get(id);
    if (!question) {
      return;
    }
    if (action === "vote") {
      var voted = this.ctx.state.me.votes.has(id);
      this.busyVotes.add(id);
      this.ctx.send(voted ? "question.unvote" : "question.upvote", { id: id });
    } else if (action === "answer") {
      this.ctx.send("question.answer", { id: id, answered: !question.answered });
    } else if (action === "pin") {
      this.ctx.send("question.pin", { id: id, pinned: !question.pinned });
    } else if (action === "hide") {
      this.ctx.send("question.hide", { id: id, hidden: !question.hidden });
    }
    this.render();
  };

  QuestionsPanel.prototype.onReply = function (message, sent) {
    var me = this.ctx.state.me;
    var kind = message.for || (sent && sent.type);
    if (sent && sent.cid === this.askCid) {
      this.askCid = null;
      if (message.type === "ack") {
        this.text.value = "";
        this.anonymous.checked = false;
        this.count();
      } else {
        this.error.textContent = message.message || _("The question could not be sent.");
      }
    }
    if (message.type === "ack" && kind === "question.ask" && message.id) {
      me.questions.add(message.id);
    }
    if (sent && (kind === "question.upvote" || kind === "question.unvote")) {
      this.busyVotes.delete(sent.id);
      if (message.type === "ack") {
        if (kind === "question.upvote") {
          me.votes.add(sent.id);
        } else {
          me.votes.delete(sent.id);
        }
      }
    }
    if (message.type === "error" && kind !== "question.ask") {
      this.ctx.notify(message.message);
    }
    this.render();
  };

  QuestionsPanel.prototype.isMine = function (question) {
    var me = this.ctx.state.me;
    return me.questions.has(question.id) || Boolean(question.author && question.author.id === me.id);
  };

  QuestionsPanel.prototype.build = function (id) {
    var parts = {};
    parts.vote = el("button", {
      className: "btn btn-sm btn-outline-primary live-vote",
      data: { action: "vote", testid: "question-vote" },
      attrs: { type: "button" },
    });
    parts.votes = el("span", { className: "live-vote-count", data: { testid: "question-votes" } });
    parts.text = el("p", { className: "mb-1 text-break live-question-text", data: { testid: "question-text" } });
    parts.meta = el("div", { className: "small text-muted" });
    parts.badges = el("div", { className: "mb-1" });
    parts.answer = el("button", { className: "btn btn-outline-success", data: { action: "answer", testid: "question-answer" }, attrs: { type: "button" } });
    parts.pin = el("button", { className: "btn btn-outline-secondary", data: { action: "pin", testid: "question-pin" }, attrs: { type: "button" } });
    parts.hide = el("button", { className: "btn btn-outline-danger", data: { action: "hide", testid: "question-hide" }, attrs: { type: "button" } });
    parts.staff = el("div", { className: "btn-group btn-group-sm mt-1 flex-wrap", attrs: { role: "group" } }, [parts.answer, parts.pin, parts.hide]);
    var li = el("li", { className: "list-group-item px-0 live-question", data: { questionId: String(id), testid: "question" } }, [
      el("div", { className: "d-flex gap-2" }, [
        el("div", { className: "live-vote-box text-center" }, [parts.vote, parts.votes]),
        el("div", { className: "flex-grow-1 min-w-0" }, [parts.text, parts.badges, parts.meta, parts.staff]),
      ]),
    ]);
    li.parts = parts;
    return li;
  };

  QuestionsPanel.prototype.update = function (li, question) {
    var parts = li.parts;
    var state = this.ctx.state;
    var staff = this.ctx.staff();
    var mine = this.isMine(question);
    var voted = state.me.votes.has(question.id);
    var usable = this.ctx.canAct();
    li.classList.toggle("live-hidden", Boolean(question.hidden));
    li.classList.toggle("live-pinned", Boolean(question.pinned));
    li.dataset.answered = String(Boolean(question.answered));
    li.dataset.pinned = String(Boolean(question.pinned));
    li.dataset.hidden = String(Boolean(question.hidden));
    if (parts.text.textContent !== question.text) {
      parts.text.textContent = question.text;
    }
    parts.vote.hidden = mine;
    parts.vote.textContent = "▲";
    parts.vote.classList.toggle("active", voted);
    parts.vote.setAttribute("aria-pressed", String(voted));
    parts.vote.setAttribute("aria-label", voted ? _("Remove my vote") : _("Vote for this question"));
    parts.vote.disabled = !usable || this.busyVotes.has(question.id);
    parts.votes.textContent = String(question.votes);
    dom.clearChildren(parts.badges);
    if (question.pinned) {
      parts.badges.appendChild(dom.badge(_("Pinned"), "info", "badge-pinned"));
    }
    if (question.answered) {
      parts.badges.appendChild(dom.badge(_("Answered"), "success", "badge-answered"));
    }
    if (question.hidden) {
      parts.badges.appendChild(dom.badge(_("Hidden"), "secondary", "badge-hidden"));
    }
    if (mine) {
      parts.badges.appendChild(dom.badge(_("Your question"), "light", "badge-mine"));
    }
    var who = question.author ? question.author.name : _("Anonymous");
    if (question.anonymous && question.author) {
      who = dom.interpolate(_("%(name)s (anonymous to others)"), { name: question.author.name });
    }
    parts.meta.textContent = who + " · " + dom.timeOf(question.asked_at);
    parts.staff.hidden = !staff;
    if (staff) {
      parts.answer.textContent = question.answered ? _("Mark unanswered") : _("Mark answered");
      parts.pin.textContent = question.pinned ? _("Unpin") : _("Pin");
      parts.hide.textContent = question.hidden ? _("Show") : _("Hide");
      [parts.answer, parts.pin, parts.hide].forEach(function (button) {
        button.disabled = !usable;
      });
    }
  };

  QuestionsPanel.prototype.render = function () {
    var self = this;
    var state = this.ctx.state;
    if (!state.me) {
      return;
    }
    var questions = Array.from(state.questions.values());
    if (!this.ctx.staff()) {
      questions = questions.filter(function (question) {
        return !question.hidden;
      });
    }
    questions.sort(compare);
    var seen = new Set();
    var nodes = questions.map(function (question) {
      seen.add(question.id);
      var li = self.items.get(question.id);
      if (!li) {
        li = self.build(question.id);
        self.items.set(question.id, li);
      }
      self.update(li, question);
      return li;
    });
    this.items.forEach(function (li, id) {
      if (!seen.has(id)) {
        self.items.delete(id);
      }
    });
    dom.reorder(this.list, nodes);
    this.empty.hidden = nodes.length > 0;
    if (this.more) {
      this.more.hidden = !state.questionsBefore;
      this.more.disabled = this.pageCid !== null || !this.ctx.canAct();
    }
    var allowAnonymous = Boolean(state.session && state.session.allow_anonymous);
    this.anonymousWrap.hidden = !allowAnonymous;
    var usable = this.ctx.canAct();
    this.text.disabled = !usable;
    this.submit.disabled = !usable || this.askCid !== null;
    this.submit.textContent = this.askCid !== null ? _("Sending…") : _("Ask");
  };

  window.LecternLive.QuestionsPanel = QuestionsPanel;
})();
