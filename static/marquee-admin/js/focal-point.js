// The focal point of an image: click on the picture to set it. The two number fields it fills
// stay usable on their own (keyboard, no JavaScript); the marker follows them.
(function () {
  "use strict";

  function setUp(picker) {
    var image = picker.querySelector("img");
    var inputX = document.getElementById(picker.dataset.focusX);
    var inputY = document.getElementById(picker.dataset.focusY);
    if (!image || !inputX || !inputY) {
      return;
    }
    var marker = document.createElement("span");
    marker.className = "focal-picker__marker";
    marker.setAttribute("aria-hidden", "true");
    picker.appendChild(marker);

    function clamp(value) {
      var number = Math.round(Number(value));
      return isNaN(number) ? 50 : Math.min(Math.max(number, 0), 100);
    }

    function place() {
      marker.style.left = clamp(inputX.value) + "%";
      marker.style.top = clamp(inputY.value) + "%";
    }

    image.addEventListener("click", function (event) {
      var box = image.getBoundingClientRect();
      inputX.value = clamp(((event.clientX - box.left) / box.width) * 100);
      inputY.value = clamp(((event.clientY - box.top) / box.height) * 100);
      // Tell the form it changed (the leave-page guard and autosave listen for input).
      inputX.dispatchEvent(new Event("input", { bubbles: true }));
      inputY.dispatchEvent(new Event("input", { bubbles: true }));
      place();
    });
    inputX.addEventListener("input", place);
    inputY.addEventListener("input", place);
    place();
  }

  function start() {
    document.querySelectorAll(".focal-picker").forEach(setUp);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
