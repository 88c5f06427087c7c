/**
 * The inspector's reading of a window-size attribute ('sizes': one number, one per axis or per
 * side, or a word) agrees with what the engine accepts for the same op.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAttrInput } from '../../../webview/editor/attr-input.js';
import { requireOp } from '../../../engine/ops/registry.js';
import { resolveAttrs } from '../../../engine/ops/attrs.js';
import type { AttrSpec } from '../../../engine/ops/define.js';

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
    const parsed = parseAttrInput('conv2d', attr, spec(attr), text);
    assert.ok(parsed.ok, `${attr} '${text}': ${parsed.ok ? '' : parsed.error}`);
    assert.deepEqual(parsed.value, value);
    assert.deepEqual(resolveAttrs(conv2d, { outChannels: 2, kernel: 3, [attr]: value })[attr], value);
  }
  for (const [attr, text, message] of [
    [
      'kernel',
      '2, 3, 4',
      /conv2d\.kernel must be a whole number or a list of 2 whole numbers; got \[2,3,4\]/,
    ],
    ['kernel', '0', /conv2d\.kernel must be ≥ 1 on every axis, got 0/],
    ['padding', 'full', /conv2d\.padding .*or one of 'same', 'valid'; got "full"/],
  ] as const) {
    const parsed = parseAttrInput('conv2d', attr, spec(attr), text);
    assert.ok(!parsed.ok && message.test(parsed.error), `${attr} '${text}' is refused`);
  }
  assert.throws(() => resolveAttrs(conv2d, { outChannels: 2, kernel: [2, 3, 4] }), /conv2d\.kernel/);
});

test('the inspector says what is wrong in the engine’s words (one set of messages)', () => {
  const thrown = (attrs: Record<string, unknown>) => {
    try {
      resolveAttrs(conv2d, attrs);
    } catch (e) {
      return (e as Error).message;
    }
    return assert.fail(`resolveAttrs accepted ${JSON.stringify(attrs)}`);
  };
  const cases: [string, string, Record<string, unknown>][] = [
    ['kernel', '0', { outChannels: 2, kernel: 0 }],
    ['kernel', '2, 3, 4', { outChannels: 2, kernel: [2, 3, 4] }],
    ['outChannels', 'two', { outChannels: 'two', kernel: 3 }],
    ['outChannels', '2.5', { outChannels: 2.5, kernel: 3 }],
    ['outChannels', '', { kernel: 3 }],
  ];
  for (const [attr, text, attrs] of cases) {
    const parsed = parseAttrInput('conv2d', attr, spec(attr), text);
    assert.ok(!parsed.ok, `${attr} '${text}' is refused`);
    assert.equal(parsed.error, thrown(attrs), `${attr} '${text}'`);
  }
  const unset = parseAttrInput('conv2d', 'stride', spec('stride'), ' ');
  assert.deepEqual(
    unset,
    { ok: true, value: null },
    'an empty field with a default leaves the attribute out',
  );
});

test('an axes field takes one axis as the number itself, or a list, as the engine does', () => {
  const sum = requireOp('sum');
  const axis = (sum.attrs as Record<string, AttrSpec>)['axis']!;
  for (const [text, value] of [
    ['1', 1],
    ['-1', -1],
    ['0, 2', [0, 2]],
  ] as const) {
    const parsed = parseAttrInput('sum', 'axis', axis, text);
    assert.ok(parsed.ok, `'${text}': ${parsed.ok ? '' : parsed.error}`);
    assert.deepEqual(parsed.value, value);
    assert.deepEqual(resolveAttrs(sum, { axis: value })['axis'], value);
  }
  const refused = parseAttrInput('sum', 'axis', axis, 'rows');
  assert.ok(!refused.ok && /sum\.axis must be an axis or a list of axes, got "rows"/.test(refused.error));
  assert.deepEqual(parseAttrInput('sum', 'axis', axis, ''), { ok: true, value: null }, 'unset: every axis');
});

test('an axes field takes one axis or a list, as torch’s dim and the engine take them', () => {
  const sum = requireOp('sum');
  const axis = (sum.attrs as Record<string, AttrSpec>)['axis']!;
  for (const [text, value] of [
    ['1', 1],
    ['-1', -1],
    ['0, 2', [0, 2]],
    ['[1 -1]', [1, -1]],
  ] as const) {
    const parsed = parseAttrInput('sum', 'axis', axis, text);
    assert.ok(parsed.ok, `'${text}': ${parsed.ok ? '' : parsed.error}`);
    assert.deepEqual(parsed.value, value);
    assert.deepEqual(resolveAttrs(sum, { axis: value })['axis'], value);
  }
  const parsed = parseAttrInput('sum', 'axis', axis, 'last');
  assert.ok(!parsed.ok && /sum\.axis must be an axis or a list of axes/.test(parsed.error));
});
