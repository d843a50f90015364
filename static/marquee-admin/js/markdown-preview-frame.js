// Each Markdown field's own preview (django-markdownx's, under the text) drawn in the readers'
// styles: markdownx keeps writing its sanitised HTML into its preview element, which is hidden;
// a frame holding the public stylesheet shows a copy, laid out as on the review page (the
// intro with its drop cap, a section's body). In a frame, no admin style reaches the text (an
// admin h3 is not upper case on the site). The stylesheet's address comes from the live
// preview's panel (includes/live_preview.html).
"use strict";
{
    const MAX_HEIGHT = 480;

    function page(stylesheet, isIntro) {
        const holder = isIntro ? '<div class="review-intro" data-copy></div>' :
            '<section class="review-section"><div data-copy></div></section>';
        return '<!doctype html><html lang="en"><head><meta charset="utf-8">' +
            `<link rel="stylesheet" href="${stylesheet}"></head>` +
            '<body class="page-review markdown-frame"><div class="review-body wrap"><div class="prose">' +
            holder + "</div></div></body></html>";
    }

    function mirror(editor, stylesheet) {
        const preview = editor.querySelector(".markdownx-preview");
        const textarea = editor.querySelector("textarea");
        if (!preview || !textarea || editor.querySelector(".markdown-frame")) {
            return;
        }
        const frame = document.createElement("iframe");
        frame.className = "markdown-frame";
        frame.title = "Preview of this field as readers will see it";
        // Read-only: Tab goes from the text to the next field, not into the copy of it.
        frame.tabIndex = -1;
        frame.hidden = true;
        const isIntro = textarea.name === "intro";
        preview.classList.add("markdownx-preview--mirrored");
        preview.after(frame);

        function copy() {
            const doc = frame.contentDocument;
            const holder = doc && doc.querySelector("[data-copy]");
            if (!holder) {
                return;
            }
            holder.innerHTML = preview.innerHTML;  // markdownx's: rendered and sanitised by us
            frame.hidden = !preview.innerHTML.trim();
            frame.style.height = Math.min(MAX_HEIGHT, doc.documentElement.scrollHeight) + "px";
        }

        frame.addEventListener("load", () => {
            copy();
            // The stylesheet may still be arriving: measure again once it has.
            const link = frame.contentDocument.querySelector("link");
            if (link) {
                link.addEventListener("load", copy);
            }
        });
        frame.srcdoc = page(stylesheet, isIntro);
        new MutationObserver(copy).observe(preview, {childList: true, subtree: true, characterData: true});
    }

    function mirrorAll(root, stylesheet) {
        root.querySelectorAll(".markdownx").forEach((editor) => {
            if (!editor.closest(".empty-form")) {
                mirror(editor, stylesheet);
            }
        });
    }

    document.addEventListener("DOMContentLoaded", () => {
        const panel = document.getElementById("live-preview");
        const stylesheet = panel && panel.dataset.stylesheet;
        if (!stylesheet) {
            return;
        }
        mirrorAll(document, stylesheet);
        document.addEventListener("formset:added", (event) => mirrorAll(event.target, stylesheet));
    });
}
