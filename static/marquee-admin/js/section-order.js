// "Move up" and "Move down" buttons on each section of a review. Moving a section moves it on
// the page and renumbers every section's position field in page order, so saving the form
// saves the new order. The position fields stay editable for keyboard-free bulk changes.
"use strict";
{
    const groupSelector = ".sortable-sections";

    function rows(group) {
        return Array.from(group.querySelectorAll(".inline-related:not(.empty-form)"));
    }

    // Positions, and a new section's title ("Section: #2"), follow the order on the page, as
    // Django's inlines.js numbers titles when a section is added or removed.
    function renumber(group) {
        rows(group).forEach((row, index) => {
            const input = row.querySelector('input[name$="-position"]');
            if (input) {
                input.value = String(index + 1);
            }
            const label = row.querySelector(".inline_label");
            if (label && /^#\d+$/.test(label.textContent.trim())) {
                label.textContent = "#" + (index + 1);
            }
        });
    }

    function addButtons(row) {
        if (row.querySelector(".section-order")) {
            return;
        }
        // A move only counts once the position fields are saved. Where the admin shows the
        // section read-only (a writer's review in review, a user who may only view), there is
        // no position field and no Save, so buttons there would move sections on screen alone.
        const position = row.querySelector('input[name$="-position"]');
        if (!position || position.disabled || position.readOnly) {
            return;
        }
        const heading = row.querySelector("h3");
        if (!heading) {
            return;
        }
        const box = document.createElement("span");
        box.className = "section-order";
        for (const [direction, label] of [["up", "Move up"], ["down", "Move down"]]) {
            const button = document.createElement("button");
            button.type = "button";
            button.className = "button section-order__" + direction;
            button.textContent = direction === "up" ? "↑" : "↓";
            button.setAttribute("aria-label", label);
            button.title = label;
            box.appendChild(button);
        }
        heading.appendChild(box);
        placeRemove(row);
    }

    // A new section's ✕ goes after the arrows, in their box: drawn in the order Tab reaches
    // them (↑, ↓, ✕), where two boxes floated right drew the ✕ left of the arrows. Django adds
    // the ✕ of the rows there at load in its own ready handler, after or before this script's.
    function placeRemove(row) {
        const box = row.querySelector("h3 > .section-order");
        const remove = row.querySelector("h3 > * > .inline-deletelink");
        if (box && remove && !box.contains(remove)) {
            box.appendChild(remove.parentElement);
        }
    }

    function move(row, direction) {
        const group = row.closest(groupSelector);
        const all = rows(group);
        const index = all.indexOf(row);
        const target = all[index + (direction === "up" ? -1 : 1)];
        if (!target) {
            return;
        }
        if (direction === "up") {
            target.before(row);
        } else {
            target.after(row);
        }
        renumber(group);
        row.querySelector(".section-order__" + direction).focus();
    }

    document.addEventListener("DOMContentLoaded", () => {
        document.querySelectorAll(groupSelector).forEach((group) => {
            rows(group).forEach(addButtons);
            new MutationObserver(() => rows(group).forEach(placeRemove)).observe(
                group, {childList: true, subtree: true}
            );
            group.addEventListener("click", (event) => {
                const button = event.target.closest(".section-order button");
                if (!button) {
                    return;
                }
                event.preventDefault();
                const direction = button.classList.contains("section-order__up") ? "up" : "down";
                move(button.closest(".inline-related"), direction);
            });
        });
    });
    document.addEventListener("formset:added", (event) => {
        const group = event.target.closest(groupSelector);
        if (group) {
            addButtons(event.target);
            renumber(group);
        }
    });
    // A new section's ✕: the titles of the new sections after it follow the page order too
    // ("#1", "#2", not "#1", "#3").
    document.addEventListener("formset:removed", () => {
        document.querySelectorAll(groupSelector).forEach(renumber);
    });
}
