/* Export links built in the background (class "export-job": the deck, the PDF reports).
 * A plain click starts a background job (Dash counts the click and shows its progress)
 * instead of following the link; a click with a modifier key or the middle button is left
 * to the browser, which opens the link itself: the file is then built in that request. */
(function () {
    "use strict";

    document.addEventListener("click", function (event) {
        const link = event.target.closest && event.target.closest("a.export-job");
        if (!link) { return; }
        if (event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) {
            event.stopPropagation();  // no job: the browser follows the link
            return;
        }
        event.preventDefault();
    }, true);
}());
