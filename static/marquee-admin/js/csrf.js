// The CSRF token for the admin scripts that post with fetch() (change-guard.js's autosave,
// editor-upload.js's upload, library-choice.js's preview of a chosen image): the one the page's
// form carries ({% csrf_token %}), sent as the X-CSRFToken header. `scope` is the form whose
// token to read; the page's first one by default.
"use strict";
window.marqueeAdmin = window.marqueeAdmin || {};
window.marqueeAdmin.csrfToken = function (scope = document) {
    const input = scope.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
};
