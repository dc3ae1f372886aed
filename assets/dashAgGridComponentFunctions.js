/* Cell renderers and value formatters for the app's dash-ag-grid tables.
 *
 * dash-ag-grid looks up cell renderers by name in window.dashAgGridComponentFunctions and
 * functions named in {"function": "..."} strings in window.dashAgGridFunctions. Every text is
 * rendered as text (React escapes it), never as HTML.
 */
(function () {
    "use strict";
    var components = (window.dashAgGridComponentFunctions = window.dashAgGridComponentFunctions || {});
    var functions = (window.dashAgGridFunctions = window.dashAgGridFunctions || {});

    /* A link to the row's own page: the text is the cell's value, the address the row's
       `href` (a path on this site; anything else is shown as plain text). */
    components.AimakLink = function (props) {
        var text = props.value == null ? "" : String(props.value);
        var href = props.data && typeof props.data.href === "string" ? props.data.href : "";
        if (href.charAt(0) !== "/" || href.charAt(1) === "/") {
            return text;
        }
        return React.createElement("a", { href: href, className: "grid-link" }, text);
    };

    /* The text the server formatted for a cell (`<field>_text` of the row: locale-aware
       numbers, money and dates), else the value itself. */
    functions.aimakDisplay = function (params) {
        var field = params.colDef && params.colDef.field;
        if (params.data && field && params.data[field + "_text"] != null) {
            return params.data[field + "_text"];
        }
        return params.value == null ? "" : String(params.value);
    };
})();
