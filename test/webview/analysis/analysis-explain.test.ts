/** The Analyses view's sentences (webview/analysis/explain.ts): which case of the numbers says what. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ModeComparison } from '../../../engine/analysis/modes.js';
import type { EigenDirection, HessianReport } from '../../../engine/analysis/hessian.js';
import type { LinearRegions1d } from '../../../engine/analysis/linear-regions.js';
import {
  hessianCrossCheck,
  hessianMethod,
  hessianRemarks,
  mlpVerdict,
  modeVerdict,
  regionsComparison,
  weightsNote,
} from '../../../webview/analysis/explain.js';

function comparison(
  rows: number,
  cols: number,
  flops: [number, number],
  bytes: [number, number] = [100, 100],
): ModeComparison {
  return {
    quantity: 'q',
    rows,
    cols,
    forward: { directions: cols, flops: flops[0], bytes: bytes[0] },
    reverse: { directions: rows, flops: flops[1], bytes: bytes[1] },
  };
}

const modeCases: [string, ModeComparison, 'forward' | 'reverse' | null, RegExp][] = [
  [
    'a scalar loss, many parameters',
    comparison(1, 4547, [1.2e9, 1.1e6]),
    'reverse',
    /single VJP.*4,547 JVPs/,
  ],
  [
    'more outputs than parameters',
    comparison(50, 20, [26100, 242200]),
    'forward',
    /Forward mode wins.*20 JVPs/,
  ],
  [
    'more parameters than outputs',
    comparison(96, 4547, [1.2e9, 8.2e7]),
    'reverse',
    /96 VJPs, one per output/,
  ],
  ['equal cost', comparison(3, 3, [500, 500]), null, /A tie/],
];
for (const [what, c, winner, sentence] of modeCases)
  test(`modeVerdict: ${what}`, () => {
    const v = modeVerdict(c);
    assert.equal(v.winner, winner);
    assert.match(v.sentence, sentence);
    assert.equal(
      v.ratio,
      Math.max(c.forward.flops, c.reverse.flops) / Math.min(c.forward.flops, c.reverse.flops),
    );
  });

test('modeVerdict names reverse mode’s memory price only when it pays one', () => {
  assert.match(
    modeVerdict(comparison(1, 20, [29250, 7300], [4198, 10752])).sentence,
    /pays in memory: 10\.5 KiB/,
  );
  assert.doesNotMatch(modeVerdict(comparison(1, 20, [29250, 7300], [4198, 4000])).sentence, /memory/);
});

test('mlpVerdict: the side with fewer directions wins', () => {
  assert.match(mlpVerdict([2, 64, 64, 3]), /forward mode wins/);
  assert.match(mlpVerdict([784, 100, 10]), /reverse mode wins/);
  assert.match(mlpVerdict([1, 2, 1]), /a tie/);
});

function direction(value: number, residual = 1e-12): EigenDirection {
  return { value, residual, largest: [], byParam: [] };
}
function hessian(
  top: number,
  bottom: number,
  dense: HessianReport['dense'],
  residual = 1e-12,
): HessianReport {
  return {
    params: 20,
    hvps: 30,
    lanczosSteps: 10,
    ritzValues: [bottom, top],
    top: direction(top),
    bottom: direction(bottom, residual),
    dense,
  };
}

const remarkCases: [string, HessianReport, RegExp][] = [
  ['a flat direction', hessian(563, 6e-15, { asymmetry: 0 }), /λ_min ≈ 0/],
  ['negative curvature', hessian(2.4, -0.7, undefined), /λ_min < 0: negative curvature/],
  ['a proper minimum', hessian(10, 0.5, { asymmetry: 0 }), /κ = λ_max\/λ_min = 20/],
  ['a rough bottom estimate', hessian(2.4, -0.7, undefined, 0.1), /smallest estimate is rough/],
];
for (const [what, h, remark] of remarkCases)
  test(`hessianRemarks: ${what}`, () => {
    const remarks = hessianRemarks(h);
    assert.ok(
      remarks.some((r) => remark.test(r)),
      remarks.join('\n'),
    );
    assert.match(remarks[0]!, new RegExp(`2/λ_max = ${String(2 / h.top.value).slice(0, 5)}`));
  });

test('hessianMethod and hessianCrossCheck say whether the dense Hessian checked Lanczos', () => {
  const dense = hessian(10, 0.5, {
    asymmetry: 1e-17,
    eigenvalues: [0.5, 10],
    topError: 1e-12,
    bottomError: 2e-14,
  });
  assert.match(hessianMethod(dense), /full eigendecomposition/);
  assert.match(hessianCrossCheck(dense), /agree with Lanczos to 1\.000e-12 \(largest\) and 2\.000e-14/);
  const lanczosOnly = hessian(10, 0.5, undefined);
  assert.match(hessianMethod(lanczosOnly), /too many for the dense Hessian/);
  assert.match(hessianCrossCheck(lanczosOnly), /^Lanczos residuals/);
});

function regions(pieces: number, depth: number): LinearRegions1d {
  return {
    interval: [-2, 2],
    breakpoints: Array.from({ length: pieces - 1 }, (_, i) => i),
    pieces,
    depth,
    polyline: { x: [], y: [] },
    candidates: pieces - 1,
    passes: depth + 1,
  };
}
const regionCases: [number, number, RegExp][] = [
  [16, 4, /16 linear pieces = 2\^4/],
  [3, 2, /3 linear pieces < 2\^2 = 4/],
  [40, 2, /40 linear pieces > 2\^2 = 4/],
];
for (const [pieces, depth, sentence] of regionCases)
  test(`regionsComparison: ${pieces} pieces at depth ${depth}`, () => {
    assert.match(regionsComparison(regions(pieces, depth)), sentence);
  });

test('weightsNote says which weights', () => {
  assert.equal(weightsNote({ kind: 'initial' }), 'At the initial weights (nothing trained yet).');
  assert.equal(
    weightsNote({ kind: 'trained', step: 1500, epoch: 12 }),
    'After training: step 1,500, epoch 12.',
  );
  assert.equal(weightsNote({ kind: 'file', file: 'a.weights.json' }), 'At the weights in a.weights.json.');
  assert.equal(weightsNote(undefined), 'At the current weights.');
});
