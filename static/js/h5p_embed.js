/* On pages that embed H5P iframes (course H5P blocks, the preview page).
 * Accepts messages only from one of those iframes (event.source), sizes the iframe, and
 * posts scored xAPI statements to the CSRF-protected endpoint with this page's CSRF token,
 * then shows the learner's best and latest score from the answer. */
(function () {
  "use strict";
  if (window.lecternH5PEmbed) {
    return;
  }
  window.lecternH5PEmbed = true;

  var RECORDED_VERBS = ["answered", "completed", "passed", "failed", "scored"];
  var SUB_CONTENT = "http://h5p.org/x-api/h5p-subContentId";

  function frameFor(source) {
    var frames = document.querySelectorAll("iframe.h5p-frame");
    for (var i = 0; i < frames.length; i++) {
      if (frames[i].contentWindow === source) {
        return frames[i];
      }
    }
    return null;
  }

  function isRecorded(statement) {
    if (!statement || !statement.verb || !statement.result || !statement.result.score) {
      return false;
    }
    var verb = String(statement.verb.id || "").split("/").pop();
    if (RECORDED_VERBS.indexOf(verb) === -1) {
      return false;
    }
    var definition = (statement.object && statement.object.definition) || {};
    return !(definition.extensions && definition.extensions[SUB_CONTENT]);
  }

  function format(result) {
    if (!result) {
      return "—";
    }
    return result.raw + " / " + result.max;
  }

  function showScore(container, summary) {
    var best = container.querySelector("[data-h5p-best]");
    var latest = container.querySelector("[data-h5p-latest]");
    if (best) {
      best.textContent = format(summary.best);
    }
    if (latest) {
      latest.textContent = format(summary.latest);
    }
  }

  function record(frame, statement) {
    var container = frame.closest("[data-h5p-embed]");
    var tokenInput = container && container.querySelector("input[name=csrfmiddlewaretoken]");
    if (!tokenInput) {
      return; // not a learner: nothing is recorded
    }
    fetch(frame.dataset.xapiUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": tokenInput.value },
      body: JSON.stringify({ statement: statement }),
    })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (summary) {
        if (summary) {
          showScore(container, summary);
        }
      })
      .catch(function () {});
  }

  window.addEventListener("message", function (event) {
    var frame = frameFor(event.source);
    var message = event.data;
    if (!frame || !message || message.source !== "lectern-h5p") {
      return;
    }
    if (message.type === "resize") {
      var height = Math.max(150, Math.min(4000, Number(message.height) || 0));
      var borders = frame.offsetHeight - frame.clientHeight;
      frame.style.height = height + borders + "px";
    } else if (message.type === "xapi" && isRecorded(message.statement)) {
      record(frame, message.statement);
    } else if (message.type === "ready") {
      frame.dataset.h5pReady = "1";
    }
  });
})();
