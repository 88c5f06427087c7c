import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  createRunStore,
  INITIAL_RUN_STATE,
  reduceRun,
  restoreRunView,
  type RunState,
  type RunStoreAction,
} from '../../../webview/run/run-store.js';
import type { EpochMetrics } from '../../../engine/train/trainer.js';
import type { TaskKind } from '../../../engine/run/protocol.js';
import { epochCount } from '../../../engine/run/run-picture.js';
import { BACKWARD_STEP, metrics, overlayStats, status } from './run-fixtures.js';

const run = (...actions: RunStoreAction[]): RunState => actions.reduce(reduceRun, INITIAL_RUN_STATE);
const steps = (s: RunState) => s.lossTrace.flatMap((c) => [...c.steps]);
const epochs = (s: RunState) => s.history.flat().map((h) => h.epoch);

test('a status replaces the last one', () => {
  const s = run({ type: 'runStatus', status: status({ step: 3, loss: 0.9 }) });
  assert.equal(s.status?.step, 3);
  assert.equal(s.status?.loss, 0.9);
});

test('metrics append epochs from `from` and batch losses in arrival order', () => {
  const s = run(metrics(0, 10, 0, 1), metrics(10, 10, 1, 1), metrics(20, 5, 2));
  assert.deepEqual(epochs(s), [1, 2]);
  assert.deepEqual(
    steps(s),
    Array.from({ length: 25 }, (_, i) => i + 1),
  );
  assert.equal(s.lossTrace.length, 3, 'kept as chunks, not copied into one array');
});

test('from = 0 replaces the history', () => {
  const s = run(metrics(0, 10, 0, 3), metrics(30, 0, 0, 1));
  assert.deepEqual(epochs(s), [1]);
});

test('a reset to idle at step 0 forgets the old run but keeps the dataset and the view settings', () => {
  const s = run(
    { type: 'setView', view: { metric: 'activation', logLoss: true } },
    { type: 'runDataset', dataset: null },
    { type: 'runStatus', status: status({ step: 20 }) },
    metrics(0, 20, 0, 2),
    { type: 'runStats', step: 20, nodes: overlayStats() },
    { type: 'runStatus', status: status({ phase: 'idle', step: 0 }) },
  );
  assert.equal(s.status?.phase, 'idle');
  assert.deepEqual(s.history, []);
  assert.deepEqual(s.lossTrace, []);
  assert.equal(s.stats, null);
  assert.deepEqual(s.view, { metric: 'activation', logLoss: true });
});

test('stats are indexed by node', () => {
  const s = run({ type: 'runStats', step: 7, nodes: overlayStats() });
  assert.equal(s.stats?.step, 7);
  assert.equal(s.stats?.byNode.get('h1')?.paramGradNorms.weight, 0.3);
});

test('a step-through answer clears its pending request; leaving tracing clears the view', () => {
  let s = run(
    { type: 'runStatus', status: status({ phase: 'paused', step: 5, tracing: true }) },
    { type: 'requested', kind: 'trace', requestId: 4 },
  );
  assert.equal(s.pending.trace, 4);
  s = reduceRun(s, { type: 'traceStep', requestId: 4, position: 9, length: 10, step: BACKWARD_STEP });
  assert.equal(s.pending.trace, null);
  assert.equal(s.trace?.step?.node, 'logits');
  s = reduceRun(s, { type: 'runStatus', status: status({ phase: 'paused', step: 5, tracing: false }) });
  assert.equal(s.trace, null);
});

test('a rejected request is no longer pending; other kinds stay pending', () => {
  const s = run(
    { type: 'requested', kind: 'gradcheck', requestId: 2 },
    { type: 'requested', kind: 'analyze', requestId: 3 },
    { type: 'runRejected', requestId: 2, reason: 'no run' },
  );
  assert.deepEqual(s.pending, { trace: null, gradcheck: null, analyze: 3 });
});

test('gradient check results are indexed by node with the worst kept', () => {
  const worst = { node: 'h1', worstRelError: 2e-3, where: 'weight', resolved: true, checked: 40, kinks: 2 };
  const s = run({
    type: 'gradcheckResult',
    requestId: 1,
    nodes: [
      worst,
      { node: 'logits', worstRelError: 1e-9, where: 'output', resolved: true, checked: 9, kinks: 0 },
    ],
    worst,
    floor: 1e-5,
  });
  assert.equal(s.gradcheck?.byNode.get('logits')?.worstRelError, 1e-9);
  assert.equal(s.gradcheck?.worst, worst);
  assert.equal(s.gradcheck?.floor, 1e-5);
});

test('a task’s progress is kept while it is pending; a cancellation ends it with the reason', () => {
  const progress = (requestId: number, done: number, kind: TaskKind = 'analyze'): RunStoreAction => ({
    type: 'taskProgress',
    requestId,
    kind,
    done,
    total: 40,
    label: `Hessian: Lanczos ${done}/40`,
  });
  const asked = run({ type: 'requested', kind: 'analyze', requestId: 4 }, progress(4, 12));
  assert.deepEqual(asked.tasks.analyze, {
    progress: { done: 12, total: 40, label: 'Hessian: Lanczos 12/40' },
    cancelled: null,
  });
  assert.equal(asked.tasks.gradcheck.progress, null, 'per kind');
  assert.equal(reduceRun(asked, progress(3, 30)), asked, 'progress of another request is ignored');
  const cancelled = reduceRun(asked, {
    type: 'taskCancelled',
    requestId: 4,
    kind: 'analyze',
    reason: 'Analysis cancelled by Play.',
  });
  assert.equal(cancelled.pending.analyze, null);
  assert.deepEqual(cancelled.tasks.analyze, { progress: null, cancelled: 'Analysis cancelled by Play.' });
  const again = reduceRun(cancelled, { type: 'requested', kind: 'analyze', requestId: 5 });
  assert.deepEqual(again.tasks.analyze, { progress: null, cancelled: null }, 'a new request clears it');
  const answered = run({ type: 'requested', kind: 'gradcheck', requestId: 6 }, progress(6, 3, 'gradcheck'), {
    type: 'gradcheckResult',
    requestId: 6,
    nodes: [],
    worst: null,
    floor: 1e-5,
  });
  assert.deepEqual([answered.pending.gradcheck, answered.tasks.gradcheck.progress], [null, null]);
});

