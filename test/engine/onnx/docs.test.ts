import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { OPS } from '../../../engine/ops/registry.js';
import { exportRow } from '../../../engine/onnx/export.js';
import { IMPORT_ROWS } from '../../../engine/onnx/import-ops.js';

const doc = readFileSync(resolve(__dirname, '../../../docs/onnx.md'), 'utf8');

/** The backticked names in the first column of the table under a `## heading`. */
function firstColumn(heading: string): Set<string> {
  const section = doc.split(/^## /m).find((s) => s.startsWith(heading))!;
  const names = new Set<string>();
  for (const line of section.split('\n')) {
    if (!line.startsWith('| `')) continue;
    for (const m of line.split('|')[1]!.matchAll(/`([^`]+)`/g)) names.add(m[1]!);
  }
  return names;
}

test('docs/onnx.md lists every registry op that export handles, and export handles every compute op', () => {
  const listed = firstColumn('Export');
  const compute = OPS.filter((op) => op.category !== 'data' && op.category !== 'losses').map((op) => op.name);
  assert.deepEqual(
    compute.filter((name) => !exportRow(name)),
    [],
    'compute ops without an ONNX form',
  );
  assert.deepEqual(
    OPS.map((op) => op.name).filter((name) => exportRow(name) && !listed.has(name)),
    [],
    'export rows missing from the doc',
  );
  assert.deepEqual(
    [...listed].filter((name) => !exportRow(name)),
    [],
    'doc rows export does not have',
  );
});

test('docs/onnx.md lists every ONNX op import maps', () => {
  const listed = firstColumn('Import');
  const rows = Object.keys(IMPORT_ROWS).filter((k) => !k.includes(':'));
  assert.deepEqual(
    rows.filter((op) => !listed.has(op)),
    [],
  );
});
