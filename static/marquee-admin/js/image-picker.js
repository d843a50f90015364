// The "Image" button of a section's Markdown toolbar (markdown-toolbar.js): it opens the image
// library (images/admin.py) in a popup, as Django's raw-id lookups do, where an image is chosen
// or a new one uploaded; the chosen image's reference, a line `![[image:42]]`, goes in at the
// cursor and renders as a figure (images/figures.py), in the live preview too.
//
// Django's own popup code (admin/js/admin/RelatedObjectLookups.js, on every change form) hands
// the chosen id back: it writes it into the element whose id is the popup window's name (less
// its "__1" suffix) and fires a jQuery "change" there. Each section's editor gets such a hidden
// element, which only this script reads; it has no name, so the form never posts it.
//
// This file may load before jQuery and the toolbar (the inline's media come first), so it starts
// once every script ran and the toolbars are there.
"use strict";
{

    function reference(id) {
        return `![[image:${id}]]`;
    }

    // The reference as a paragraph of its own, in place of the selection (paragraph.js).
    function insert(textarea, id) {
        window.marqueeEditor.insertParagraph(
            textarea, reference(id), textarea.selectionStart, textarea.selectionEnd);
    }

    function equip(root) {
        root.querySelectorAll("textarea.markdownx-editor[data-image-library]").forEach((textarea) => {
            if (textarea.name.includes("__prefix__")) {
                return;  // the template of "Add another section": equipped when added
            }
            const field = textarea.closest(".markdownx");
            const bar = field && field.querySelector(".md-toolbar");
            if (!bar || bar.querySelector(".md-toolbar__button--image")) {
                return;
            }
            const button = document.createElement("button");
            button.type = "button";
            button.className = "md-toolbar__button md-toolbar__button--image";
            button.textContent = "Image";
            button.setAttribute("aria-label", "Image from the library");
            button.title = "Choose an image from the library, or upload one";
            button.tabIndex = -1;
            bar.appendChild(button);

            const chosen = document.createElement("input");
            chosen.type = "hidden";
            chosen.id = `image_for_${textarea.id}`;
            chosen.className = "image-picker__chosen";
            bar.after(chosen);
            window.django.jQuery(chosen).on("change", () => {
                const id = chosen.value.split(",").pop();
                chosen.value = "";
                if (/^\d+$/.test(id)) {
                    insert(textarea, id);
                }
            });

            button.addEventListener("click", () => {
                const url = new URL(textarea.dataset.imageLibrary, window.location.href);
                url.searchParams.set("_popup", "1");
                // "__1": the suffix Django's popup code strips from the window's name.
                const win = window.open(url, `${chosen.id}__1`,
                    "height=640,width=900,resizable=yes,scrollbars=yes");
                if (win) {
                    window.relatedWindows && window.relatedWindows.push(win);
                    win.focus();
                }
            });
        });
    }

    document.addEventListener("DOMContentLoaded", () => {
        window.setTimeout(() => equip(document));  // after markdown-toolbar.js's own handler
    });
    // A section added later gets its button once its toolbar is there.
    document.addEventListener("formset:added", (event) => {
        window.setTimeout(() => equip(event.target));
    });
}
