/* Gives each cell of the admin's tabular inlines (a film's cast and crew, a critic's links…)
   its column's name: as `data-label`, which inlines.css shows above the field where a phone
   stacks the row, and as the field's accessible name where Django gives it no <label>.
   Rows added with "Add another" are named as they come (Django's formset:added). Static file,
   no inline script (the CSP allows none). */
(function () {
  "use strict";

  function columnNames(table) {
    return Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) {
      return th.textContent.trim();
    });
  }

  function name(row) {
    var table = row.closest(".tabular table");
    if (!table) return;
    var names = columnNames(table);
    Array.prototype.forEach.call(row.children, function (cell, index) {
      var label = names[index];
      if (!label || cell.classList.contains("original")) return;
      cell.setAttribute("data-label", label);
      cell.querySelectorAll("input:not([type=hidden]), select, textarea").forEach(function (field) {
        var labelled = field.labels && field.labels.length;
        if (!labelled && !field.getAttribute("aria-label")) field.setAttribute("aria-label", label);
      });
    });
  }

  function start() {
    document.querySelectorAll(".inline-group .tabular tr.form-row").forEach(name);
    document.addEventListener("formset:added", function (event) {
      if (event.target.matches && event.target.matches("tr.form-row")) name(event.target);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
