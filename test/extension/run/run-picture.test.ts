/** The run's picture, reduced by one function for the host's cache and the webview's store. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendEpochs, appendTrace, epochCount, type RunPicture } from '../../../engine/run/run-picture.js';
import { RunEventCache } from '../../../extension/run/run-event-cache.js';
import { INITIAL_RUN_STATE, reduceRun, type RunState } from '../../../webview/run/run-store.js';
import { exampleDoc, SessionHarness } from '../../engine/run/harness.js';
import type { EpochMetrics } from '../../../engine/train/trainer.js';
import type { LossTrace } from '../../../engine/run/protocol.js';

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

/** A picture with its chunked curves joined, so that pictures reduced from other messages compare. */
function joined(p: RunPicture) {
  return {
    ...p,
    history: p.history.flat(),
    lossTrace: {
      steps: p.lossTrace.flatMap((c) => [...c.steps]),
      loss: p.lossTrace.flatMap((c) => [...c.loss]),
    },
  };
}

test('the host’s replay draws the picture the live webview has, through a run, a step-through and a reset', () => {
  const h = new SessionHarness();
  const cache = new RunEventCache();
  let live: RunState = INITIAL_RUN_STATE;
  let delivered = 0;
  /** Passes the new events on (as RunController does) and checks that a re-created webview agrees. */
  const check = (when: string) => {
    for (const e of h.runEvents.slice(delivered)) {
      cache.record(e);
      live = reduceRun(live, e);
    }
    delivered = h.runEvents.length;
    const replayed = cache.replay().reduce(reduceRun, INITIAL_RUN_STATE);
    const picture = (s: RunState): RunPicture => {
      const { status, history, lossTrace, stats, dataset, prediction, images, trace } = s;
      return { status, history, lossTrace, stats, dataset, prediction, images, trace };
    };
    assert.deepEqual(joined(picture(replayed)), joined(picture(live)), when);
    return live;
  };
  h.document(exampleDoc('spiral'));
  h.runTasks(2);
  assert.ok(check('idle, before a run').dataset, 'the dataset preview is shown');
  h.send({ type: 'run', action: 'play' });
  h.runTasks(6);
  let s = check('while running');
  assert.ok(s.lossTrace.length > 1 && s.stats && s.prediction, 'curves, overlay and prediction arrived');
  h.send({ type: 'trace', requestId: 1, action: 'start' });
  h.send({ type: 'trace', requestId: 2, action: 'step' });
  s = check('stepping through');
  assert.equal(s.trace?.position, 1);
  h.send({ type: 'trace', requestId: 3, action: 'end' });
  h.send({ type: 'run', action: 'play' });
  h.runTasks(3);
  s = check('after the step-through, running again');
  assert.equal(s.trace, null);
  h.send({ type: 'run', action: 'reset' });
  h.runTasks(2);
  s = check('after a reset');
  assert.deepEqual([s.status?.phase, s.status?.step, s.lossTrace.length, s.stats], ['idle', 0, 0, null]);
  h.send({ type: 'run', action: 'step' });
  check('one step into a new run');
});
