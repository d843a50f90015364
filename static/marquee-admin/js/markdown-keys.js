// markdownx turns Tab and Shift+Tab into indentation, which traps a keyboard user inside every
// Markdown field. Let Tab move focus as everywhere else: this listener runs before markdownx's
// (the document's capture phase comes first) and keeps the key from reaching it. Indenting
// stays available with Ctrl+] and Ctrl+[ (⌘ on a Mac), markdownx's own shortcuts.
"use strict";
{
    document.addEventListener("keydown", (event) => {
        if (event.key !== "Tab" || event.ctrlKey || event.altKey || event.metaKey) {
            return;
        }
        if (event.target.classList && event.target.classList.contains("markdownx-editor")) {
            event.stopPropagation();  // the browser's default, moving focus, still happens
        }
    }, true);
    document.addEventListener("DOMContentLoaded", () => {
        document.querySelectorAll(".markdownx-editor").forEach((editor) => {
            if (!editor.getAttribute("aria-describedby")) {
                editor.setAttribute("aria-describedby", "markdown-keys-help");
            }
        });
        const help = document.createElement("p");
        help.id = "markdown-keys-help";
        help.className = "visually-hidden";
        help.textContent = "Markdown. Tab moves to the next field; Ctrl+] and Ctrl+[ indent.";
        (document.querySelector("main") || document.body).appendChild(help);
    });
}
