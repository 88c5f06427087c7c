import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  edgeWidth,
  formatMagnitude,
  legend,
  NON_FINITE_COLOR,
  overlayColor,
  overlayValue,
  OVERLAY_METRICS,
  OVERLAY_SCALES,
} from '../../../webview/run/overlay-scale.js';
import { overlayStats } from './run-fixtures.js';

const rgb = (c: string) => c.match(/\d+/g)!.map(Number) as [number, number, number];
/** Positive when blue dominates, negative when red does. */
const blueness = (c: string) => {
  const [r, , b] = rgb(c);
  return b - r;
};

for (const metric of OVERLAY_METRICS) {
  const { centre } = OVERLAY_SCALES[metric];
  test(`${metric}: vanishing is blue, healthy is grey, exploding is red`, () => {
    assert.ok(blueness(overlayColor(10 ** (centre - 4), metric)) > 80, 'four decades below: blue');
    const healthy = rgb(overlayColor(10 ** centre, metric));
    assert.ok(Math.max(...healthy) - Math.min(...healthy) < 10, `centre is grey: ${healthy}`);
    assert.ok(blueness(overlayColor(10 ** (centre + 3), metric)) < -80, 'three decades above: red');
  });

  test(`${metric}: the colour moves steadily away from grey with each decade, both ways`, () => {
    const grey = rgb(overlayColor(10 ** centre, metric));
    const distance = (d: number) =>
      Math.hypot(...rgb(overlayColor(10 ** (centre + d), metric)).map((c, k) => c - grey[k]!));
    for (let d = 0; d < 5; d += 0.5) {
      assert.ok(distance(-d - 0.5) > distance(-d), `below, ${d} decades`);
      assert.ok(distance(d + 0.5) > distance(d), `above, ${d} decades`);
    }
  });
}

test('a colour depends on the value alone (fixed anchors, not the other values of the frame)', () => {
  assert.equal(overlayColor(0.37, 'grad'), overlayColor(0.37, 'grad'));
  assert.notEqual(overlayColor(0.37, 'grad'), overlayColor(0.037, 'grad'));
  assert.equal(overlayColor(1e-30, 'grad'), overlayColor(0, 'grad'), 'clamped at the deepest blue');
});

test('NaN and infinities get a colour of their own', () => {
  for (const v of [NaN, Infinity, -Infinity]) assert.equal(overlayColor(v, 'grad'), NON_FINITE_COLOR);
});

test('edges thicken with the magnitude', () => {
  const widths = [1e-8, 1e-3, 0.1, 10, 1e5].map((v) => edgeWidth(v, 'grad'));
  assert.deepEqual(
    [...widths].sort((a, b) => a - b),
    widths,
  );
  assert.ok(widths[0]! < 2 && widths.at(-1)! > 6);
});

test('the value shown per metric: output gradient, parameter gradient (nodes with parameters), activation', () => {
  const h1 = overlayStats().find((n) => n.node === 'h1')!;
  const a1 = overlayStats().find((n) => n.node === 'a1')!;
  assert.equal(overlayValue(h1, 'grad'), 0.08);
  assert.equal(overlayValue(h1, 'param'), Math.hypot(0.3, 0.05));
  assert.equal(overlayValue(a1, 'param'), null);
  assert.equal(overlayValue(a1, 'activation'), 8);
  assert.equal(overlayValue(undefined, 'grad'), null);
});

test('the legend has a tick per decade and its gradient uses the same colours', () => {
  const { ticks, gradient } = legend('grad');
  const { lo, hi } = OVERLAY_SCALES.grad;
  assert.equal(ticks.length, hi - lo + 1);
  assert.deepEqual([ticks[0]!.at, ticks.at(-1)!.at], [0, 1]);
  assert.ok(gradient.includes(overlayColor(10 ** lo, 'grad')));
  assert.ok(gradient.includes(overlayColor(10 ** hi, 'grad')));
});

const formats: [number, string][] = [
  [0, '0'],
  [0.1234, '0.123'],
  [512.44, '512'],
  [3.1e-7, '3.10e-7'],
  [12345, '1.23e4'],
];
for (const [v, text] of formats)
  test(`formatMagnitude(${v}) = ${text}`, () => assert.equal(formatMagnitude(v), text));
