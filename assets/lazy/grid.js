/* AG Grid on demand (issue 16): the dash_ag_grid bundle (1.3 MB) is not a script of every page;
 * this stand-in is. The first time Dash renders an AgGrid, the stand-in loads the bundle (its
 * URL is this script's data-src, fingerprinted) and then renders the real grid with the same
 * props; once loaded, the real module replaces window.dash_ag_grid and Dash uses it directly.
 * See dashboard/delivery.py. */
(function () {
    "use strict";
    if (window.dash_ag_grid) {
        return; // the bundle is on the page already
    }
    var src = document.currentScript && document.currentScript.dataset.src;
    var React = window.React;
    var loading = null;

    function load() {
        if (!loading) {
            loading = new Promise(function (resolve, reject) {
                var script = document.createElement("script");
                script.src = src;
                script.onload = function () {
                    resolve(window.dash_ag_grid);
                };
                script.onerror = reject;
                document.head.appendChild(script);
            });
        }
        return loading;
    }

    function standIn(name) {
        function Lazy(props) {
            var state = React.useState(null);
            var real = state[0];
            var setReal = state[1];
            React.useEffect(function () {
                var live = true;
                load().then(function (module) {
                    if (live) {
                        setReal(function () {
                            return module[name];
                        });
                    }
                });
                return function () {
                    live = false;
                };
            }, []);
            return real
                ? React.createElement(real, props)
                : React.createElement("div", {className: "ag-grid-loading"});
        }
        Lazy.displayName = name + "(loading)";
        return Lazy;
    }

    window.dash_ag_grid = {AgGrid: standIn("AgGrid"), __standIn: true};
})();
