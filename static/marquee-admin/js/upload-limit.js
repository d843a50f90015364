// An image over the size cap is refused as soon as it is chosen, in the words the server would
// use ("This image is 30.0 MB; the limit is 5.0 MB."), and the form is not sent with it: the
// server refuses it too (films/validators.py), but only after the whole file has been uploaded.
// The field carries the cap (films/admin.py: CheckedImageMixin).
"use strict";
{
    // As Django's filesizeformat writes sizes: 1024 bytes to the KB, one decimal.
    function size(bytes) {
        const units = ["KB", "MB", "GB"];
        let value = bytes;
        let unit = "bytes";
        for (const next of units) {
            if (value < 1024) {
                break;
            }
            value /= 1024;
            unit = next;
        }
        return unit === "bytes" ? `${bytes} bytes` : `${value.toFixed(1)} ${unit}`;
    }

    // Why `file` is refused by the cap `field` carries, or "" (editor-upload.js asks it of an
    // image dropped or pasted into a Markdown field).
    window.marqueeAdmin = window.marqueeAdmin || {};
    window.marqueeAdmin.overSizeCap = (file, field) => {
        const over = file && field.dataset.maxBytes && file.size > Number(field.dataset.maxBytes);
        return over ? `This image is ${size(file.size)}; the limit is ${field.dataset.maxSize}.` : "";
    };

    document.addEventListener("change", (event) => {
        const input = event.target;
        if (!(input instanceof HTMLInputElement) || !input.dataset.maxBytes) {
            return;
        }
        const refusal = window.marqueeAdmin.overSizeCap(input.files && input.files[0], input);
        input.setCustomValidity(refusal);
        if (refusal) {
            input.reportValidity();
        }
    });

    // The admin's forms are `novalidate`, so the browser would send them all the same.
    document.addEventListener(
        "submit",
        (event) => {
            // Only this script's refusal: an empty required field is still the server's to say.
            const refused = [...event.target.querySelectorAll("input[data-max-bytes]")].find(
                (input) => input.validity.customError,
            );
            if (refused) {
                event.preventDefault();
                event.stopImmediatePropagation();  // no "saving…" state for a form not sent
                refused.reportValidity();
            }
        },
        true,
    );
}
