// Writing aids for every Markdown field of the review form (no inline script: CSP):
// - a small toolbar (bold, italic, link, heading, quote, list, spoiler; sections add Image,
//   image-picker.js), one Tab stop, arrow keys within it (a WAI-ARIA toolbar with a roving
//   tabindex);
// - shortcuts in the field: Ctrl+B bold, Ctrl+I italic, Ctrl+K link (⌘ on a Mac); Ctrl+S
//   anywhere in the form saves it and stays on the page ("Save and continue editing");
// - a live word count and reading time under each field, and for the whole review above
//   the form (read-only text counted too).
// Tab keeps moving focus out of the field (markdown-keys.js). Every change goes through an
// "input" event, so the preview, the leave-page guard and autosave follow it.
"use strict";
{
    const WORDS_PER_MINUTE = 230;
    const ACTIONS = [
        {name: "bold", label: "Bold", text: "B", keys: "Ctrl+B"},
        {name: "italic", label: "Italic", text: "I", keys: "Ctrl+I"},
        {name: "link", label: "Link", text: "Link", keys: "Ctrl+K"},
        {name: "heading", label: "Heading", text: "H"},
        {name: "quote", label: "Quote", text: "❝"},
        {name: "list", label: "Bulleted list", text: "•"},
        // `>! ` lines: a closed "Spoiler" disclosure on the page (reviews/markdown.py).
        {name: "spoiler", label: "Spoiler (hidden until the reader opens it)", text: "Spoiler"},
    ];
    const SHORTCUTS = {b: "bold", i: "italic", k: "link"};

    function isEditor(element) {
        return element && element.classList && element.classList.contains("markdownx-editor");
    }

    function replaceSelection(textarea, text, selectFrom, selectTo) {
        const start = textarea.selectionStart;
        textarea.focus();
        textarea.setRangeText(text, start, textarea.selectionEnd, "end");
        if (selectFrom !== undefined) {
            textarea.setSelectionRange(start + selectFrom, start + selectTo);
        }
        textarea.dispatchEvent(new Event("input", {bubbles: true}));
    }

    function wrap(textarea, mark, placeholder) {
        const chosen = textarea.value.slice(textarea.selectionStart, textarea.selectionEnd);
        const inner = chosen || placeholder;
        replaceSelection(textarea, mark + inner + mark, mark.length, mark.length + inner.length);
    }

    function prefixLines(textarea, prefix) {
        const value = textarea.value;
        const start = value.lastIndexOf("\n", textarea.selectionStart - 1) + 1;
        const end = textarea.selectionEnd;
        textarea.setSelectionRange(start, end);
        const lines = value.slice(start, end).split("\n");
        const text = lines.map((line) => (line.startsWith(prefix) ? line : prefix + line))
            .join("\n");
        replaceSelection(textarea, text, text.length, text.length);
    }

    function apply(textarea, action) {
        switch (action) {
        case "bold":
            return wrap(textarea, "**", "bold text");
        case "italic":
            return wrap(textarea, "*", "italic text");
        case "link": {
            const chosen = textarea.value.slice(textarea.selectionStart, textarea.selectionEnd);
            const label = chosen || "link text";
            const text = `[${label}](https://)`;
            // The address is selected, ready to be typed over.
            return replaceSelection(textarea, text, label.length + 3, text.length - 1);
        }
        case "heading":
            return prefixLines(textarea, "### ");
        case "quote":
            return prefixLines(textarea, "> ");
        case "list":
            return prefixLines(textarea, "- ");
        case "spoiler":
            return prefixLines(textarea, ">! ");
        }
        return undefined;
    }

    function countWords(text) {
        // Link and image addresses, and library images' references, are not words a reader reads.
        const read = text.replace(/!\[\[image:\d+\]\]/g, " ").replace(/\]\([^)]*\)/g, "] ")
            .replace(/https?:\/\/\S+/g, " ");
        const words = read.replace(/[#>*_`[\]()!-]+/g, " ").match(/[\p{L}\p{N}'’]+/gu);
        return words ? words.length : 0;
    }

    function describe(words) {
        const minutes = Math.max(1, Math.round(words / WORDS_PER_MINUTE));
        return `${words} word${words === 1 ? "" : "s"} · ${words ? minutes : 0} min read`;
    }

    // A page the user may only read (a writer's review in review, or a live one whose changes
    // wait for an editor) shows the Markdown source as text, its line breaks as <br>.
    const READ_ONLY_MARKDOWN = ".field-intro .readonly, #sections-group .field-body .readonly";

    function shownText(element) {
        return [...element.childNodes]
            .map((node) => (node.nodeName === "BR" ? "\n" : node.textContent)).join("");
    }

    function updateCounts() {
        let total = 0;
        document.querySelectorAll(READ_ONLY_MARKDOWN).forEach((element) => {
            total += countWords(shownText(element));
        });
        document.querySelectorAll("textarea.markdownx-editor").forEach((textarea) => {
            if (textarea.name.includes("__prefix__")) {
                return;  // the template of "Add another section"
            }
            const words = countWords(textarea.value);
            total += words;
            const count = textarea.closest(".markdownx")
                && textarea.closest(".markdownx").querySelector(".md-count");
            if (count) {
                count.textContent = describe(words);
            }
        });
        const whole = document.getElementById("review-word-count");
        if (whole) {
            whole.textContent = `Whole review: ${describe(total)}`;
        }
    }

    function toolbar() {
        const bar = document.createElement("div");
        bar.className = "md-toolbar";
        bar.setAttribute("role", "toolbar");
        bar.setAttribute("aria-label", "Markdown formatting");
        ACTIONS.forEach((action, index) => {
            const button = document.createElement("button");
            button.type = "button";
            button.className = `md-toolbar__button md-toolbar__button--${action.name}`;
            button.dataset.md = action.name;
            button.textContent = action.text;
            button.setAttribute("aria-label", action.keys ? `${action.label} (${action.keys})`
                : action.label);
            button.title = button.getAttribute("aria-label");
            button.tabIndex = index === 0 ? 0 : -1;
            bar.appendChild(button);
        });
        return bar;
    }

    function equip(root) {
        root.querySelectorAll(".markdownx").forEach((field) => {
            const textarea = field.querySelector("textarea.markdownx-editor");
            if (!textarea || field.querySelector(".md-toolbar")) {
                return;
            }
            textarea.before(toolbar());
            const count = document.createElement("p");
            count.className = "md-count help";
            count.setAttribute("aria-live", "polite");
            textarea.after(count);
        });
    }

    document.addEventListener("DOMContentLoaded", () => {
        const form = document.getElementById("review_form");
        if (!form) {
            return;
        }
        equip(form);
        const whole = document.createElement("p");
        whole.id = "review-word-count";
        whole.className = "md-count md-count--total";
        whole.setAttribute("aria-live", "polite");
        const first = form.querySelector("fieldset");
        if (first) {
            first.before(whole);
        }
        updateCounts();

        form.addEventListener("input", (event) => {
            if (isEditor(event.target)) {
                updateCounts();
            }
        });
        form.addEventListener("click", (event) => {
            const button = event.target.closest("[data-md]");
            if (!button) {
                return;
            }
            const field = button.closest(".markdownx");
            apply(field.querySelector("textarea.markdownx-editor"), button.dataset.md);
        });
        form.addEventListener("keydown", (event) => {
            const bar = event.target.closest && event.target.closest(".md-toolbar");
            if (bar) {  // arrow keys move along the toolbar; Tab leaves it
                const buttons = [...bar.querySelectorAll("button")];
                const at = buttons.indexOf(event.target);
                const next = {ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0,
                              End: buttons.length - 1}[event.key];
                if (next !== undefined) {
                    event.preventDefault();
                    const target = buttons[(next + buttons.length) % buttons.length];
                    buttons.forEach((b) => { b.tabIndex = b === target ? 0 : -1; });
                    target.focus();
                }
                return;
            }
            if (!(event.ctrlKey || event.metaKey) || event.altKey || event.shiftKey) {
                return;
            }
            const key = event.key.toLowerCase();
            if (key === "s") {
                event.preventDefault();
                const save = form.querySelector('input[name="_continue"]');
                if (save) {
                    save.click();
                }
                return;
            }
            if (isEditor(event.target) && SHORTCUTS[key]) {
                event.preventDefault();
                apply(event.target, SHORTCUTS[key]);
            }
        });
    });
    // A section added later gets its toolbar and count too.
    document.addEventListener("formset:added", (event) => {
        equip(event.target);
        updateCounts();
    });
}
