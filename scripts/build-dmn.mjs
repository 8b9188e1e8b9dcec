#!/usr/bin/env node
// Bundles the decision table editor (web/dmn_src/dmn.js: dmn-js Modeler, Chinese labels) and copies its style
// sheets and the DMN font into web/static/dmn, which the app serves.
// Run by `make node-packages` after `npm ci`; the output is generated and not in git.
import { cpSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const assets = join(root, 'node_modules', 'dmn-js', 'dist', 'assets');
const out = join(root, 'web', 'static', 'dmn');

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

await build({
  entryPoints: [join(root, 'web', 'dmn_src', 'dmn.js')],
  outfile: join(out, 'dmn.js'),
  bundle: true,
  minify: true,
  sourcemap: false,
  format: 'iife',
  target: ['es2020'],
  loader: { '.json': 'json' },
  logLevel: 'warning'
});

for (const name of ['diagram-js.css', 'dmn-js-shared.css', 'dmn-js-drd.css', 'dmn-js-decision-table.css',
  'dmn-js-decision-table-controls.css', 'dmn-font']) {
  cpSync(join(assets, name), join(out, name), { recursive: true });
}
cpSync(join(root, 'web', 'dmn_src', 'dmn-page.css'), join(out, 'dmn-page.css'));
console.log(`decision editor bundle written to ${out}`);
