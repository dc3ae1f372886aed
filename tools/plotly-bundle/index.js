// The traces Aimak Atlas draws, on plotly.js's core (which brings scatter): keep this list
// in step with the app's figures; tests/test_plotly_bundle.py checks that it covers them.
var Plotly = require('plotly.js/lib/core');

Plotly.register([
    require('plotly.js/lib/bar'),
    require('plotly.js/lib/choropleth'),
    require('plotly.js/lib/scattergeo'),
]);

module.exports = Plotly;
