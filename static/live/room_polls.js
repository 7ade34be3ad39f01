/* The polls panel of the live room. Learners vote (one choice or several) and then see the
 * counts as bars; staff see the counts live and close polls; a closed quiz shows its right
 * answer. Trainers and HQ get a form to open a poll (2–10 options, quiz with right options). */
(function () {
  "use strict";

  var dom = window.LecternLive.dom;
  var el = dom.el;
  var _ = dom.gettext;
  var MIN_OPTIONS = 2;
  var MAX_OPTIONS = 10;

  function PollsPanel(ctx) {
    this.ctx = ctx;
    this.list = document.getElementById("polls");
    this.empty = document.getElementById("polls-empty");
    this.cards = new Map(); // poll id → card
    this.voting = new Map(); // cid → poll id
    this.form = document.getElementById("poll-form");
    if (this.form) {
      this.bindForm();
    }
    var self = this;
    this.list.addEventListener("click", function (event) {
      var button = event.target.closest("button[data-action]");
      if (button && !button.disabled) {
        var id = Number(button.closest("[data-poll-id]").dataset.pollId);
        if (button.dataset.action === "vote") {
          self.vote(id);
        } else if (button.dataset.action === "close") {
          self.ctx.send("poll.close", { id: id });
        }
      }
    });
  }

  // --- the staff form ------------------------------------------------------------------------

  PollsPanel.prototype.bindForm = function () {
    var self = this;
    this.options = document.getElementById("poll-options");
    this.quiz = document.getElementById("poll-quiz");
    this.formError = document.getElementById("poll-error");
    this.addButton = document.getElementById("poll-add-option");
    this.addButton.addEventListener("click", function () {
      self.addOption();
    });
    this.quiz.addEventListener("change", function () {
      self.form.classList.toggle("live-quiz", self.quiz.checked);
    });
    this.options.addEventListener("click", function (event) {
      var remove = event.target.closest("button[data-action='remove-option']");
      if (remove && self.options.children.length > MIN_OPTIONS) {
        remove.closest(".input-group").remove();
        self.numberOptions();
      }
    });
    this.form.addEventListener("submit", function (event) {
      event.preventDefault();
      self.open();
    });
    this.resetForm();
  };

  PollsPanel.prototype.addOption = function () {
    if (this.options.children.length >= MAX_OPTIONS) {
      return;
    }
    var row = el("div", { className: "input-group input-group-sm mb-1" }, [
      el("input", {
        className: "form-control",
        attrs: { type: "text", maxlength: "100", "data-testid": "poll-option" },
      }),
      el("label", { className: "input-group-text live-correct" }, [
        el("input", {
          className: "form-check-input mt-0 me-1",
          attrs: { type: "checkbox", "data-testid": "poll-option-correct" },
        }),
        _("Right answer"),
      ]),
      el("button", {
        className: "btn btn-outline-secondary",
        text: "×",
        data: { action: "remove-option" },
        attrs: { type: "button", "aria-label": _("Remove this option") },
      }),
    ]);
    this.options.appendChild(row);
    this.numberOptions();
  };

  PollsPanel.prototype.numberOptions = function () {
    var rows = Array.from(this.options.children);
    rows.forEach(function (row, index) {
      row.querySelector("input[type=text]").setAttribute(
        "aria-label",
        dom.interpolate(_("Option %(number)s"), { number: index + 1 })
      );
    });
    this.addButton.disabled = rows.length >= MAX_OPTIONS;
  };

  PollsPanel.prototype.resetForm = function () {
    this.form.reset();
    this.form.classList.remove("live-quiz");
    dom.clearChildren(this.options);
    for (var i = 0; i < MIN_OPTIONS; i++) {
      this.addOption();
    }
    this.formError.textContent = "";
    this.openCid = null;
  };

  PollsPanel.prototype.open = function () {
    var prompt = document.getElementById("poll-prompt").value.trim();
    var rows = Array.from(this.options.children);
    var options = [];
    var correct = [];
    rows.forEach(function (row) {
      var text = row.querySelector("input[type=text]").value.trim();
      if (text) {
        if (row.querySelector("input[type=checkbox]").checked) {
          correct.push(options.length);
        }
        options.push(text);
      }
    });
    var quiz = this.quiz.checked;
    var kind = document.getElementById("poll-kind").value;
    var error = "";
    if (!prompt) {
      error = _("Type the poll's question.");
    } else if (options.length < MIN_OPTIONS) {
      error = _("Give at least two options.");
    } else if (quiz && correct.length === 0) {
      error = _("Tick the right answer of the quiz.");
    } else if (quiz && kind === "single" && correct.length > 1) {
      error = _("A single-choice quiz has one right answer.");
    }
    this.formError.textContent = error;
    if (error) {
      return;
    }
    var fields = { prompt: prompt, options: options, kind: kind, quiz: quiz };
    if (quiz) {
      fields.correct = correct;
    }
    this.openCid = this.ctx.send("poll.open", fields);
    this.form.querySelector("[type=submit]").disabled = true;
  };

  // --- voting and the poll cards -------------------------------------------------------------

  PollsPanel.prototype.vote = function (id) {
    var card = this.cards.get(id);
    var choices = Array.from(card.querySelectorAll("input[data-choice]:checked")).map(function (input) {
      return Number(input.dataset.choice);
    });
    card.parts.error.textContent = "";
    if (choices.length === 0) {
      card.parts.error.textContent = _("Choose an answer first.");
      return;
    }
    this.voting.set(this.ctx.send("poll.vote", { id: id, choices: choices }), id);
    this.render();
  };

  PollsPanel.prototype.onReply = function (message, sent) {
    var kind = message.for || (sent && sent.type);
    if (sent && sent.cid === this.openCid) {
      this.form.querySelector("[type=submit]").disabled = false;
      if (message.type === "ack") {
        this.resetForm();
      } else {
        this.formError.textContent = message.message || "";
        this.openCid = null;
      }
    }
    if (sent && this.voting.has(sent.cid)) {
      var id = this.voting.get(sent.cid);
      this.voting.delete(sent.cid);
      if (message.type === "ack") {
        this.ctx.state.me.polls[String(id)] = sent.choices;
      } else if (message.code === "already_voted") {
        this.ctx.state.me.polls[String(id)] = this.ctx.state.me.polls[String(id)] || [];
      } else if (this.cards.has(id)) {
        this.cards.get(id).parts.error.textContent = message.message || "";
      }
    } else if (message.type === "error" && kind === "poll.close") {
      this.ctx.notify(message.message);
    }
    this.render();
  };

  PollsPanel.prototype.build = function (poll) {
    var parts = { rows: [] };
    var single = poll.kind === "single";
    parts.status = el("span", { className: "badge ms-2", data: { testid: "poll-status" } });
    parts.options = el("ul", { className: "list-unstyled mb-2" });
    poll.options.forEach(function (option, index) {
      var inputId = "poll-" + poll.id + "-option-" + index;
      var input = el("input", {
        className: "form-check-input",
        data: { choice: String(index) },
        attrs: { type: single ? "radio" : "checkbox", name: "poll-" + poll.id, id: inputId },
      });
      var row = {
        input: input,
        choice: el("div", { className: "form-check mb-0" }, [
          input,
          el("label", { className: "form-check-label text-break", text: option, attrs: { for: inputId } }),
        ]),
        label: el("div", { className: "text-break", text: option }),
        bar: el("div", { className: "progress-bar", attrs: { role: "progressbar" } }),
        count: el("span", { className: "small text-muted ms-2 text-nowrap", data: { testid: "poll-count" } }),
        marks: el("span", {}),
      };
      row.result = el("div", {}, [
        el("div", { className: "d-flex align-items-baseline" }, [row.label, row.marks, row.count]),
        el("div", { className: "progress live-bar" }, [row.bar]),
      ]);
      row.item = el("li", { className: "mb-2", data: { testid: "poll-option", index: String(index) } }, [
        row.choice,
        row.result,
      ]);
      parts.rows.push(row);
      parts.options.appendChild(row.item);
    });
    parts.vote = el("button", {
      className: "btn btn-primary btn-sm me-2",
      text: _("Vote"),
      data: { action: "vote", testid: "poll-vote" },
      attrs: { type: "button" },
    });
    parts.close = el("button", {
      className: "btn btn-outline-dark btn-sm me-2",
      text: _("Close the poll"),
      data: { action: "close", testid: "poll-close" },
      attrs: { type: "button" },
    });
    parts.summary = el("span", { className: "small text-muted", data: { testid: "poll-voters" } });
    parts.error = el("div", { className: "small text-danger", attrs: { role: "alert" } });
    var kindText = single ? _("One answer") : _("Several answers");
    var card = el("div", { className: "border rounded p-2 mb-2", data: { pollId: String(poll.id), testid: "poll" } }, [
      el("div", { className: "d-flex align-items-start mb-1" }, [
        el("strong", { className: "text-break flex-grow-1 min-w-0", text: poll.prompt, data: { testid: "poll-prompt" } }),
        parts.status,
      ]),
      el("div", { className: "small text-muted mb-2", text: poll.quiz ? kindText + " · " + _("Quiz") : kindText }),
      parts.options,
      el("div", { className: "d-flex flex-wrap align-items-center gap-1" }, [parts.vote, parts.close, parts.summary]),
      parts.error,
    ]);
    card.parts = parts;
    return card;
  };

  PollsPanel.prototype.update = function (card, poll) {
    var me = this.ctx.state.me;
    var staff = this.ctx.staff();
    var parts = card.parts;
    var mine = me.polls[String(poll.id)];
    var open = poll.status === "open";
    var sending = Array.from(this.voting.values()).indexOf(poll.id) !== -1;
    var canVote = open && !mine && !staff && this.ctx.canAct();
    var showResults = staff || Boolean(mine) || !open;
    var correct = poll.correct || [];
    card.dataset.status = poll.status;
    parts.status.textContent = open ? _("Open") : _("Closed");
    parts.status.className = "badge ms-2 " + (open ? "text-bg-success" : "text-bg-secondary");
    parts.rows.forEach(function (row, index) {
      var count = (poll.counts && poll.counts[index]) || 0;
      var percent = poll.voters ? Math.round((count * 100) / poll.voters) : 0;
      row.choice.hidden = !canVote;
      row.input.disabled = sending;
      row.result.hidden = !showResults;
      row.bar.style.width = percent + "%";
      row.bar.setAttribute("aria-valuenow", String(percent));
      row.bar.classList.toggle("bg-success", correct.indexOf(index) !== -1);
      row.count.textContent = count + " (" + percent + "%)";
      dom.clearChildren(row.marks);
      if (mine && mine.indexOf(index) !== -1) {
        row.marks.appendChild(dom.badge(_("My answer"), "primary", "poll-mine"));
      }
      if (correct.indexOf(index) !== -1) {
        row.marks.appendChild(dom.badge(_("Right answer"), "success", "poll-correct"));
      }
    });
    parts.vote.hidden = !canVote;
    parts.vote.disabled = sending;
    parts.close.hidden = !(open && this.ctx.canRunPolls());
    parts.close.disabled = !this.ctx.canAct();
    parts.summary.textContent = dom.interpolate(
      dom.ngettext("%(count)s vote", "%(count)s votes", poll.voters || 0),
      { count: poll.voters || 0 }
    );
  };

  PollsPanel.prototype.render = function () {
    var self = this;
    var state = this.ctx.state;
    if (!state.me) {
      return;
    }
    // Newest first: an open poll is the one people are looking for.
    var polls = Array.from(state.polls.values()).sort(function (a, b) {
      return b.id - a.id;
    });
    var nodes = polls.map(function (poll) {
      var card = self.cards.get(poll.id);
      if (!card) {
        card = self.build(poll);
        self.cards.set(poll.id, card);
      }
      self.update(card, poll);
      return card;
    });
    dom.reorder(this.list, nodes);
    this.empty.hidden = nodes.length > 0;
    if (this.form) {
      this.form.querySelector("[type=submit]").disabled = !this.ctx.canAct() || Boolean(this.openCid);
    }
  };

  window.LecternLive.PollsPanel = PollsPanel;
})();
