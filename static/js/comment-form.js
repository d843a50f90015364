// The review page is shared by every reader (and by caches), so what is one reader's own lives
// in their browser, not in the page:
// - the form's tokens: fetched when the reader starts on the form (a submit that comes before
//   they arrive waits for them; if they cannot be had, the form posts as it is and the server
//   asks the reader to confirm the comment: nothing is lost);
// - their name and e-mail address, kept in localStorage for the next comment;
// - receipts for their comments awaiting moderation, which fetch those comments (from a small
//   uncached endpoint) to show them to this reader alone, marked as awaiting moderation.
(function () {
  "use strict";
  var form = document.getElementById("comment-form");
  var mine = document.getElementById("my-comments");
  var PEOPLE_KEY = "marquee:commenter";
  var RECEIPTS_KEY = "marquee:comment-receipts";
  var MAX_RECEIPTS = 20;

  function load(key, fallback) {
    try {
      var value = JSON.parse(window.localStorage.getItem(key));
      return value === null ? fallback : value;
    } catch (error) {
      return fallback;
    }
  }

  function save(key, value) {
    try {
      window.localStorage.setItem(key, JSON.stringify(value));
    } catch (error) {
      // Storage full or refused (private mode): the page works without it.
    }
  }

  // The site's JSON answer, or null when it refuses.
  function getJson(url) {
    return fetch(url, {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    }).then(function (response) {
      return response.ok ? response.json() : null;
    });
  }

  // Tokens.
  var pending = null;
  function fetchTokens() {
    if (!form || !form.dataset.tokensUrl) {
      return Promise.resolve();
    }
    if (!pending) {
      var url = form.dataset.tokensUrl;
      var shown = form.elements.form_shown;
      if (shown && shown.value) {
        url += "?shown=" + encodeURIComponent(shown.value);
      }
      pending = getJson(url)
        .then(function (tokens) {
          if (tokens) {
            form.elements.csrfmiddlewaretoken.value = tokens.csrfmiddlewaretoken;
            form.elements.form_token.value = tokens.form_token;
          }
        })
        .catch(function () {});
    }
    return pending;
  }

  // Name and e-mail, remembered for the next comment.
  function remember() {
    var name = form.elements.name;
    var email = form.elements.email;
    if (name && email && name.value && email.value) {
      save(PEOPLE_KEY, { name: name.value, email: email.value });
    }
  }

  function recall() {
    var known = load(PEOPLE_KEY, null);
    var name = form.elements.name;
    var email = form.elements.email;
    if (!known || !name || !email) {
      return;
    }
    if (!name.value && typeof known.name === "string") {
      name.value = known.name;
    }
    if (!email.value && typeof known.email === "string") {
      email.value = known.email;
    }
  }

  // Back from posting: the focus goes to what the page says about the comment (a status
  // present at page load is not announced by itself), so readers land on it.
  var posted = document.querySelector(".comments__notice");
  if (posted) {
    window.addEventListener("load", function () {
      posted.focus();
    });
  }

  if (form) {
    var button = form.querySelector('button[type="submit"]');
    var sending = false;
    recall();
    // A comment sent back (not posted, or to confirm): the focus goes to what the page says
    // about it, so a screen reader reads that first.
    // (Once the page has loaded: going to the page's #comment-form would take the focus back.)
    var notice = form.querySelector(".comment-form__errors, .comment-form__notice");
    if (notice) {
      window.addEventListener("load", function () {
        notice.focus();
      });
    }
    form.addEventListener("focusin", fetchTokens);
    form.addEventListener("submit", function (event) {
      if (sending) {
        event.preventDefault(); // a second click while the first is on its way
        return;
      }
      remember();
      sending = true;
      if (button) {
        button.setAttribute("aria-disabled", "true");
        button.classList.add("is-sending");
      }
      if (form.elements.form_token.value) {
        return;
      }
      event.preventDefault();
      fetchTokens().then(function () {
        HTMLFormElement.prototype.submit.call(form);
      });
    });
    // Back from the next page (the browser's page cache keeps this one as it was): send again.
    window.addEventListener("pageshow", function () {
      sending = false;
      if (button) {
        button.removeAttribute("aria-disabled");
        button.classList.remove("is-sending");
      }
    });
  }

  // This reader's comments awaiting moderation.
  if (!mine || !mine.dataset.url) {
    return;
  }
  var page = mine.dataset.url;
  var receipts = load(RECEIPTS_KEY, {});
  if (typeof receipts !== "object" || receipts === null || Array.isArray(receipts)) {
    receipts = {};
  }
  var here = Array.isArray(receipts[page]) ? receipts[page] : [];
  document.querySelectorAll("[data-comment-receipt]").forEach(function (element) {
    var receipt = element.getAttribute("data-comment-receipt");
    if (receipt && here.indexOf(receipt) === -1) {
      here.push(receipt);
    }
  });
  here = here.slice(-MAX_RECEIPTS);
  receipts[page] = here;
  save(RECEIPTS_KEY, receipts);
  if (!here.length) {
    return;
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    node.textContent = text || "";
    return node;
  }

  // A reply goes under the comment it answers, as the approved thread nests replies
  // (reviews/templatetags/comment_tags.py), and says whom it answers; the rest go in the
  // reader's own list.
  function show(comment) {
    var parent = comment.parent ? document.getElementById("comment-" + comment.parent) : null;
    var list = mine;
    if (parent) {
      list = parent.querySelector(":scope > .comment-list--replies") ||
        parent.appendChild(element("ol", "comment-list comment-list--replies"));
    }
    var item = list.appendChild(element("li", "comment comment--mine"));
    item.id = "comment-" + comment.id;
    var card = item.appendChild(element("article", "comment__card"));
    var meta = card.appendChild(element("header", "comment__meta"));
    var author = meta.appendChild(element("p", "comment__author"));
    author.appendChild(document.createElement("bdi")).textContent = comment.name;
    author.appendChild(document.createTextNode(" "));
    author.appendChild(
      element("span", "comment__badge comment__badge--pending", "Awaiting moderation — only you can see this")
    );
    var when = meta.appendChild(element("time", "", comment.submitted_display));
    when.setAttribute("datetime", comment.submitted);
    if (comment.parent) {
      var named = parent && parent.querySelector(".comment__author");
      var name = named && named.firstChild ? named.firstChild.textContent.trim() : "";
      var to = meta.appendChild(element("p", "comment__reply-to", "In reply to "));
      var link = to.appendChild(element("a", "", name || "a comment"));
      link.href = "#comment-" + comment.parent;
    }
    var text = card.appendChild(element("div", "comment__text"));
    text.dir = "auto";
    text.innerHTML = comment.body_html; // escaped by the server when the comment was saved
  }

  var query = here.map(function (receipt) {
    return "r=" + encodeURIComponent(receipt);
  }).join("&");
  getJson(page + "?" + query)
    .then(function (answer) {
      if (!answer) {
        return;
      }
      answer.comments.forEach(show);
      mine.hidden = mine.children.length === 0;
      var empty = document.querySelector(".comments__empty");
      if (empty && answer.comments.length) {
        empty.hidden = true; // "No comments yet." reads oddly under one's own
      }
      receipts[page] = answer.keep;
      save(RECEIPTS_KEY, receipts);
    })
    .catch(function () {});
})();
