import { test } from 'node:test';
import assert from 'node:assert/strict';
import { changedSpan } from '../../extension/text-span.js';

const cases: [string, string, string][] = [
  ['abcdef', 'abXYef', 'cd→XY in the middle'],
  ['abc', 'abc', 'nothing'],
  ['abc', 'abcd', 'an append'],
  ['abc', 'bc', 'a deletion at the start'],
  ['aaaa', 'aa', 'repeated characters'],
  ['', 'new', 'from empty'],
];

for (const [before, after, what] of cases) {
  test(`changedSpan: ${what}`, () => {
    const s = changedSpan(before, after);
    const rebuilt = before.slice(0, s.start) + after.slice(s.start, s.endAfter) + before.slice(s.endBefore);
    assert.equal(rebuilt, after);
    assert.ok(s.endBefore - s.start <= before.length && s.start <= s.endBefore);
  });
}

test('changedSpan is minimal for a one-line change in a long text', () => {
  const before = 'line\n'.repeat(100) + 'x: 1\n' + 'line\n'.repeat(100);
  const after = before.replace('x: 1', 'x: 22');
  const s = changedSpan(before, after);
  assert.deepEqual([s.endBefore - s.start, s.endAfter - s.start], [1, 2]);
});
