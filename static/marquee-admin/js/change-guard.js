// The review change form (and the add page's form of a new review) never loses what was typed:
// - leaving it with unsaved changes (a link, back, closing the tab) asks first;
// - every few seconds, while it has unsaved changes, its content is kept on the server as the
//   user's one rolling draft of this review, or of a new review on the add page (also when
//   the tab is hidden or closed);
// - a kept draft is offered back when the form is reopened: Restore or Discard;
// - steps that do not save the form (Discard changes) ask first; Copy link copies.
"use strict";
{
    const AUTOSAVE_EVERY_MS = 4000;
    const SKIPPED = new Set(["csrfmiddlewaretoken", "_workflow", "at", "note"]);
    const LABEL = "_label:";

    function formContent(form) {
        const data = {};
        for (const [name, value] of new FormData(form)) {
            if (SKIPPED.has(name) || typeof value !== "string") {
                continue;  // files are not kept: only text and choices
            }
            if (name in data) {
                data[name] = [].concat(data[name], value);
            } else {
                data[name] = value;
            }
        }
        // An autocomplete's choice has no option on a fresh page: keep its label to rebuild it.
        for (const select of form.querySelectorAll("select[name]")) {
            const chosen = select.selectedOptions[0];
            if (chosen && chosen.value && !SKIPPED.has(select.name)) {
                data[LABEL + select.name] = chosen.textContent;
            }
        }
        return data;
    }

    function addSectionRows(form, wanted) {
        const total = form.querySelector('input[name="sections-TOTAL_FORMS"]');
        const add = document.querySelector("#sections-group .add-row a");
        let guard = 50;
        while (total && add && Number(total.value) < wanted && guard-- > 0) {
            add.click();
        }
    }

    // Returns the first field whose value the draft changed, or null.
    function restore(form, data) {
        addSectionRows(form, Number(data["sections-TOTAL_FORMS"] || 0));
        let first = null;
        for (const element of form.elements) {
            if (!element.name || SKIPPED.has(element.name) || element.type === "file" ||
                element.name.endsWith("TOTAL_FORMS") || element.name.endsWith("INITIAL_FORMS") ||
                element.name === "base_version") {
                continue;
            }
            const value = data[element.name];
            if (element.tagName === "SELECT" && value !== undefined && !Array.isArray(value) &&
                    value !== "" && ![...element.options].some((o) => o.value === value)) {
                element.add(new Option(data[LABEL + element.name] || value, value, true, true));
            }
            const before = element.checked + element.value;
            if (element.type === "checkbox" || element.type === "radio") {
                const values = [].concat(value === undefined ? [] : value);
                element.checked = values.includes(element.value);
            } else if (value !== undefined) {
                element.value = Array.isArray(value) ? value[0] : value;
            } else {
                continue;
            }
            if (!first && element.type !== "hidden" && element.checked + element.value !== before) {
                first = element;
            }
            element.dispatchEvent(new Event("input", {bubbles: true}));  // previews follow
            element.dispatchEvent(new Event("change", {bubbles: true}));
        }
        return first;
    }

    // The offer hides itself with focus on its button: focus goes to `field` (to its
    // autocomplete's box where it has one), else to the form's first field, not to the top of
    // the page.
    function focusAfterOffer(form, field) {
        const focus = window.marqueeAdmin.focusFirstField;
        if (field && field.classList.contains("select2-hidden-accessible") &&
                focus(field.nextElementSibling)) {
            return;
        }
        if (field && field.type !== "hidden" && field.getClientRects().length) {
            field.focus();
            return;
        }
        focus(form);
    }

    document.addEventListener("DOMContentLoaded", () => {
        const form = document.getElementById("review_form");
        if (!form) {
            return;
        }
        let dirty = false;
        let unsent = false;
        let submitting = false;
        const markDirty = (event) => {
            if (event.target && SKIPPED.has(event.target.name)) {
                return;
            }
            dirty = true;
            unsent = true;
        };
        form.addEventListener("input", markDirty);
        form.addEventListener("change", markDirty);
        form.addEventListener("submit", () => {
            submitting = true;
        });
        window.addEventListener("beforeunload", (event) => {
            if (dirty && !submitting) {
                event.preventDefault();
                event.returnValue = "";
            }
        });

        document.querySelectorAll("form[data-confirm]").forEach((other) => {
            other.addEventListener("submit", (event) => {
                if (!window.confirm(other.dataset.confirm)) {
                    event.preventDefault();
                    return;
                }
                submitting = true;  // asked already: no second question on leaving
            });
        });
        document.querySelectorAll("[data-copy]").forEach((button) => {
            button.addEventListener("click", async () => {
                const input = document.getElementById(button.dataset.copy);
                input.select();
                try {
                    await navigator.clipboard.writeText(input.value);
                } catch (error) {
                    document.execCommand("copy");
                }
                button.textContent = "Copied";
            });
        });

        const status = document.getElementById("autosave-status");
        const offer = document.getElementById("autosave-offer");
        if (!status) {
            return;
        }
        const url = status.dataset.autosaveUrl;
        const send = (keepalive) => {
            if (!unsent || submitting) {
                return;
            }
            unsent = false;
            const body = JSON.stringify({
                data: formContent(form), base_version: status.dataset.baseVersion,
            });
            fetch(url, {
                method: "POST", body, keepalive, credentials: "same-origin",
                headers: {
                    "Content-Type": "application/json",
                    "X-CSRFToken": window.marqueeAdmin.csrfToken(form),
                },
            }).then((response) => response.json()).then((answer) => {
                status.textContent = answer.label || "";
            }).catch(() => {
                unsent = true;  // try again at the next tick
                status.textContent = "Could not keep a draft just now; keep the tab open.";
            });
        };
        window.setInterval(() => send(false), AUTOSAVE_EVERY_MS);
        document.addEventListener("visibilitychange", () => {
            if (document.visibilityState === "hidden") {
                send(true);
            }
        });
        window.addEventListener("pagehide", () => send(true));

        if (offer) {
            offer.addEventListener("click", (event) => {
                const choice = event.target.dataset && event.target.dataset.autosave;
                if (choice === "restore") {
                    const first = restore(
                        form, JSON.parse(document.getElementById("autosave-data").textContent)
                    );
                    // The draft was typed on the version it was kept from: saving it is checked
                    // against that one, so a save made since is never overwritten unseen.
                    const base = form.elements.namedItem("base_version");
                    if (base && offer.dataset.baseVersion) {
                        base.value = status.dataset.baseVersion = offer.dataset.baseVersion;
                    }
                    dirty = true;
                    offer.hidden = true;
                    status.textContent = "Restored your unsaved changes; save to keep them.";
                    focusAfterOffer(form, first);
                } else if (choice === "discard") {
                    const data = new FormData();
                    data.append("discard", "1");
                    fetch(url, {method: "POST", body: data, credentials: "same-origin",
                                headers: {"X-CSRFToken": window.marqueeAdmin.csrfToken(form)}});
                    offer.hidden = true;
                    focusAfterOffer(form, null);
                }
            });
        }
    });
}
