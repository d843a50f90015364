// Trailers: a link to YouTube until the reader presses play, then YouTube's privacy-enhanced
// player in its place (templates/films/includes/trailer.html). Nothing is fetched from YouTube
// before the click.
(function () {
  "use strict";

  function play(event) {
    var link = event.currentTarget;
    var src = link.getAttribute("data-trailer-embed");
    if (!src || src.indexOf("https://www.youtube-nocookie.com/embed/") !== 0) {
      return; // not ours to handle: follow the link
    }
    event.preventDefault();
    var frame = document.createElement("iframe");
    frame.className = "trailer__player";
    frame.src = src;
    frame.title = link.getAttribute("data-trailer-title") || "Trailer";
    frame.allow = "autoplay; encrypted-media; picture-in-picture; fullscreen";
    frame.allowFullscreen = true;
    frame.referrerPolicy = "strict-origin-when-cross-origin";
    link.replaceWith(frame);
    frame.focus();
  }

  function init() {
    document.querySelectorAll("a[data-trailer-embed]").forEach(function (link) {
      if (!link.hasAttribute("data-trailer-ready")) {
        link.setAttribute("data-trailer-ready", "");
        link.addEventListener("click", play);
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
