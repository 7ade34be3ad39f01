/* HR import detail page: polls the batch status and moves the progress bar; reloads when done. */
(function () {
  "use strict";
  var box = document.getElementById("import-progress");
  var bar = box.querySelector(".progress-bar");
  var meter = box.querySelector(".progress");
  var text = document.getElementById("import-progress-text");
  function show(percent) {
    bar.style.width = percent + "%";
    meter.setAttribute("aria-valuenow", percent);
  }
  function poll() {
    fetch(box.dataset.statusUrl, {headers: {"Accept": "application/json"}, credentials: "same-origin"})
      .then(function (response) { return response.json(); })
      .then(function (data) {
        if (!data.running) { window.location.reload(); return; }
        show(data.percent);
        text.textContent = data.text;
        window.setTimeout(poll, 1000);
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  show(Number(box.dataset.percent) || 0);
  window.setTimeout(poll, 1000);
})();
