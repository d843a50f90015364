// The admin's autocomplete fields (select2) that choose several values, such as a review's tags,
// type into a search box select2 draws itself, with no label: a screen reader announces an
// unnamed edit box (axe: "Form elements must have labels"). Each such box is named after its
// field's own label. select2 redraws the box whenever a value is chosen or removed, so new ones
// are named as they appear.
"use strict";
{
    function labelOf(container) {
        const select = container.previousElementSibling;
        if (!select || select.tagName !== "SELECT" || !select.id) {
            return "";
        }
        const label = document.querySelector(`label[for="${CSS.escape(select.id)}"]`);
        return label ? label.textContent.replace(/:\s*$/, "").trim() : "";
    }

    function name(root) {
        root.querySelectorAll(".select2-container .select2-search__field").forEach((field) => {
            if (field.hasAttribute("aria-label")) {
                return;
            }
            const text = labelOf(field.closest(".select2-container"));
            if (text) {
                field.setAttribute("aria-label", `${text}: type to search`);
            }
        });
    }

    document.addEventListener("DOMContentLoaded", () => {
        const form = document.querySelector("#content-main form");
        if (!form) {
            return;
        }
        name(form);
        new MutationObserver(() => name(form)).observe(form, {childList: true, subtree: true});
    });
}
