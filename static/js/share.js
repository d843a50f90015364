// Share buttons (templates/reviews/includes/share.html): "Copy link" with the Clipboard API and
// "Share…" with the Web Share API, each shown only where the browser has it. No third party.
(function () {
  "use strict";
  document.querySelectorAll(".share").forEach(function (share) {
    var url = share.dataset.shareUrl;
    var title = share.dataset.shareTitle;
    var status = share.querySelector(".share__status");
    var native = share.querySelector("[data-share-native]");
    var copy = share.querySelector("[data-share-copy]");

    function say(message) {
      status.textContent = message;
      status.classList.remove("visually-hidden");
    }

    if (navigator.share) {
      native.hidden = false;
      native.querySelector("button").addEventListener("click", function () {
        navigator.share({ title: title, url: url }).catch(function () {});
      });
    }
    if (navigator.clipboard && window.isSecureContext) {
      copy.hidden = false;
      copy.querySelector("button").addEventListener("click", function () {
        navigator.clipboard.writeText(url).then(
          function () { say("Link copied."); },
          function () { say("Could not copy the link: " + url); }
        );
      });
    }
  });
})();
