// The live preview beside the review form (templates/admin/reviews/review/includes/
// live_preview.html). While it is shown, the form as it stands is posted (with its CSRF token,
// files left out) to the preview endpoint a moment after each change, and the answer, the
// readers' page of the unsaved review, is drawn in a frame: no admin style reaches it. The
// frame is as wide as a phone (390 px) or a desktop (1280 px), scaled down to fit the panel.
// Whether it is shown, and at which width, is remembered in this browser. Where it covers the
// form (narrower than 1100 px), the page behind it is inert, so Tab cannot reach a hidden
// button (Unpublish); Escape hides it, the focus in the frame included. Shown again at load
// only where it sits beside the form, and without the focus: the writer types in the form.
// The frame is one Tab stop (scrolled with the arrows and Page Down), not the ~60 links of
// the readers' page in it.
"use strict";
{
    const DELAY_MS = 500;
    const STORE = "marquee.livePreview";
    const TABBABLE = "a[href], area[href], button, input, select, textarea, summary, iframe, " +
        "audio[controls], video[controls], [tabindex], [contenteditable]";

    function remembered() {
        try {
            return JSON.parse(localStorage.getItem(STORE)) || {};
        } catch {
            return {};
        }
    }

    function remember(settings) {
        try {
            localStorage.setItem(STORE, JSON.stringify({...remembered(), ...settings}));
        } catch {
            // Private browsing may refuse: the preview works, it is just not remembered.
        }
    }

    function start(panel, form) {
        const url = panel.dataset.livePreviewUrl;
        const opener = document.querySelector("[data-live-preview-open]");
        const toggles = document.querySelectorAll(".live-preview-toggle");
        const stage = panel.querySelector(".live-preview__stage");
        const frame = panel.querySelector(".live-preview__frame");
        const status = panel.querySelector("[data-live-preview-status]");
        const widthButtons = panel.querySelectorAll(".live-preview__width");
        // The width last chosen in this browser; at first, the screen's own: on a phone the
        // 1280 px page shrunk to its width would be text some 7 px high.
        const chosen = remembered().width;
        const narrow = window.matchMedia("(max-width: 767px)").matches;
        let width = chosen === 390 || (!chosen && narrow) ? 390 : 1280;
        let timer = null;
        let sent = 0;
        let controller = null;
        const beside = window.matchMedia("(min-width: 1100px)");  // live-preview.css
        let covered = [];

        // Make inert what the panel covers (every element beside it and its ancestors), or
        // give it back.
        function cover(covering) {
            covered.forEach((element) => {
                element.inert = false;
            });
            covered = [];
            for (let node = panel; covering && node.parentElement; node = node.parentElement) {
                for (const other of node.parentElement.children) {
                    if (other !== node && !other.inert) {
                        other.inert = true;
                        covered.push(other);
                    }
                }
            }
        }

        function escape(event) {
            if (event.key === "Escape") {
                show(false);
            }
        }

        function fit() {
            const room = stage.clientWidth;
            const scale = Math.min(1, room / width);
            frame.style.width = width + "px";
            frame.style.height = Math.floor(stage.clientHeight / scale) + "px";
            frame.style.transform = scale < 1 ? `scale(${scale})` : "";
            frame.style.marginLeft = Math.max(0, (room - width * scale) / 2) + "px";
        }

        function setWidth(wanted) {
            width = wanted;
            widthButtons.forEach((button) => {
                button.setAttribute("aria-pressed", String(Number(button.dataset.width) === width));
            });
            remember({width});
            fit();
        }

        async function update() {
            timer = null;
            if (panel.hidden) {
                return;
            }
            const data = new FormData(form);
            for (const [name, value] of [...data]) {
                if (typeof value !== "string") {
                    data.delete(name);  // a new image shows once saved; never uploaded to preview
                }
            }
            const token = data.get("csrfmiddlewaretoken") || "";
            const number = ++sent;
            if (controller) {
                controller.abort();
            }
            controller = new AbortController();
            status.textContent = "Updating…";
            let html;
            try {
                const response = await fetch(url, {
                    method: "POST",
                    body: data,
                    credentials: "same-origin",
                    headers: {"X-CSRFToken": token},
                    signal: controller.signal,
                });
                if (!response.ok) {
                    throw new Error(response.status === 403 ?
                        "You may not preview this review." : `The server answered ${response.status}.`);
                }
                html = await response.text();
            } catch (error) {
                if (error.name !== "AbortError" && number === sent) {
                    status.textContent = "Preview not updated: " + error.message;
                }
                return;
            }
            if (number !== sent) {
                return;  // a later change is on its way
            }
            const scrolled = frame.contentWindow ? frame.contentWindow.scrollY : 0;
            frame.addEventListener("load", () => {
                frame.contentWindow.scrollTo(0, scrolled);
                frame.contentDocument.addEventListener("keydown", escape);
                frame.contentDocument.querySelectorAll(TABBABLE).forEach((element) => {
                    element.tabIndex = -1;
                });
                status.textContent = "Up to date";
                panel.dataset.updated = String(number);
            }, {once: true});
            frame.srcdoc = html;
        }

        function later() {
            if (panel.hidden) {
                return;
            }
            clearTimeout(timer);
            timer = setTimeout(update, DELAY_MS);
        }

        function show(open, {focus = true} = {}) {
            panel.hidden = !open;
            opener.hidden = open;
            document.body.classList.toggle("live-preview-on", open);
            toggles.forEach((toggle) => toggle.setAttribute("aria-expanded", String(open)));
            remember({open});
            cover(open && !beside.matches);
            if (open) {
                fit();
                update();
                if (focus) {
                    panel.querySelector(".live-preview__close").focus({preventScroll: true});
                }
            } else if (focus) {
                opener.querySelector("button").focus({preventScroll: true});
            }
        }

        opener.hidden = false;
        opener.querySelector("button").addEventListener("click", () => show(true));
        panel.querySelector(".live-preview__close").addEventListener("click", () => show(false));
        widthButtons.forEach((button) => {
            button.addEventListener("click", () => setWidth(Number(button.dataset.width)));
        });
        form.addEventListener("input", later);
        form.addEventListener("change", later);
        // Sections added, removed or moved (their buttons change no field by typing).
        document.addEventListener("formset:added", later);
        document.addEventListener("formset:removed", later);
        form.addEventListener("click", (event) => {
            if (event.target.closest(".section-order, .inline-deletelink")) {
                later();
            }
        });
        window.addEventListener("resize", fit);
        beside.addEventListener("change", () => cover(!panel.hidden && !beside.matches));
        panel.addEventListener("keydown", escape);
        setWidth(width);
        if (remembered().open && beside.matches) {
            show(true, {focus: false});
        }
    }

    document.addEventListener("DOMContentLoaded", () => {
        const panel = document.getElementById("live-preview");
        const form = document.getElementById("review_form");
        if (panel && form && panel.dataset.livePreviewUrl) {
            start(panel, form);
        }
    });
}
