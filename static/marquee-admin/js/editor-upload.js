// An image dropped or pasted into a Markdown field goes into the image library, described.
//
// markdownx would upload it at once and type a bare Markdown URL with empty alt text; this takes
// the drop or paste first (it listens in the document's capture phase and stops the event) and
// asks for the alt text (or "decorative"), a caption and a credit in a modal <dialog> (Escape or
// Cancel closes it, and nothing goes in). "Add to the library" posts the file with its
// description to the editor's upload endpoint (reviews/editor.py), which stores it as a library
// Image and answers its reference; the reference goes in as a paragraph of its own where the
// image was dropped (or at the cursor, for a paste), and renders as a figure in the preview.
// A refusal (no alt text, not an image, too large) is shown in the dialog, which stays open with
// what was typed: nothing is lost, from the dialog or from the text.
"use strict";
{
    function element(tag, attributes = {}, text = "") {
        const node = document.createElement(tag);
        Object.entries(attributes).forEach(([name, value]) => node.setAttribute(name, value));
        if (text) {
            node.textContent = text;
        }
        return node;
    }

    // A labelled field of the dialog, with its help text and error line.
    function row(id, label, control, help) {
        const wrapper = element("div", {class: "image-drop__row"});
        control.id = id;
        const name = element("label", {for: id}, label);
        const error = element("p", {class: "image-drop__error", id: `${id}_error`});
        error.hidden = true;
        wrapper.append(name, control);
        if (help) {
            const note = element("p", {class: "help", id: `${id}_help`}, help);
            control.setAttribute("aria-describedby", note.id);
            wrapper.append(note);
        }
        wrapper.append(error);
        return wrapper;
    }

    let dialog = null;

    function buildDialog() {
        dialog = element("dialog", {class: "image-drop", "aria-labelledby": "image-drop-title"});
        const form = element("form", {method: "dialog", class: "image-drop__form"});
        const title = element("h2", {id: "image-drop-title"}, "Add the image to the library");
        const figure = element("img", {class: "image-drop__preview", alt: ""});
        const file = element("p", {class: "image-drop__file"});
        const problem = element("p", {class: "image-drop__problem errornote", role: "alert", tabindex: "-1"});
        problem.hidden = true;

        const alt = element("textarea", {name: "alt", rows: "2", maxlength: "300"});
        const decorative = element("input", {type: "checkbox", name: "decorative"});
        const decorativeRow = element("div", {class: "image-drop__row image-drop__row--check"});
        decorative.id = "image_drop_decorative";
        decorativeRow.append(decorative, element("label", {for: decorative.id},
            "Decorative: it adds nothing the text does not say (screen readers skip it)"));
        const caption = element("input", {type: "text", name: "caption", maxlength: "500"});
        const credit = element("input", {type: "text", name: "credit", maxlength: "200"});

        const buttons = element("div", {class: "image-drop__buttons"});
        const add = element("button", {type: "submit", value: "add", class: "button default"},
            "Add to the library");
        const cancel = element("button", {type: "button", value: "cancel", class: "button"}, "Cancel");
        buttons.append(add, cancel);

        form.append(
            title, figure, file, problem,
            row("image_drop_alt", "Alt text", alt,
                "What the image shows, for readers who cannot see it. Required unless the image is decorative."),
            decorativeRow,
            row("image_drop_caption", "Caption (optional)", caption, "Shown under the image."),
            row("image_drop_credit", "Credit / copyright (optional)", credit,
                "Photographer, studio or agency, e.g. “© Lionsgate”."),
            buttons,
        );
        dialog.append(form);
        document.body.append(dialog);
        cancel.addEventListener("click", () => dialog.close("cancel"));
        decorative.addEventListener("change", () => {
            alt.disabled = decorative.checked;
        });
        // A field's error goes once the field is changed.
        form.addEventListener("input", (event) => {
            const error = dialog.querySelector(`#${event.target.id}_error`);
            if (error) {
                error.hidden = true;
                event.target.removeAttribute("aria-invalid");
            }
        });
        return dialog;
    }

    function reset(parts) {
        parts.form.reset();
        parts.alt.disabled = false;
        parts.add.disabled = false;
        parts.problem.hidden = true;
        dialog.querySelectorAll(".image-drop__error").forEach((error) => {
            error.hidden = true;
            error.textContent = "";
        });
        dialog.querySelectorAll("[aria-invalid]").forEach((field) => field.removeAttribute("aria-invalid"));
    }

    function showErrors(parts, answer, status) {
        let first = null;
        ["alt", "caption", "credit", "decorative"].forEach((name) => {
            const messages = answer[name];
            if (!messages) {
                return;
            }
            const field = parts[name];
            const error = dialog.querySelector(`#${field.id}_error`);
            if (!error) {
                return;
            }
            error.textContent = messages.join(" ");
            error.hidden = false;
            field.setAttribute("aria-invalid", "true");
            first = first || field;
        });
        const general = (answer.image && answer.image.join(" ")) || answer.error ||
            (first ? "" : `The server refused the image (HTTP ${status}).`);
        if (general) {
            parts.problem.textContent = `Image not added: ${general}`;
            parts.problem.hidden = false;
        }
        (first || parts.problem).focus();
    }

    // Ask for the description of `file`, post it; resolve with the reference, or null.
    function describe(editor, file) {
        if (!dialog) {
            buildDialog();
        }
        const form = dialog.querySelector("form");
        const parts = {
            form,
            alt: form.elements.alt,
            decorative: form.elements.decorative,
            caption: form.elements.caption,
            credit: form.elements.credit,
            problem: dialog.querySelector(".image-drop__problem"),
            add: form.querySelector("button[type=submit]"),
        };
        reset(parts);
        // Over the size cap: said at once, not after the whole file was sent (upload-limit.js).
        const refusal = window.marqueeAdmin.overSizeCap(file, editor);
        if (refusal) {
            parts.problem.textContent = `${refusal} Image not added: choose a smaller one.`;
            parts.problem.hidden = false;
            parts.add.disabled = true;
        }
        // A data: URL (the admin's CSP allows images from the site and data:, not blob:).
        const preview = dialog.querySelector(".image-drop__preview");
        preview.removeAttribute("src");
        const reader = new FileReader();
        reader.addEventListener("load", () => {
            if (dialog.open && /^data:image\/(png|jpeg|webp|gif);/.test(reader.result)) {
                preview.src = reader.result;
            }
        });
        reader.readAsDataURL(file);
        dialog.querySelector(".image-drop__file").textContent = file.name || "Pasted image";

        return new Promise((resolve) => {
            let done = null;
            async function submit(event) {
                event.preventDefault();
                if (refusal) {
                    return;  // Enter in a field submits even with the button disabled
                }
                parts.problem.hidden = true;
                const data = new FormData(form);
                data.append("image", file, file.name || "pasted.png");
                parts.add.disabled = true;
                dialog.classList.add("image-drop--busy");
                try {
                    const response = await fetch(editor.dataset.markdownxUploadUrlsPath, {
                        method: "POST", body: data, credentials: "same-origin",
                        headers: {"X-CSRFToken": window.marqueeAdmin.csrfToken()},
                    });
                    let answer = {};
                    try {
                        answer = await response.json();
                    } catch (error) {
                        answer = {};
                    }
                    if (response.ok && answer.image_code) {
                        done = answer.image_code;
                        dialog.close("add");
                        return;
                    }
                    dialog.querySelectorAll(".image-drop__error").forEach((error) => {
                        error.hidden = true;
                    });
                    showErrors(parts, answer, response.status);
                } catch (error) {
                    parts.problem.textContent = "Image not added: the server could not be reached. Try again.";
                    parts.problem.hidden = false;
                } finally {
                    parts.add.disabled = false;
                    dialog.classList.remove("image-drop--busy");
                }
            }
            form.addEventListener("submit", submit);
            dialog.addEventListener("close", () => {
                form.removeEventListener("submit", submit);
                reader.abort();
                preview.removeAttribute("src");
                editor.focus();
                resolve(done);
            }, {once: true});
            dialog.showModal();
            (refusal ? parts.problem : parts.alt).focus();
        });
    }

    // The reference as a paragraph of its own at `position` (paragraph.js).
    function insert(editor, text, position) {
        const at = Math.min(position, editor.value.length);
        window.marqueeEditor.insertParagraph(editor, text, at, at);
    }

    // Where in the text the pointer dropped, where the browser can tell; else the cursor.
    function dropPosition(editor, event) {
        if (event && document.caretPositionFromPoint) {
            const caret = document.caretPositionFromPoint(event.clientX, event.clientY);
            if (caret && caret.offsetNode === editor) {
                return caret.offset;
            }
        }
        return editor.selectionStart;
    }

    let queue = Promise.resolve();

    function take(event, transfer) {
        const editor = event.target;
        const files = transfer ? Array.from(transfer.files || []) : [];
        if (!editor.classList || !editor.classList.contains("markdownx-editor") || !files.length) {
            return;
        }
        event.preventDefault();
        event.stopPropagation();
        let position = dropPosition(editor, event.type === "drop" ? event : null);
        // One dialog after the other; each image goes in after the one before.
        files.forEach((file) => {
            queue = queue.then(async () => {
                const code = await describe(editor, file);
                if (code) {
                    insert(editor, code, position);
                    position = editor.selectionEnd;
                }
            });
        });
    }

    document.addEventListener("drop", (event) => take(event, event.dataTransfer), true);
    document.addEventListener("paste", (event) => take(event, event.clipboardData), true);
}
