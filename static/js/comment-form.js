// The review page is shared by every reader (and by caches), so its comment form arrives without
// tokens of its own. When the reader starts on the form, fetch this visit's CSRF token and signed
// form token; a submit that comes before they arrive waits for them. If they cannot be had, the
// form posts as it is and the server asks the reader to confirm the comment: nothing is lost.
(function () {
  "use strict";
  var form = document.getElementById("comment-form");
  if (!form || !form.dataset.tokensUrl) {
    return;
  }
  var pending = null;

  function fetchTokens() {
    if (!pending) {
      pending = fetch(form.dataset.tokensUrl, {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      })
        .then(function (response) {
          return response.ok ? response.json() : null;
        })
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

  form.addEventListener("focusin", fetchTokens);
  form.addEventListener("submit", function (event) {
    if (form.elements.form_token.value) {
      return;
    }
    event.preventDefault();
    fetchTokens().then(function () {
      HTMLFormElement.prototype.submit.call(form);
    });
  });
})();
