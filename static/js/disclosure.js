// Boxes that are closed on phones and open on wide screens (details[data-open-wide]): the
// review page's film box and contents, the lists' filters. site.css shows them open on wide
// screens without JavaScript too; this keeps their open state true to what is shown.
(function () {
  "use strict";
  var wide = window.matchMedia("(min-width: 64rem)");
  function sync() {
    document.querySelectorAll("details[data-open-wide]").forEach(function (details) {
      details.open = wide.matches;
    });
  }
  sync();
  wide.addEventListener("change", sync);
})();
