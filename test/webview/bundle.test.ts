/**
 * The webview bundle carries the engine's op metadata, not its kernels (DESIGN.md): built the way
 * `npm run package` builds it, its inputs hold no engine/kernels/ or engine/autodiff/ module and its
 * text no kernel member of any op. And every function an op carries is declared either a kernel
 * (KERNEL_MEMBERS, left out of the webview) or metadata the editor uses, so a new kind of kernel
 * can't slip into the bundle unnoticed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { KERNEL_MEMBERS } from '../../engine/ops/define.js';
import { OPS } from '../../engine/ops/registry.js';
import { buildWebview } from './harness.js';

const root = resolve(__dirname, '..', '..');
/** Function-valued op members the editor does use (shape inference, cost model, attribute derivation, a variadic op's input and output port names). */
const METADATA_FUNCTIONS = new Set(['shape', 'flops', 'deriveAttrs', 'ports', 'outputs']);
const KERNELS = new Set<string>(KERNEL_MEMBERS);

interface Metafile {
  outputs: Record<string, { entryPoint?: string; inputs: Record<string, { bytesInOutput: number }> }>;
}

test('the production webview bundle holds op metadata and no kernels', () => {
  mkdirSync(join(root, '.e2e'), { recursive: true });
  const out = mkdtempSync(join(root, '.e2e', 'bundle-'));
  buildWebview(out, true, ['--metafile']);
  const meta = JSON.parse(readFileSync(join(out, 'webview.meta.json'), 'utf8')) as Metafile;
  const bundle = Object.values(meta.outputs).find((o) => o.entryPoint);
  assert.ok(bundle, 'the metafile names the webview entry point');
  const inputs = Object.entries(bundle.inputs)
    .filter(([, v]) => v.bytesInOutput > 0)
    .map(([path]) => path);

  assert.ok(inputs.includes('engine/ops/registry.ts'), 'the op registry is in the bundle');
  assert.ok(inputs.includes('engine/graph/check.ts'), 'shape inference is in the bundle');
  const kernels = inputs.filter((p) => /^engine\/(kernels|autodiff)\/|^engine\/ops\/gemm\.ts$/.test(p));
  assert.deepEqual(kernels, [], 'no kernel module in the webview bundle');

  const text = readFileSync(join(out, 'webview.js'), 'utf8');
  // (Not assert.doesNotMatch: on failure it would diff the whole multi-megabyte bundle, which takes
  // tens of minutes; the message names the member instead.)
  for (const member of KERNEL_MEMBERS)
    assert.ok(!new RegExp(`[{,]${member}:`).test(text), `no op in the bundle has a '${member}' member`);
  console.log(`dist/webview.js (production): ${statSync(join(out, 'webview.js')).size} bytes`);
});

test('every function an op carries is either a kernel or metadata the editor uses', () => {
  for (const op of OPS)
    for (const [key, value] of Object.entries(op)) {
      if (typeof value !== 'function' || key === 'vjpJvp') continue;
      assert.ok(
        KERNELS.has(key) || METADATA_FUNCTIONS.has(key),
        `${op.name}.${key}: add it to KERNEL_MEMBERS (engine/ops/define.ts) or to METADATA_FUNCTIONS here`,
      );
    }
});
