/* Lectern.QuickCheck 1.1: one single-choice question with a Check button.
 *
 * H5P core finds a runnable library's constructor by walking `window` along its machineName
 * (`Lectern.QuickCheck` -> window.Lectern.QuickCheck) and calls it as
 * `new Lectern.QuickCheck(params, contentId, extras)`, then `attach($container)`.
 * Every text shown comes from content.json (the English defaults below are fallbacks), the
 * markup is a fieldset of radio buttons with a live feedback region, and the result goes out
 * as xAPI `answered` and `completed` statements with a score, which the hub records.
 */
(function (H5P) {
  "use strict";

  var Lectern = (window.Lectern = window.Lectern || {});
  var instances = 0;
  var DEFAULT_L10N = {
    check: "Check",
    retry: "Try again",
    correct: "Correct!",
    wrong: "Not quite.",
    chooseFirst: "Choose an answer first.",
  };

  function text(value, fallback) {
    return typeof value === "string" && value.trim() ? value : fallback;
  }

  function element(tag, className, content) {
    var node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (content !== undefined) {
      node.textContent = content;
    }
    return node;
  }

  function QuickCheck(params, contentId, extras) {
    H5P.EventDispatcher.call(this);
    params = params || {};
    var l10n = params.l10n || {};
    this.contentId = contentId;
    this.extras = extras || {};
    this.question = text(params.question, "");
    this.explanation = text(params.explanation, "");
    this.answers = (Array.isArray(params.answers) ? params.answers : [])
      .filter(function (answer) {
        return answer && typeof answer.text === "string" && answer.text.trim();
      })
      .map(function (answer) {
        return { text: answer.text, correct: answer.correct === true };
      });
    this.l10n = {};
    for (var key in DEFAULT_L10N) {
      this.l10n[key] = text(l10n[key], DEFAULT_L10N[key]);
    }
    this.uid = "lectern-quickcheck-" + ++instances;
    this.chosen = -1;
    this.checked = false;
  }

  QuickCheck.prototype = Object.create(H5P.EventDispatcher.prototype);
  QuickCheck.prototype.constructor = QuickCheck;

  QuickCheck.prototype.attach = function ($container) {
    var self = this;
    var root = $container.get(0);
    root.classList.add("lectern-quickcheck");
    root.textContent = "";

    var fieldset = element("fieldset", "lectern-quickcheck__question");
    var legend = element("legend", "lectern-quickcheck__legend", this.question);
    legend.id = this.uid + "-question";
    fieldset.appendChild(legend);
    this.inputs = [];
    this.options = [];
    this.answers.forEach(function (answer, index) {
      var label = element("label", "lectern-quickcheck__option");
      var input = document.createElement("input");
      input.type = "radio";
      input.name = self.uid;
      input.value = String(index);
      input.addEventListener("change", function () {
        self.chosen = index;
        self.setActivityStarted();
      });
      label.appendChild(input);
      label.appendChild(element("span", "lectern-quickcheck__text", answer.text));
      fieldset.appendChild(label);
      self.inputs.push(input);
      self.options.push(label);
    });
    root.appendChild(fieldset);

    this.button = element("button", "lectern-quickcheck__button", this.l10n.check);
    this.button.type = "button";
    this.button.addEventListener("click", function () {
      if (self.checked) {
        self.resetTask();
      } else {
        self.check();
      }
    });
    root.appendChild(this.button);

    this.feedback = element("div", "lectern-quickcheck__feedback");
    this.feedback.setAttribute("role", "status");
    this.feedback.setAttribute("aria-live", "polite");
    root.appendChild(this.feedback);
  };

  QuickCheck.prototype.check = function () {
    if (this.chosen < 0) {
      this.showFeedback(this.l10n.chooseFirst, "");
      return;
    }
    this.checked = true;
    var correct = this.answers[this.chosen].correct;
    this.inputs.forEach(function (input) {
      input.disabled = true;
    });
    this.options[this.chosen].classList.add(
      correct ? "lectern-quickcheck__option--correct" : "lectern-quickcheck__option--wrong"
    );
    this.showFeedback(correct ? this.l10n.correct : this.l10n.wrong, correct ? "correct" : "wrong");
    this.button.textContent = this.l10n.retry;

    var score = this.getScore();
    var maxScore = this.getMaxScore();
    this.triggerXAPIScored(score, maxScore, "answered", true, score === maxScore);
    this.triggerXAPICompleted(score, maxScore, score === maxScore);
    this.trigger("resize");
  };

  /* The verdict, then (once checked) the explanation on its own line. */
  QuickCheck.prototype.showFeedback = function (message, kind) {
    this.feedback.className = "lectern-quickcheck__feedback";
    this.feedback.textContent = "";
    if (!message) {
      return;
    }
    if (kind) {
      this.feedback.classList.add("lectern-quickcheck__feedback--" + kind);
    }
    this.feedback.appendChild(element("strong", "lectern-quickcheck__verdict", message));
    if (kind && this.explanation) {
      this.feedback.appendChild(element("p", "lectern-quickcheck__explanation", this.explanation));
    }
  };

  /* The H5P question contract, so hosts and wrappers can ask about the state. */
  QuickCheck.prototype.getAnswerGiven = function () {
    return this.checked;
  };

  QuickCheck.prototype.getScore = function () {
    return this.checked && this.answers[this.chosen].correct ? 1 : 0;
  };

  QuickCheck.prototype.getMaxScore = function () {
    return 1;
  };

  QuickCheck.prototype.getTitle = function () {
    return H5P.createTitle((this.extras.metadata && this.extras.metadata.title) || this.question);
  };

  QuickCheck.prototype.showSolutions = function () {
    var self = this;
    this.answers.forEach(function (answer, index) {
      if (answer.correct) {
        self.options[index].classList.add("lectern-quickcheck__option--correct");
      }
    });
  };

  QuickCheck.prototype.resetTask = function () {
    this.checked = false;
    this.chosen = -1;
    this.inputs.forEach(function (input) {
      input.checked = false;
      input.disabled = false;
    });
    this.options.forEach(function (option) {
      option.classList.remove(
        "lectern-quickcheck__option--correct",
        "lectern-quickcheck__option--wrong"
      );
    });
    this.showFeedback("", "");
    this.button.textContent = this.l10n.check;
    this.trigger("resize");
  };

  Lectern.QuickCheck = QuickCheck;
})(window.H5P);