test('the store notifies on change only, and unsubscribes', () => {
  const store = createRunStore();
  let calls = 0;
  const off = store.subscribe(() => calls++);
  store.dispatch({ type: 'runStatus', status: status() });
  store.dispatch({ type: 'dismissNotice' });
  assert.equal(calls, 1, 'dismissing no notice changes nothing');
  off();
  store.dispatch({ type: 'runStatus', status: status({ step: 1 }) });
  assert.equal(calls, 1);
  assert.equal(store.getState().status?.step, 1);
});

const epoch = (n: number): EpochMetrics => ({ epoch: n, loss: 1 / n, lr: 0.01, steps: 10 * n });

test('a long run appends its epochs without copying the ones stored', () => {
  const sent: EpochMetrics[][] = [];
  let s = INITIAL_RUN_STATE;
  for (let e = 1; e <= 3000; e++) {
    const history = [epoch(e)];
    sent.push(history);
    const before = s.history;
    const trace = { steps: Int32Array.of(10 * e), loss: Float32Array.of(1 / e) };
    s = reduceRun(s, { type: 'runMetrics', from: e - 1, history, trace });
    // Every chunk stored before this message is the very same array after it.
    assert.ok(
      before.every((c, i) => s.history[i] === c),
      `epoch ${e}: an old chunk was copied`,
    );
  }
  assert.equal(epochCount(s.history), 3000);
  assert.ok(
    s.history.every((c, i) => c === sent[i]),
    'each chunk is the array that arrived',
  );
  // Messages with batch losses but no finished epoch add no chunk.
  const same = reduceRun(s, metrics(30_000, 5, 3000, 0));
  assert.equal(same.history, s.history);
});

test('a refusal without a request id is kept as a notice until dismissed', () => {
  const finished = run({ type: 'runStatus', status: status({ phase: 'finished', step: 300 }) });
  const reason = 'The run is finished: press Reset to train again.';
  const s = reduceRun(finished, { type: 'runRejected', requestId: null, reason });
  assert.equal(s.notice, reason);
  assert.equal(reduceRun(s, { type: 'dismissNotice' }).notice, null);
});

const noticeCases: [string, RunStoreAction, boolean][] = [
  ['the same status again', { type: 'runStatus', status: status({ phase: 'paused', step: 40 }) }, true],
  ['a step taken', { type: 'runStatus', status: status({ phase: 'paused', step: 41 }) }, false],
  ['a phase change', { type: 'runStatus', status: status({ phase: 'running', step: 40 }) }, false],
  [
    'stepping through',
    { type: 'runStatus', status: status({ phase: 'paused', step: 40, tracing: true }) },
    false,
  ],
  ['a step-through answer', { type: 'traceStep', requestId: 3, position: 1, length: 9, step: null }, false],
  ['batch losses arriving', metrics(40, 3, 4, 0), true],
];
for (const [name, action, kept] of noticeCases) {
  test(`a notice ${kept ? 'stays after' : 'is cleared by'} ${name}`, () => {
    const s = run(
      { type: 'runStatus', status: status({ phase: 'paused', step: 40 }) },
      { type: 'runRejected', requestId: null, reason: 'No batch is left' },
      action,
    );
    assert.equal(s.notice, kept ? 'No batch is left' : null);
  });
}

test('progress of a running run keeps a notice; a reset clears it', () => {
  let s = run(
    { type: 'runStatus', status: status({ phase: 'running', step: 10 }) },
    { type: 'requested', kind: 'gradcheck', requestId: 7 },
    { type: 'runRejected', requestId: 7, reason: 'Pause the run first' },
  );
  assert.equal(s.pending.gradcheck, null);
  s = reduceRun(s, { type: 'runStatus', status: status({ phase: 'running', step: 30 }) });
  assert.equal(s.notice, 'Pause the run first');
  s = reduceRun(s, { type: 'runStatus', status: status({ phase: 'idle', step: 0 }) });
  assert.equal(s.notice, null);
});

const restoreCases: [string, unknown, ReturnType<typeof restoreRunView>][] = [
  ['nothing saved', undefined, { view: INITIAL_RUN_STATE.view, options: INITIAL_RUN_STATE.options }],
  [
    'everything saved',
    {
      view: { metric: 'param', logLoss: true },
      options: { overlay: false, prediction: true, hiddenUnits: true },
    },
    {
      view: { metric: 'param', logLoss: true },
      options: { overlay: false, prediction: true, hiddenUnits: true },
    },
  ],
  [
    'malformed fields fall back one by one',
    { view: { metric: 'weights', logLoss: true }, options: { overlay: 'no' } },
    { view: { metric: 'grad', logLoss: true }, options: INITIAL_RUN_STATE.options },
  ],
  ['not an object', 'grad', { view: INITIAL_RUN_STATE.view, options: INITIAL_RUN_STATE.options }],
];
for (const [name, saved, expected] of restoreCases) {
  test(`restoreRunView: ${name}`, () => {
    assert.deepEqual(restoreRunView(saved), expected);
  });
}
