// Images dropped or pasted into a Markdown field go to the editor's upload endpoint. markdownx
// types "Invalid response" into the text when the server refuses one; this takes over the
// upload instead (it runs first, in the document's capture phase): on success it inserts the
// image's Markdown at the cursor, on refusal it shows the server's message beside the editor
// and inserts nothing.
"use strict";
{
    function csrfToken() {
        const input = document.querySelector("input[name=csrfmiddlewaretoken]");
        return input ? input.value : "";
    }

    function messageBox(editor) {
        const holder = editor.closest(".markdownx") || editor.parentElement;
        let box = holder.querySelector(".markdownx-upload-error");
        if (!box) {
            box = document.createElement("p");
            box.className = "markdownx-upload-error errornote";
            box.setAttribute("role", "alert");
            box.hidden = true;
            editor.insertAdjacentElement("afterend", box);
        }
        return box;
    }

    function insert(editor, text) {
        const start = editor.selectionStart;
        const end = editor.selectionEnd;
        editor.value = editor.value.slice(0, start) + text + editor.value.slice(end);
        editor.selectionStart = editor.selectionEnd = start + text.length;
        editor.dispatchEvent(new Event("input", {bubbles: true}));
    }

    async function upload(editor, file) {
        const box = messageBox(editor);
        box.hidden = true;
        const data = new FormData();
        data.append("image", file);
        editor.style.opacity = "0.3";
        try {
            const response = await fetch(editor.dataset.markdownxUploadUrlsPath, {
                method: "POST", body: data, credentials: "same-origin",
                headers: {"X-CSRFToken": csrfToken()},
            });
            let answer = {};
            try {
                answer = await response.json();
            } catch (error) {
                answer = {};
            }
            if (response.ok && answer.image_code) {
                insert(editor, answer.image_code);
                return;
            }
            const reason = (answer.image && answer.image[0]) || answer.error ||
                `The server refused the image (HTTP ${response.status}).`;
            box.textContent = `Image not added: ${reason}`;
            box.hidden = false;
        } catch (error) {
            box.textContent = "Image not added: the server could not be reached. Try again.";
            box.hidden = false;
        } finally {
            editor.style.opacity = "";
        }
    }

    function imageFiles(transfer) {
        return transfer ? Array.from(transfer.files || []) : [];
    }

    function take(event, files) {
        const editor = event.target;
        if (!editor.classList || !editor.classList.contains("markdownx-editor") || !files.length) {
            return;
        }
        event.preventDefault();
        event.stopPropagation();
        files.forEach((file) => upload(editor, file));
    }

    document.addEventListener("drop", (event) => take(event, imageFiles(event.dataTransfer)), true);
    document.addEventListener("paste", (event) => take(event, imageFiles(event.clipboardData)), true);
}
