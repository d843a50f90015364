// The comment queue: a row's decision (Approve, Reject, Spam, Delete) posts the whole page and
// comes back to the queue. So that the keyboard stays where it was, the decision names the
// queue to come back to (`next`, which the moderation views follow, Delete's confirmation
// too) with the next row's first button as its fragment (the row before's, for the last
// row): the browser focuses a focusable fragment target on arrival.
"use strict";
{
    function buttonToFocusAfter(button) {
        const row = button.closest("tr");
        const other = row && (row.nextElementSibling || row.previousElementSibling);
        return other && other.querySelector(".comment-row-action[id]");
    }

    document.addEventListener("DOMContentLoaded", () => {
        const form = document.getElementById("changelist-form");
        if (!form) {
            return;
        }
        form.addEventListener("submit", (event) => {
            const previous = form.querySelector("input[name=next][data-queue-focus]");
            if (previous) {
                previous.remove();  // a bulk action, or the page kept by the browser's Back
            }
            const button = event.submitter;
            if (!button || !button.classList.contains("comment-row-action")) {
                return;
            }
            const target = buttonToFocusAfter(button);
            const next = document.createElement("input");
            next.type = "hidden";
            next.name = "next";
            next.dataset.queueFocus = "";
            next.value = location.pathname + location.search + (target ? `#${target.id}` : "");
            form.appendChild(next);
        });
    });
}
