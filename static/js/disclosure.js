// Boxes that are closed on phones and open on wide screens (details[data-open-wide]): the
// review page's film box and contents, the lists' filters. site.css shows them open on wide
// screens without JavaScript too; this keeps their open state true to what is shown, and
// takes their summary, which toggles nothing there, out of the Tab order.
//
// Escape closes the open box (or spoiler) the focus is in and puts the focus on its summary,
// except a box that wide screens keep open.
(function () {
  "use strict";
  var wide = window.matchMedia("(min-width: 64rem)");
  function sync() {
    document.querySelectorAll("details[data-open-wide]").forEach(function (details) {
      details.open = wide.matches;
      var summary = details.querySelector(":scope > summary");
      if (wide.matches) {
        summary.setAttribute("tabindex", "-1");
      } else {
        summary.removeAttribute("tabindex");
      }
    });
  }
  sync();
  wide.addEventListener("change", sync);

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape" || event.defaultPrevented) {
      return;
    }
    var details = document.activeElement && document.activeElement.closest("details[open]");
    if (!details || (wide.matches && details.hasAttribute("data-open-wide"))) {
      return;
    }
    details.open = false;
    details.querySelector(":scope > summary").focus();
    event.preventDefault();
  });
})();
