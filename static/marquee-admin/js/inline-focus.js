// Keeps keyboard focus where the user is working in the admin's inlines (a review's sections, a
// film's cast and crew, a critic's links…):
// - "Add another" moves focus to the new row's first field: the row appears below the link and
//   can push it off the screen, so focus left on the link shows nothing happening;
// - a new row's ✕ takes its focus with it, so focus goes to the previous row's first field, else
//   to the inline's "Add another", not back to the top of the page.
// - on an add form, Django's change_form.js focuses the first field, and can pick the film's
//   <select>, hidden behind Select2's box, where typing goes nowhere: the box takes the focus;
// - typing a letter on an autocomplete's box (a review's film) opens its search with the letter
//   in it, as a <select> jumps to the typed choice; Select2 itself opens only on Enter or Space.
// Also gives the other admin scripts `marqueeAdmin.focusFirstField(container)` (change-guard.js).
// Static file, no inline script (the CSP allows none).
"use strict";
window.marqueeAdmin = window.marqueeAdmin || {};
{
    const FIELDS = "input:not([type=hidden]), select, textarea, [tabindex]";

    function shown(element) {
        return element.getClientRects().length > 0 &&
            getComputedStyle(element).visibility !== "hidden";
    }

    // An autocomplete's <select> is hidden behind Select2's box: the box is what takes focus
    // (the selection of a single choice, the search box of a multiple one).
    function focusable(element) {
        if (element.disabled || element.tabIndex < 0 || element.closest(".empty-form") ||
                element.matches('[name$="-DELETE"]')) {
            return false;
        }
        if (element.classList.contains("select2-hidden-accessible")) {
            return false;
        }
        return shown(element);
    }

    // The container's first field, or null.
    function firstField(container) {
        return Array.from(container.querySelectorAll(FIELDS)).find(
            (element) => element.matches("input, select, textarea, .select2 [tabindex]") &&
                focusable(element)
        ) || null;
    }

    // Focus the container's first field; true if there was one.
    window.marqueeAdmin.focusFirstField = function (container) {
        const field = container && firstField(container);
        if (field) {
            field.focus();
        }
        return Boolean(field);
    };

    function isRow(element) {
        return element.matches(".inline-related:not(.empty-form), tr.form-row:not(.empty-form)");
    }

    // Other scripts start widgets in a new row on the same event (Select2, Markdown editors):
    // focus once they have.
    document.addEventListener("formset:added", (event) => {
        const row = event.target;
        window.setTimeout(() => window.marqueeAdmin.focusFirstField(row));
    });

    // Django removes the row in the ✕'s own click handler, before an event reaches the document:
    // note where the row stood while it is still there.
    let removing = null;
    document.addEventListener("click", (event) => {
        const remove = event.target.closest && event.target.closest(".inline-deletelink");
        if (!remove) {
            return;
        }
        const row = remove.closest(".inline-related, tr.form-row");
        let previous = row && row.previousElementSibling;
        while (previous && !isRow(previous)) {
            previous = previous.previousElementSibling;
        }
        const group = remove.closest(".inline-group");
        removing = {previous, add: group && group.querySelector(".add-row a")};
    }, true);
    document.addEventListener("formset:removed", () => {
        const place = removing;
        removing = null;
        if (!place) {
            return;
        }
        window.setTimeout(() => {
            if (place.previous && place.previous.isConnected &&
                    window.marqueeAdmin.focusFirstField(place.previous)) {
                return;
            }
            if (place.add) {
                place.add.focus();
            }
        });
    });

    // The box Select2 draws for a hidden <select>, or null.
    function boxOf(select) {
        const container = select.nextElementSibling;
        return container && container.classList.contains("select2") ?
            container.querySelector(".select2-selection") : null;
    }

    function toBox(select) {
        const box = select && select.matches("select.select2-hidden-accessible") && boxOf(select);
        if (box) {
            box.focus();
        }
    }

    document.addEventListener("focusin", (event) => toBox(event.target));
    // change_form.js may have focused the <select> before Select2 hid it (both run on load).
    window.addEventListener("load", () => toBox(document.activeElement));

    document.addEventListener("keydown", (event) => {
        const box = event.target.closest && event.target.closest(".select2-selection--single");
        if (!box || event.key.length !== 1 || event.key === " " || event.ctrlKey ||
                event.metaKey || event.altKey || !window.django || !window.django.jQuery) {
            return;
        }
        const select = box.closest(".select2").previousElementSibling;
        if (!select || !select.matches("select.select2-hidden-accessible")) {
            return;
        }
        event.preventDefault();
        const $select = window.django.jQuery(select);
        $select.select2("open");
        const search = document.querySelector(
            ".select2-container--open .select2-dropdown .select2-search__field"
        );
        if (search) {
            search.focus();
            search.value += event.key;
            window.django.jQuery(search).trigger("input");
        }
    });
}
