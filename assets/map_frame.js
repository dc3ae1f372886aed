/* The framed area fills the map whatever the map's shape (issue 14 point 3).
 *
 * The server frames what is in view with longitude and latitude ranges (and writes that frame
 * in layout.meta.frame); plotly draws that box centred in the plot and leaves empty bands when
 * the box and the plot differ in shape (a wide window, a phone). Each time the map is drawn or
 * resized, the shorter side of the frame is widened to the plot's proportions (Mercator), so
 * the country around fills the bands and the frame itself stays whole in view.
 *
 * The plot's size is also reported to the app (the store map-plot-size) when it differs by
 * more than REPORT_CHANGE from the last size reported: the server places the labels for the
 * map's actual size (dashboard.views.map.page_plot_sizes). */
(function () {
  "use strict";
  var RAD = Math.PI / 180;
  function mercator(lat) { return Math.log(Math.tan(Math.PI / 4 + (lat * RAD) / 2)); }
  function latitude(y) { return (2 * Math.atan(Math.exp(y)) - Math.PI / 2) / RAD; }
  function near(a, b) { return Math.abs(a - b) < 1e-4; }
  var REPORT_CHANGE = 0.03, reported = null;

  function report(gd, width, height) {
    var last = reported;
    if (last && Math.abs(width / last[0] - 1) < REPORT_CHANGE
        && Math.abs(height / last[1] - 1) < REPORT_CHANGE) { return; }
    var clientside = window.dash_clientside;
    if (!clientside || !clientside.set_props) { return; }  // the store has no DOM element
    reported = [Math.round(width), Math.round(height)];
    clientside.set_props("map-plot-size", {data: reported});
    gd.dataset.plotSize = reported.join("x");  // what was reported, for tests and debugging
  }

  function fitted(frame, width, height) {
    var w = frame[0], s = frame[1], e = frame[2], n = frame[3];
    var dx = (e - w) * RAD, dy = mercator(n) - mercator(s), want = width / height;
    if (dx / dy < want) {
      var lonMid = (w + e) / 2, lonHalf = (dy * want) / 2 / RAD;
      return [lonMid - lonHalf, s, lonMid + lonHalf, n];
    }
    var yMid = (mercator(n) + mercator(s)) / 2, yHalf = dx / want / 2;
    return [w, latitude(yMid - yHalf), e, latitude(yMid + yHalf)];
  }

  function fit(gd) {
    var full = gd._fullLayout, layout = gd.layout;
    var frame = layout && layout.meta && layout.meta.frame;
    if (!full || !full.geo || !frame || !layout.geo || !layout.geo.lonaxis) { return; }
    var size = full._size, domain = full.geo.domain;
    var width = size.w * (domain.x[1] - domain.x[0]);
    var height = size.h * (domain.y[1] - domain.y[0]);
    if (!(width > 0 && height > 0)) { return; }
    report(gd, width, height);
    var box = fitted(frame, width, height);
    var lon = layout.geo.lonaxis.range || [], lat = (layout.geo.lataxis || {}).range || [];
    if (near(lon[0], box[0]) && near(lat[0], box[1]) && near(lon[1], box[2]) && near(lat[1], box[3])) {
      return;
    }
    window.Plotly.relayout(gd, {
      "geo.lonaxis.range": [box[0], box[2]],
      "geo.lataxis.range": [box[1], box[3]],
      "geo.center": {lon: (box[0] + box[2]) / 2, lat: (box[1] + box[3]) / 2},
    });
  }

  function watch() {
    var gd = document.querySelector("#map .js-plotly-plot");
    if (gd && gd.on && !gd.dataset.frameFit) {
      gd.dataset.frameFit = "1";
      reported = null;  // a new map (another page view): its size is reported afresh
      gd.on("plotly_afterplot", function () { fit(gd); });
      fit(gd);
    }
  }
  new MutationObserver(watch).observe(document.documentElement, {childList: true, subtree: true});
})();
