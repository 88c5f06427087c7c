/** Numbers on node labels and in the inspector: as written, at a readable precision. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readableNumber } from '../../../engine/analysis/format.js';
import { formatAttr, parseAttrInput } from '../../../webview/editor/attr-input.js';
import { attrSummary } from '../../../webview/editor/graph-view.js';
import { opInfo } from '../../../webview/op-catalog.js';

test('float noise is not shown: 1 − 0.9 reads 0.1, float32 1e-5 reads 0.00001', () => {
  assert.equal(readableNumber(1 - 0.9), '0.1');
  assert.equal(readableNumber(Math.fround(1e-5)), '0.00001');
  assert.equal(readableNumber(0.30000001192092896), '0.3');
  assert.equal(readableNumber(123456789), '123456789', 'whole numbers as they are');
  assert.equal(readableNumber(1.5e-9), '1.5e-9');
});

test('a node label and the inspector show the readable number; committing it unchanged edits nothing', () => {
  const node = {
    id: 'bn',
    op: 'batch_norm',
    attrs: { momentum: 0.09999999999999998, eps: Math.fround(1e-5) },
    position: { x: 0, y: 0 },
  };
  assert.equal(attrSummary(node, opInfo('batch_norm')), 'eps 0.00001 · momentum 0.1');
  assert.equal(formatAttr(node.attrs.momentum), '0.1');
  assert.equal(formatAttr([0.1 + 0.2, 2]), '0.3, 2');
  // The inspector commits only when the text differs from what it shows.
  const parsed = parseAttrInput(
    'batch_norm',
    'momentum',
    { type: 'number', default: 0.1, doc: 'momentum' },
    formatAttr(node.attrs.momentum),
  );
  assert.ok(parsed.ok && formatAttr(parsed.value ?? undefined) === formatAttr(node.attrs.momentum));
});
