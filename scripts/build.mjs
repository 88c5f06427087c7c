#!/usr/bin/env node
// Bundles what the extension runs: dist/extension.js (the host, CommonJS, `vscode` external),
// dist/worker.js (the engine worker thread the host starts per graph editor, CommonJS) and
// dist/webview.js + dist/webview.css (the React editor, one browser bundle).
//   --production   minify, no source maps (what `npm run package` ships)
//   --watch        rebuild on change
//   --tests        also bundle the extension-host test suite to out/extension-host/index.js
//   --webview-only --outdir DIR   just the webview, elsewhere (the headless webview test's copy)
//   --metafile     also write the webview bundle's inputs to <outdir>/webview.meta.json (the bundle test)
import * as esbuild from 'esbuild';
import { writeFileSync } from 'node:fs';
import { opMetadataOnly } from './op-metadata-plugin.mjs';

const root = new URL('..', import.meta.url).pathname;
const args = new Set(process.argv.slice(2));
const production = args.has('--production');
const argv = process.argv.slice(2);
const outdirArg = argv.includes('--outdir') ? argv[argv.indexOf('--outdir') + 1] : undefined;

/** @type {esbuild.BuildOptions} */
const common = {
  absWorkingDir: root,
  bundle: true,
  minify: production,
  sourcemap: production ? false : 'linked',
  logLevel: 'warning',
  legalComments: 'none',
};

/** @type {esbuild.BuildOptions} */
const webview = {
  ...common,
  entryPoints: { webview: 'webview/main.tsx' },
  outdir: outdirArg ?? 'dist',
  platform: 'browser',
  format: 'iife',
  target: 'chrome120',
  define: { 'process.env.NODE_ENV': JSON.stringify(production ? 'production' : 'development') },
  // The engine's op metadata without its kernels (DESIGN.md: the webview never runs an op).
  plugins: [opMetadataOnly(root)],
  metafile: args.has('--metafile'),
};

/** @type {esbuild.BuildOptions[]} */
const builds = args.has('--webview-only')
  ? [webview]
  : [
      {
        ...common,
        entryPoints: { extension: 'extension/extension.ts' },
        outdir: 'dist',
        platform: 'node',
        format: 'cjs',
        target: 'node20',
        external: ['vscode'],
      },
      {
        ...common,
        entryPoints: { worker: 'extension/worker/engine-worker.ts' },
        outdir: 'dist',
        platform: 'node',
        format: 'cjs',
        target: 'node20',
      },
      webview,
    ];
if (args.has('--tests')) {
  builds.push({
    ...common,
    minify: false,
    sourcemap: 'inline',
    entryPoints: { index: 'test/extension-host/index.ts' },
    outdir: 'out/extension-host',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode', 'mocha'],
  });
}

if (args.has('--watch')) {
  for (const b of builds) await (await esbuild.context(b)).watch();
  console.log('watching…');
} else {
  const started = Date.now();
  const results = await Promise.all(builds.map((b) => esbuild.build(b)));
  const webviewResult = results[builds.indexOf(webview)];
  if (webviewResult?.metafile)
    writeFileSync(`${webview.outdir}/webview.meta.json`, JSON.stringify(webviewResult.metafile));
  console.log(
    `built ${builds.map((b) => Object.keys(b.entryPoints).join()).join(', ')} in ${Date.now() - started} ms`,
  );
}
