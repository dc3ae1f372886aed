// Build assets/plotly/plotly-aimak.min.js: `npm ci && npm run build` in this directory.
// The options are plotly.js's own (its esbuild-config.js), minus the plugins that only its
// WebGL and MapLibre traces need; the output defines window.Plotly, which dcc.Graph uses.
import * as esbuild from 'esbuild';
import { readFileSync } from 'node:fs';

const version = JSON.parse(readFileSync('node_modules/plotly.js/package.json', 'utf8')).version;
// plotly's registry requires MapLibre's stylesheet, used only when a map (tile) trace is
// registered: none is here, so it is left out (plotly's own build inlines it)
const noMaplibreCss = {
    name: 'no-maplibre-css',
    setup(build) {
        build.onResolve({ filter: /maplibre-gl\.css$/ }, (args) => ({ path: args.path, namespace: 'empty' }));
        build.onLoad({ filter: /.*/, namespace: 'empty' }, () => ({ contents: '', loader: 'js' }));
    },
};

const outfile = '../../assets/plotly/plotly-aimak.min.js';

await esbuild.build({
    entryPoints: ['index.js'],
    outfile,
    format: 'iife',
    globalName: 'Plotly',
    bundle: true,
    minify: true,
    sourcemap: false,
    legalComments: 'none',
    banner: {
        js: `/* plotly.js v${version} (partial bundle: core, bar, choropleth, scattergeo) | ` +
            'Copyright 2012-2026, Plotly, Inc. | MIT license | built by tools/plotly-bundle */',
    },
    plugins: [noMaplibreCss],
    define: { global: 'window', 'define.amd': 'false', 'process.env.NODE_DEBUG': 'false' },
    target: 'es2016',
    logLevel: 'info',
});
