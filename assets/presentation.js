/* Presentation mode's keys (see dashboard/presentation.py). While the shell is presenting:
 * → PageDown Space: next view; ← PageUp: previous; Home, End: first, last; Esc: leave;
 * F: full screen. Each key clicks the link of the bar at the bottom of the screen, so a key
 * does exactly what that link does (a URL change: the back button and shared links work).
 * While a view is on its way (not drawn yet, or still loading), the last key waits for it:
 * the router draws one URL at a time. Each view starts at the top.
 * Keys typed into a field, a dropdown or with a modifier are left alone. */
(function () {
    "use strict";

    const KEYS = {
        ArrowRight: "presentation-next",
        PageDown: "presentation-next",
        " ": "presentation-next",
        ArrowLeft: "presentation-previous",
        PageUp: "presentation-previous",
        Home: "presentation-first",
        End: "presentation-last",
        Escape: "presentation-leave",
    };
    const TYPING = "input, textarea, select, [contenteditable=''], [contenteditable='true'], " +
        "[role=combobox], [role=listbox], [role=textbox], .dash-dropdown, .dash-dropdown-content";
    const ACTIVATED_BY_SPACE = "a[href], button, summary, [role=button], [role=link]";
    const LOADING = "#shell-header[data-dash-is-loading], #page[data-dash-is-loading], " +
        "#page [data-dash-is-loading], #presentation-bar[data-dash-is-loading]";
    const PATIENCE = 8000;  // ms a key waits for a view at most
    let pending = null;  // the link a key asked for while a view was on its way
    let awaited = null;  // {drawn, since}: a link was followed, its view is not drawn yet

    function presenting() {
        return document.querySelector(".shell.presenting") !== null;
    }

    function toggleFullScreen() {
        if (document.fullscreenElement) {
            document.exitFullscreen();
        } else if (document.documentElement.requestFullscreen) {
            document.documentElement.requestFullscreen().catch(function () { return null; });
        }
    }

    /* the URL of the page on screen, as the router drew it (dashboard/shell.py) */
    function drawnView() {
        const page = document.querySelector("#page [data-view]");
        return page ? page.getAttribute("data-view") : null;
    }

    function ready() {
        if (awaited !== null) {
            const waiting = performance.now() - awaited.since < PATIENCE;
            if (waiting && drawnView() === awaited.drawn) { return false; }
            awaited = null;
        }
        return document.querySelector(LOADING) === null;
    }

    function follow(id) {
        const link = document.getElementById(id);
        if (link && link.tagName === "A") {
            awaited = {drawn: drawnView(), since: performance.now()};
            link.click();
            window.scrollTo(0, 0);
        }
    }

    function whenReady() {
        if (pending === null) { return; }
        if (!ready()) {
            window.requestAnimationFrame(whenReady);
            return;
        }
        const id = pending;
        pending = null;
        follow(id);
    }

    function go(id) {
        if (pending === null && ready()) {
            follow(id);
            return;
        }
        if (pending === null) { window.requestAnimationFrame(whenReady); }
        pending = id;
    }

    document.addEventListener("keydown", function (event) {
        if (!presenting() || event.defaultPrevented || event.isComposing) { return; }
        if (event.altKey || event.ctrlKey || event.metaKey) { return; }
        const target = event.target instanceof Element ? event.target : null;
        if (target && target.closest(TYPING)) { return; }
        if (event.key === " " && target && target.closest(ACTIVATED_BY_SPACE)) { return; }
        if (event.key === "f" || event.key === "F") {
            event.preventDefault();
            toggleFullScreen();
            return;
        }
        const id = KEYS[event.key];
        if (!id) { return; }
        event.preventDefault();
        if (event.key === "Escape" && document.fullscreenElement) {
            document.exitFullscreen();  // the first Escape leaves full screen, as browsers do
            return;
        }
        go(id);
    });
}());
