// The workflow panel's keyboard (templates/admin/reviews/review/includes/workflow_panel.html).
// Enter in a step's own field ("Publish at") takes that step: the field belongs to the review
// form, whose Enter would otherwise press its first button, Save, and drop the typed time.
// Escape closes the open step ("Schedule…", "Request changes…") and puts the focus on its
// summary, as the site's other boxes do.
"use strict";
{
    document.addEventListener("keydown", (event) => {
        const step = event.target.closest && event.target.closest("details.workflow-action");
        if (!step || event.defaultPrevented) {
            return;
        }
        if (event.key === "Enter" && event.target.matches("input")) {
            const button = step.querySelector(".workflow-action__body button[type=submit]");
            if (button) {
                event.preventDefault();
                button.click();
            }
        } else if (event.key === "Escape" && step.open) {
            event.preventDefault();
            step.open = false;
            step.querySelector(":scope > summary").focus();
        }
    });
}
