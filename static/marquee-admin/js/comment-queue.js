// The comment queue: a row's decision (Approve, Reject, Spam, Delete) posts the whole page and
// comes back to the queue. So that the keyboard stays where it was, the decision names the
// queue to come back to (`next`, which the moderation views follow, Delete's confirmation
// too) with the next row's first button as its fragment (the row before's, for the last
// row): the browser focuses a focusable fragment target on arrival. It also names the queue
// at the button pressed (`back`): Delete's "No, take me back" returns there, as nothing
// changed.
"use strict";
{
    function buttonToFocusAfter(button) {
        const row = button.closest("tr");
        const other = row && (row.nextElementSibling || row.previousElementSibling);
        return other && other.querySelector(".comment-row-action[id]");
    }

    function hidden(form, name, value) {
        const input = document.createElement("input");
        input.type = "hidden";
        input.name = name;
        input.value = value;
        input.dataset.queueFocus = "";
        form.appendChild(input);
    }

    document.addEventListener("DOMContentLoaded", () => {
        const form = document.getElementById("changelist-form");
        if (!form) {
            return;
        }
        form.addEventListener("submit", (event) => {
            // A bulk action, or the page kept by the browser's Back, sends none of a row's.
            form.querySelectorAll("input[data-queue-focus]").forEach((input) => input.remove());
            const button = event.submitter;
            if (!button || !button.classList.contains("comment-row-action")) {
                return;
            }
            const here = location.pathname + location.search;
            const target = buttonToFocusAfter(button);
            hidden(form, "next", here + (target ? `#${target.id}` : ""));
            hidden(form, "back", here + (button.id ? `#${button.id}` : ""));
        });
    });
}
