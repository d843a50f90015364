// Suggestions as you type in the header's search box: the ARIA 1.2 combobox pattern with a
// listbox popup. Without this script the box is a plain GET form to /search/, and it still is
// one: pressing Enter with no suggestion chosen submits the form as typed.
//
// Keys: Down/Up move through the suggestions (aria-activedescendant), Enter opens the chosen
// one, Escape closes the list (a second Escape clears the box), Tab leaves it. The number of
// suggestions, or a correction, is announced through a polite live region.
(function () {
  "use strict";
  var input = document.getElementById("site-search-q");
  if (!input || !input.dataset.suggestUrl || !window.fetch) {
    return;
  }
  var form = input.form;
  var DELAY = 150;
  var NAMES = { films: "Film", people: "Person", reviews: "Review", critics: "Critic" };

  var listbox = document.createElement("ul");
  listbox.id = "site-search-suggestions";
  listbox.className = "site-search__suggestions";
  listbox.setAttribute("role", "listbox");
  listbox.setAttribute("aria-label", "Suggestions");
  listbox.hidden = true;
  // A polite live region, not role="status": a page's own status messages keep that role.
  var status = document.createElement("div");
  status.id = "site-search-status";
  status.className = "visually-hidden";
  status.setAttribute("aria-live", "polite");
  status.setAttribute("aria-atomic", "true");
  form.appendChild(listbox);
  form.appendChild(status);

  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-expanded", "false");
  input.setAttribute("aria-controls", listbox.id);
  input.setAttribute("autocomplete", "off");

  var timer = null;
  var controller = null;
  var options = [];
  var active = -1;
  var lastQuery = null;

  var announcing = null;

  function announce(message) {
    // Cleared first, so the same message twice is still read out.
    status.textContent = "";
    window.clearTimeout(announcing);
    announcing = window.setTimeout(function () {
      status.textContent = message;
    }, 50);
  }

  function close() {
    listbox.hidden = true;
    input.setAttribute("aria-expanded", "false");
    choose(-1); // the chosen option is chosen no more: reopened, the list starts afresh
    // A list no longer shown is no longer counted: a screen reader reading the page later
    // would otherwise still find "3 suggestions" in the live region.
    window.clearTimeout(announcing);
    status.textContent = "";
  }

  function open() {
    if (options.length) {
      listbox.hidden = false;
      input.setAttribute("aria-expanded", "true");
    }
  }

  function choose(index) {
    if (active >= 0 && options[active]) {
      options[active].setAttribute("aria-selected", "false");
    }
    active = index;
    if (index < 0) {
      input.removeAttribute("aria-activedescendant");
      return;
    }
    var option = options[index];
    option.setAttribute("aria-selected", "true");
    input.setAttribute("aria-activedescendant", option.id);
    option.scrollIntoView({ block: "nearest" });
  }

  function render(data) {
    listbox.textContent = "";
    options = [];
    active = -1;
    // The kinds in data.order: the one whose first entry best matches what is typed first.
    data.order.forEach(function (group) {
      var items = data[group] || [];
      if (!items.length) {
        return;
      }
      var heading = document.createElement("li");
      heading.setAttribute("role", "presentation");
      heading.className = "site-search__group";
      heading.textContent = group === "people" ? "People" : NAMES[group] + "s";
      listbox.appendChild(heading);
      items.forEach(function (item) {
        var option = document.createElement("li");
        option.id = "site-search-option-" + options.length;
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        option.className = "site-search__option";
        option.dataset.url = item.url;
        var kind = document.createElement("span");
        kind.className = "visually-hidden";
        kind.textContent = NAMES[group] + ": ";
        var label = document.createElement("span");
        label.className = "site-search__label";
        label.textContent = item.label;
        option.appendChild(kind);
        option.appendChild(label);
        if (item.detail) {
          var detail = document.createElement("span");
          detail.className = "site-search__detail";
          detail.textContent = item.detail;
          option.appendChild(detail);
        }
        option.addEventListener("mousedown", function (event) {
          event.preventDefault(); // keep the focus in the box until we navigate
        });
        option.addEventListener("click", function () {
          window.location.assign(item.url);
        });
        options.push(option);
        listbox.appendChild(option);
      });
    });
    if (options.length) {
      open();
      var message =
        options.length + (options.length === 1 ? " suggestion" : " suggestions") +
        ". Use the up and down arrows to choose, Enter to open.";
      if (data.corrected) {
        message = "Showing suggestions for " + data.corrected + ". " + message;
      }
      announce(message);
    } else {
      close();
      announce("No suggestions. Press Enter to search.");
    }
  }

  function update() {
    var query = input.value.trim();
    if (query === lastQuery) {
      open();
      return;
    }
    lastQuery = query;
    if (controller) {
      controller.abort();
    }
    if (query.length < 2) {
      options = [];
      listbox.textContent = "";
      close();
      return;
    }
    controller = new AbortController();
    var url = input.dataset.suggestUrl + "?q=" + encodeURIComponent(query);
    fetch(url, {
      headers: { Accept: "application/json" },
      credentials: "same-origin",
      signal: controller.signal,
    })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (data) {
        if (data && input.value.trim() === query) {
          render(data);
        }
      })
      .catch(function () {}); // aborted or offline: the form still works
  }

  input.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(update, DELAY);
  });

  input.addEventListener("keydown", function (event) {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (listbox.hidden) {
        open();
        if (listbox.hidden) {
          return;
        }
      }
      event.preventDefault();
      var step = event.key === "ArrowDown" ? 1 : -1;
      var next = active + step;
      if (next >= options.length) {
        next = -1; // back to the text box, as it was typed
      } else if (next < -1) {
        next = options.length - 1;
      }
      choose(next);
    } else if (event.key === "Enter") {
      if (!listbox.hidden && active >= 0) {
        event.preventDefault();
        window.location.assign(options[active].dataset.url);
      }
    } else if (event.key === "Escape") {
      if (!listbox.hidden) {
        event.preventDefault();
        close();
      } else if (input.value) {
        event.preventDefault();
        input.value = "";
        lastQuery = null;
      }
    } else if (event.key === "Tab") {
      close();
    }
  });

  input.addEventListener("blur", function () {
    close();
  });
  input.addEventListener("focus", function () {
    if (input.value.trim().length >= 2 && options.length) {
      open();
    }
  });
})();
