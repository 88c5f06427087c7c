/**
 * The inspector's reading of a window-size attribute ('sizes': one number, one per axis or per
 * side, or a word) agrees with what the engine accepts for the same op.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAttrInput } from '../../webview/attr-input.js';
import { requireOp } from '../../engine/ops/registry.js';
import { resolveAttrs } from '../../engine/ops/attrs.js';
import type { AttrSpec } from '../../engine/ops/define.js';

const conv2d = requireOp('conv2d');
const spec = (name: string) => (conv2d.attrs as Record<string, AttrSpec>)[name]!;

test('a sizes field takes one number, one per axis or side, or a word, as the engine does', () => {
  const cases: [string, string, unknown][] = [
    ['kernel', '3', 3],
    ['kernel', '2, 3', [2, 3]],
    ['kernel', '[2 3]', [2, 3]],
    ['padding', 'same', 'same'],
    ['padding', '1, 0, 2, 1', [1, 0, 2, 1]],
  ];
  for (const [attr, text, value] of cases) {
    const parsed = parseAttrInput(spec(attr), text);
    assert.ok(parsed.ok, `${attr} '${text}': ${parsed.ok ? '' : parsed.error}`);
    assert.deepEqual(parsed.value, value);
    assert.deepEqual(resolveAttrs(conv2d, { outChannels: 2, kernel: 3, [attr]: value })[attr], value);
  }
  for (const [attr, text, message] of [
    ['kernel', '2, 3, 4', /One whole number or 2 separated by commas/],
    ['kernel', '0', /At least 1/],
    ['padding', 'full', /or same or valid/],
  ] as const) {
    const parsed = parseAttrInput(spec(attr), text);
    assert.ok(!parsed.ok && message.test(parsed.error), `${attr} '${text}' is refused`);
  }
  assert.throws(() => resolveAttrs(conv2d, { outChannels: 2, kernel: [2, 3, 4] }), /conv2d\.kernel/);
});
