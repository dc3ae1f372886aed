/* Accessibility repairs of the markup some Dash 4 components render (found by axe-core):
 * - a dropdown's keyboard focus target is an input hidden from screen readers
 *   (aria-hidden-focus): it is unhidden and named after the field's label and value;
 * - radio items and checklists are a listbox of options that contain inputs
 *   (nested-interactive): they become a radio group / group of native inputs;
 * - the date picker's wrapper carries popup attributes a plain div may not have
 *   (aria-allowed-attr): the input inside it is the control.
 * A MutationObserver repeats the repairs whenever Dash renders. */
(function () {
    "use strict";

    function labelFor(id) {
        if (!id) { return null; }
        const label = document.querySelector('label[for="' + CSS.escape(id) + '"]');
        if (label && !label.id) { label.id = id + "-label"; }
        return label;
    }

    function repair(root) {
        root.querySelectorAll(".dash-dropdown-focus-target[aria-hidden]").forEach(function (input) {
            const button = input.parentElement && input.parentElement.querySelector("button.dash-dropdown");
            input.removeAttribute("aria-hidden");
            if (!button) { return; }
            const label = labelFor(button.id);
            const value = document.getElementById(button.id + "-value");
            const ids = [label && label.id, value && value.id].filter(Boolean);
            if (ids.length) { input.setAttribute("aria-labelledby", ids.join(" ")); }
        });
        // radio items and checklists only: a dropdown's menu is a true listbox of options
        const groups = ".dash-radioitems[role=listbox], .dash-checklist[role=listbox]";
        root.querySelectorAll(groups).forEach(function (list) {
            const radio = list.classList.contains("dash-radioitems");
            list.setAttribute("role", radio ? "radiogroup" : "group");
            const label = labelFor(list.id);
            if (label) { list.setAttribute("aria-labelledby", label.id); }
        });
        const options = ".dash-radioitems [role=option], .dash-checklist [role=option]";
        root.querySelectorAll(options).forEach(function (option) {
            option.removeAttribute("role");
            option.removeAttribute("aria-selected");
        });
        root.querySelectorAll(".dash-datepicker-input-wrapper[aria-expanded]").forEach(function (wrapper) {
            ["aria-haspopup", "aria-expanded", "aria-disabled", "aria-labelledby", "type"].forEach(
                function (name) { wrapper.removeAttribute(name); }
            );
        });
    }

    let pending = false;
    function schedule() {
        if (pending) { return; }
        pending = true;
        window.requestAnimationFrame(function () { pending = false; repair(document); });
    }

    function start() {
        repair(document);
        new MutationObserver(schedule).observe(document.body, {
            subtree: true,
            childList: true,
            attributes: true,
            attributeFilter: ["aria-hidden", "role", "aria-expanded"],
        });
    }

    if (document.readyState === "loading") {
        document.addEventListener("DOMContentLoaded", start);
    } else {
        start();
    }
}());
