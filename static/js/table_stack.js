/* Tables marked .table-stack show each row as a card on phones (static/css/lectern.css):
   label every cell with its column's heading (data-label), also for rows added later. */
(function () {
  "use strict";

  function label(table) {
    var heads = Array.from(table.querySelectorAll("thead th")).map(function (th) {
      return th.textContent.replace(/\s+/g, " ").trim();
    });
    table.querySelectorAll("tbody > tr").forEach(function (row) {
      var column = 0;
      Array.from(row.children).forEach(function (cell) {
        var text = heads[column];
        if (text && !cell.hasAttribute("data-label") && (cell.colSpan || 1) === 1) {
          cell.setAttribute("data-label", text);
        }
        column += cell.colSpan || 1;
      });
    });
  }

  function start() {
    document.querySelectorAll("table.table-stack").forEach(function (table) {
      label(table);
      if ("MutationObserver" in window) {
        new MutationObserver(function () {
          label(table);
        }).observe(table, { childList: true, subtree: true });
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
