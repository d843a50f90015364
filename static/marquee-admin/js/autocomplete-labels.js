/* Names the search box of the admin's multiple-choice autocompletes (Django's Select2 widgets,
   e.g. a review's tags) after the field's own label: Select2 draws an <input> there with no
   label, which a screen reader announces as an unnamed search box. Static file, no inline
   script (the CSP allows none). */
(function () {
  "use strict";

  function labelFor(select) {
    var label = select.id && document.querySelector('label[for="' + select.id + '"]');
    return label ? label.textContent.replace(/:\s*$/, "").trim() : select.name;
  }

  function name(root) {
    root.querySelectorAll("select.admin-autocomplete[multiple]").forEach(function (select) {
      var container = select.nextElementSibling;
      if (!container || !container.classList.contains("select2")) return;
      container.querySelectorAll(".select2-search__field").forEach(function (input) {
        if (!input.getAttribute("aria-label")) input.setAttribute("aria-label", labelFor(select));
      });
    });
  }

  function start() {
    if (!document.querySelector("select.admin-autocomplete[multiple]")) return;
    name(document);
    // Select2 draws the box again after each choice: name the new one too.
    new MutationObserver(function () {
      name(document);
    }).observe(document.body, { childList: true, subtree: true });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
