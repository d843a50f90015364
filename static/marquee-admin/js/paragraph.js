// One helper of the review form's Markdown editors, shared by image-picker.js (an image chosen
// in the library) and editor-upload.js (an image dropped or pasted): put a line in as a
// paragraph of its own, with blank lines around it where there are none, in place of the text
// from `start` to `end`, then tell the editor's listeners (preview, change guard) it changed.
"use strict";
window.marqueeEditor = window.marqueeEditor || {};
window.marqueeEditor.insertParagraph = function (textarea, text, start, end) {
    const value = textarea.value;
    const before = value.slice(0, start);
    const after = value.slice(end);
    const lead = before === "" || before.endsWith("\n\n") ? ""
        : before.endsWith("\n") ? "\n" : "\n\n";
    const tail = after === "" ? "\n" : after.startsWith("\n\n") ? ""
        : after.startsWith("\n") ? "\n" : "\n\n";
    textarea.focus();
    textarea.setRangeText(lead + text + tail, start, end, "end");
    textarea.dispatchEvent(new Event("input", {bubbles: true}));
};
