// A library image chosen for a field (a review's hero, a film's poster or backdrop, a person's
// photo) through the magnifier's popup, or typed: the name beside the id box and the field's
// "as shown" box follow it at once, instead of showing the image saved before, or none, until
// the save. Both come from the server (films/admin.py: LibraryChoiceViews), drawn by the same
// code as after the save, so the preview keeps its size and crop.
//
// Django's popup code (RelatedObjectLookups.js) writes the chosen id into the field and fires a
// jQuery "change", but hands back no name, and leaves the old one beside the box; typing fires
// the browser's own "change".
"use strict";
{
    const CHOSEN = (id) => `Image ${id} chosen: it is saved with the form.`;

    // The <strong> Django's raw-id widget puts after the magnifier: the image's name, linked to
    // its library page. There is none when the form was shown without an image.
    function showLabel(input, label, url) {
        const holder = input.parentElement;
        let strong = holder.querySelector(":scope > strong");
        if (!label) {
            strong?.remove();
            return;
        }
        if (!strong) {
            strong = document.createElement("strong");
            holder.append(" ", strong);
        }
        const text = url ? document.createElement("a") : document.createTextNode("");
        if (url) {
            text.href = url;
        }
        text.textContent = label;
        strong.replaceChildren(text);
    }

    function show(input, box, asked) {
        const id = input.value.trim();
        if (!/^\d+$/.test(id)) {
            showLabel(input, "");
            box.textContent = id ? "Not an image number." : "None chosen: saved, this field is empty.";
            return;
        }
        fetch(input.dataset.libraryChoice, {
            method: "POST",
            body: new URLSearchParams({image: id}),
            credentials: "same-origin",
            headers: {"X-CSRFToken": window.marqueeAdmin.csrfToken()},
        })
            .then((response) => {
                if (response.status === 404) {
                    return {label: ""};
                }
                return response.ok ? response.json() : null;
            })
            .then((chosen) => {
                if (!asked()) {
                    return;  // another id was chosen since: its answer is the one to show
                }
                if (chosen === null) {
                    box.textContent = CHOSEN(id);
                    return;
                }
                showLabel(input, chosen.label, chosen.url);
                if (!chosen.label) {
                    box.textContent = `No image in the library has the number ${id}.`;
                    return;
                }
                const note = document.createElement("p");
                note.className = "help";
                note.textContent = CHOSEN(id);
                box.innerHTML = chosen.preview;  // built with format_html by the server
                box.prepend(note);
            })
            .catch(() => {
                if (asked()) {
                    box.textContent = CHOSEN(id);
                }
            });
    }

    document.addEventListener("DOMContentLoaded", () => {
        document.querySelectorAll("input[data-library-choice]").forEach((input) => {
            // A review's hero the user may only view is shown as "hero_preview_to_view".
            const box = document.querySelector(
                `.field-${input.name}_preview .readonly, .field-${input.name}_preview_to_view .readonly`,
            );
            if (!box) {
                return;
            }
            let asked = 0;
            const update = () => {
                const mine = ++asked;
                show(input, box, () => mine === asked);
            };
            if (window.django && window.django.jQuery) {
                // The popup's hand-back, and the browser's own change (jQuery hears both).
                window.django.jQuery(input).on("change", update);
            } else {
                input.addEventListener("change", update);
            }
        });
    });
}
