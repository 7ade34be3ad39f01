/* Report charts (Chart.js from npm, served from /static/vendor/chart.js/).
   A <canvas data-chart="ID"> draws the chart described by the JSON script element ID
   (Django's json_script):
     {"type": "bar" | "line", "labels": [...],
      "datasets": [{"label": "...", "data": [numbers or null]}],
      "y": {"min": 0, "max": 100, "suffix": " %"}}            (y is optional)
   The figures are also in the page's tables: a chart never holds a number the table lacks. */
(function () {
  "use strict";

  var PALETTE = ["#0d6efd", "#fd7e14", "#198754", "#6f42c1", "#dc3545", "#20c997", "#6c757d"];

  function draw(canvas) {
    var source = document.getElementById(canvas.dataset.chart);
    if (!source || typeof Chart === "undefined") return;
    var spec = JSON.parse(source.textContent);
    var y = spec.y || {};
    var suffix = y.suffix || "";
    var datasets = spec.datasets.map(function (set, index) {
      var colour = set.color || PALETTE[index % PALETTE.length];
      return {
        label: set.label,
        data: set.data,
        borderColor: colour,
        backgroundColor: spec.type === "line" ? colour : colour + "cc",
        spanGaps: true,
        tension: 0.2
      };
    });
    new Chart(canvas, {
      type: spec.type || "bar",
      data: { labels: spec.labels, datasets: datasets },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        plugins: {
          legend: { display: datasets.length > 1 },
          tooltip: {
            callbacks: {
              label: function (ctx) {
                var value = ctx.parsed.y;
                return ctx.dataset.label + ": " + (value === null ? "—" : value + suffix);
              }
            }
          }
        },
        scales: {
          y: {
            min: y.min,
            max: y.max,
            ticks: {
              callback: function (value) {
                return value + suffix;
              }
            }
          }
        }
      }
    });
  }

  function start() {
    document.querySelectorAll("canvas[data-chart]").forEach(draw);
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.addEventListener("click", function () {
        window.print();
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
