// markdownx starts its editors once, when the page loads. A section added with "Add another
// section" is a clone of the inline's hidden template row, made later, and its editor would
// stay a plain textarea. markdownx has no public API to start one editor, but running its
// script again starts every editor not yet started, so do that for each added row.
"use strict";
{
    document.addEventListener("formset:added", (event) => {
        const editors = event.target.querySelectorAll(".markdownx .markdownx-editor");
        if (!editors.length) {
            return;
        }
        // The clone copied the template's "already started" marker: clear it.
        editors.forEach((editor) => editor.removeAttribute("data-markdownx-init"));
        const loaded = document.querySelector('script[src*="markdownx/js/markdownx"]');
        if (!loaded) {
            return;
        }
        const script = document.createElement("script");
        script.src = loaded.src;
        if (loaded.nonce) {
            script.nonce = loaded.nonce;
        }
        document.head.appendChild(script);
    });
}
