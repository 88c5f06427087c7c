import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  appendTrace,
  createRunStore,
  INITIAL_RUN_STATE,
  reduceRun,
  type RunState,
  type RunStoreAction,
} from '../../webview/run/run-store.js';
import type { LossTrace, TaskKind } from '../../engine/run/protocol.js';
import { BACKWARD_STEP, metrics, overlayStats, status } from './run-fixtures.js';

const run = (...actions: RunStoreAction[]): RunState => actions.reduce(reduceRun, INITIAL_RUN_STATE);
const steps = (s: RunState) => s.lossTrace.flatMap((c) => [...c.steps]);

test('a status replaces the last one', () => {
  const s = run({ type: 'runStatus', status: status({ step: 3, loss: 0.9 }) });
  assert.equal(s.status?.step, 3);
  assert.equal(s.status?.loss, 0.9);
});

test('metrics append epochs from `from` and batch losses in arrival order', () => {
  const s = run(metrics(0, 10, 0, 1), metrics(10, 10, 1, 1), metrics(20, 5, 2));
  assert.deepEqual(
    s.history.map((h) => h.epoch),
    [1, 2],
  );
  assert.deepEqual(
    steps(s),
    Array.from({ length: 25 }, (_, i) => i + 1),
  );
  assert.equal(s.lossTrace.length, 3, 'kept as chunks, not copied into one array');
});

test('from = 0 replaces the history', () => {
  const s = run(metrics(0, 10, 0, 3), metrics(30, 0, 0, 1));
  assert.deepEqual(
    s.history.map((h) => h.epoch),
    [1],
  );
});

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
  store.dispatch({ type: 'runRejected', requestId: 99, reason: 'unknown request' });
  assert.equal(calls, 1, 'a rejection of nothing pending changes nothing');
  off();
  store.dispatch({ type: 'runStatus', status: status({ step: 1 }) });
  assert.equal(calls, 1);
  assert.equal(store.getState().status?.step, 1);
});
