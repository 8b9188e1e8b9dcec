#!/usr/bin/env node
// Bundles the process editor (web/editor_src/editor.js: bpmn-js Modeler, properties panel, Chinese labels)
// and copies the style sheets, the BPMN font and axe-core (for the accessibility tests) into web/static/editor,
// which the app serves.
// Run by `make node-packages` after `npm ci`; the output is generated and not in git.
import { cpSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const modules = join(root, 'node_modules');
const out = join(root, 'web', 'static', 'editor');

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

await build({
  entryPoints: [join(root, 'web', 'editor_src', 'editor.js')],
  outfile: join(out, 'editor.js'),
  bundle: true,
  minify: true,
  sourcemap: false,
  format: 'iife',
  target: ['es2020'],
  jsx: 'automatic',
  jsxImportSource: 'preact',
  loader: { '.json': 'json' },
  logLevel: 'warning'
});

for (const [from, to] of [
  ['bpmn-js/dist/assets/diagram-js.css', 'diagram-js.css'],
  ['bpmn-js/dist/assets/bpmn-js.css', 'bpmn-js.css'],
  ['bpmn-js/dist/assets/bpmn-font', 'bpmn-font'],
  ['@bpmn-io/properties-panel/dist/assets/properties-panel.css', 'properties-panel.css'],
  // The accessibility checker the browser tests run on the pages (tests/test_browser_layout.py): served from
  // the app itself, since the pages' Content-Security-Policy allows no script from elsewhere.
  ['axe-core/axe.min.js', 'axe.min.js']
]) {
  cpSync(join(modules, from), join(out, to), { recursive: true });
}
console.log(`editor bundle written to ${out}`);
