// A library image chosen for a field (a review's hero, a film's poster or backdrop, a person's
// photo) through the magnifier's popup, or typed: its "as shown" box says so at once, with the
// image as the library renders it (the Markdown editor's own rendering of `![[image:N]]`,
// sanitised by the server), instead of showing the image saved before, or none, until the save.
//
// Django's popup code (RelatedObjectLookups.js) writes the chosen id into the field and fires a
// jQuery "change"; typing fires the browser's own.
"use strict";
{
    const PREVIEWS = {
        hero: "hero_preview",
        poster: "poster_preview",
        backdrop: "backdrop_preview",
        photo: "photo_preview",
    };
    const MARKDOWNIFY = "/markdownx/markdownify/";  // config/urls.py

    function show(box, id) {
        if (!/^\d+$/.test(id)) {
            box.textContent = id ? "Not an image number." : "None chosen: saved, this field is empty.";
            return;
        }
        const body = new URLSearchParams({content: `![[image:${id}]]`});
        fetch(MARKDOWNIFY, {
            method: "POST",
            body,
            credentials: "same-origin",
            headers: {"X-CSRFToken": window.marqueeAdmin.csrfToken()},
        })
            .then((response) => (response.ok ? response.text() : ""))
            .then((html) => {
                if (!html.includes("<img")) {
                    box.textContent = `No image in the library has the number ${id}.`;
                    return;
                }
                const note = document.createElement("p");
                note.className = "help";
                note.textContent = `Image ${id} chosen: it is saved with the form.`;
                box.innerHTML = html;  // rendered and sanitised by the server
                box.prepend(note);
            })
            .catch(() => {
                box.textContent = `Image ${id} chosen: it is saved with the form.`;
            });
    }

    document.addEventListener("DOMContentLoaded", () => {
        Object.entries(PREVIEWS).forEach(([field, preview]) => {
            const input = document.getElementById(`id_${field}`);
            const box = document.querySelector(`.field-${preview} .readonly`);
            if (!input || !box) {
                return;
            }
            const update = () => show(box, input.value.trim());
            if (window.django && window.django.jQuery) {
                // The popup's hand-back, and the browser's own change (jQuery hears both).
                window.django.jQuery(input).on("change", update);
            } else {
                input.addEventListener("change", update);
            }
        });
    });
}
