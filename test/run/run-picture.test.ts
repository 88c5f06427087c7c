/** The run's picture, reduced by one function for the host's cache and the webview's store. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendEpochs, appendTrace, epochCount } from '../../engine/run/run-picture.js';
import type { EpochMetrics } from '../../engine/train/trainer.js';
import type { LossTrace } from '../../engine/run/protocol.js';

const trace = (from: number, to: number): LossTrace => ({
  steps: Int32Array.from({ length: to - from + 1 }, (_, i) => from + i),
  loss: new Float32Array(to - from + 1),
});

const appendCases: [string, LossTrace[], LossTrace, number[]][] = [
  ['appends after the last step', [trace(1, 3)], trace(4, 5), [1, 2, 3, 4, 5]],
  [
    'a restart drops what was stored from its first step on',
    [trace(1, 3), trace(4, 6)],
    trace(2, 3),
    [1, 2, 3],
  ],
  ['a restart from step 1 drops everything', [trace(1, 3)], trace(1, 1), [1]],
  ['an empty chunk changes nothing', [trace(1, 3)], trace(1, 0), [1, 2, 3]],
];
for (const [name, before, next, expected] of appendCases) {
  test(`appendTrace: ${name}`, () => {
    assert.deepEqual(
      appendTrace(before, next).flatMap((c) => [...c.steps]),
      expected,
    );
  });
}

const epoch = (n: number): EpochMetrics => ({ epoch: n, loss: 1 / n, lr: 0.01, steps: 10 * n });
const chunk = (from: number, to: number): EpochMetrics[] =>
  Array.from({ length: to - from + 1 }, (_, i) => epoch(from + i));

const epochCases: [string, EpochMetrics[][], number, EpochMetrics[], number[]][] = [
  ['appends after the last epoch', [chunk(1, 2)], 2, chunk(3, 4), [1, 2, 3, 4]],
  ['from = 0 starts over', [chunk(1, 2), chunk(3, 3)], 0, chunk(1, 1), [1]],
  [
    'a from inside a chunk keeps the epochs before it',
    [chunk(1, 3), chunk(4, 6)],
    4,
    chunk(5, 5),
    [1, 2, 3, 4, 5],
  ],
  ['a from on a chunk boundary drops the later chunks', [chunk(1, 3), chunk(4, 6)], 3, [], [1, 2, 3]],
  ['nothing new changes nothing', [chunk(1, 3)], 3, [], [1, 2, 3]],
];
for (const [name, before, from, next, expected] of epochCases) {
  test(`appendEpochs: ${name}`, () => {
    const after = appendEpochs(before, from, next);
    assert.deepEqual(
      after.flat().map((h) => h.epoch),
      expected,
    );
    assert.equal(epochCount(after), expected.length);
  });
}

