/**
 * The gradient check and the analyses as tasks of a RunSession (SessionHarness runs the time
 * slices by hand, with a clock that moves as it is read): progress between slices, and every way a
 * task ends early (cancelTask, a run action, a new task, a changed graph) answered and harmless.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SessionHarness } from './harness.js';
import { smallClassifier } from '../train/graphs.js';
import type { GraphDoc } from '../../../engine/graph/document.js';
import type { TaskKind } from '../../../engine/run/protocol.js';
import { prepareTraining } from '../../../engine/train/session.js';
import { weightsOf } from '../../../engine/graph/weights.js';

const NO_VIEWS = { type: 'runOptions', options: { overlay: false, prediction: false, hiddenUnits: false } };

/** A small 2-D classifier whose gradient check and analysis take many slices but little time. */
const small = smallClassifier(12);

/** A graph (default `small`), paused after `steps` training steps. */
function paused(steps: number, doc: GraphDoc = small): SessionHarness {
  const h = new SessionHarness();
  h.send(NO_VIEWS);
  h.document(doc);
  h.runTasks(5);
  for (let i = 0; i < steps; i++) h.send({ type: 'run', action: 'step' });
  h.clear();
  return h;
}

const REQUEST: Record<TaskKind, { type: TaskKind; requestId: number }> = {
  gradcheck: { type: 'gradcheck', requestId: 7 },
  analyze: { type: 'analyze', requestId: 7 },
};
const RESULT = { gradcheck: 'gradcheckResult', analyze: 'analysisResult' } as const;
const TITLE: Record<TaskKind, string> = { gradcheck: 'Gradient check', analyze: 'Analysis' };

/** Starts the task and runs slices until its first progress event. */
function startedTask(kind: TaskKind, steps = 3): SessionHarness {
  const h = paused(steps);
  h.send(REQUEST[kind]);
  assert.ok(
    h.runUntil(() => h.of('taskProgress').length > 0),
    'progress before the answer',
  );
  assert.equal(h.of(RESULT[kind]).length, 0, 'no answer yet');
  return h;
}

for (const kind of ['gradcheck', 'analyze'] as const) {
  test(`${kind}: runs in many slices with progress events counting up, then answers`, () => {
    const h = paused(3);
    h.send(REQUEST[kind]);
    let slices = 0;
    while (h.of(RESULT[kind]).length === 0) {
      assert.equal(h.runTasks(1), 1, 'a slice is queued until the answer');
      slices++;
    }
    assert.ok(slices > 3, `${slices} slices`);
    assert.equal(h.pendingTasks, 0, 'nothing left queued after the answer');
    const progress = h.of('taskProgress');
    assert.ok(progress.length > 2, `${progress.length} progress events`);
    for (const [i, p] of progress.entries()) {
      assert.equal(p.requestId, 7);
      assert.equal(p.kind, kind);
      assert.equal(p.total, progress[0]!.total);
      assert.ok(p.done > 0 && p.done <= p.total);
      if (i > 0) assert.ok(p.done > progress[i - 1]!.done, 'done increases');
    }
    const labels = progress.map((p) => p.label);
    if (kind === 'gradcheck')
      assert.ok(
        labels.every((l) => /^[\w]+\.(weight|bias)$/.test(l)),
        labels.join(),
      );
    else
      assert.ok(
        labels.some((l) => l.startsWith('Hessian: ')),
        labels.join(),
      );
    assert.equal(h.of(RESULT[kind])[0]!.requestId, 7);
    assert.equal(h.of('taskCancelled').length, 0);
  });

  test(`${kind}: cancelTask between slices answers "cancelled" at once and leaves the run as it was`, () => {
    const h = startedTask(kind);
    h.send({ type: 'cancelTask', requestId: 7 });
    assert.deepEqual(h.of('taskCancelled'), [
      { type: 'taskCancelled', requestId: 7, kind, reason: `${TITLE[kind]} cancelled.` },
    ]);
    const progress = h.of('taskProgress').length;
    h.runTasks(1000);
    assert.equal(h.of(RESULT[kind]).length, 0, 'no answer after the cancellation');
    assert.equal(h.of('taskProgress').length, progress, 'no progress either');
    assert.equal(h.pendingTasks, 0);
    assert.equal(h.session.status.step, 3);
    assert.equal(h.session.status.phase, 'paused');
    // The same weights and the same next batch: the next step's loss is that of a run never checked.
    const reference = paused(4);
    h.send({ type: 'run', action: 'step' });
    assert.equal(h.status.step, 4);
    assert.equal(h.status.loss, reference.session.status.loss);
  });

  test(`${kind}: pause between slices cancels the task first, and the run stays at its step`, () => {
    const h = startedTask(kind);
    h.clear();
    h.send({ type: 'run', action: 'pause' });
    assert.deepEqual(
      h.events.map((e) => e.type),
      ['taskCancelled', 'runStatus'],
    );
    assert.equal(h.of('taskCancelled')[0]!.reason, `${TITLE[kind]} cancelled by Pause.`);
    assert.deepEqual([h.status.phase, h.status.step], ['paused', 3]);
    h.runTasks(1000);
    assert.equal(h.of(RESULT[kind]).length, 0);
  });
}

test('Play during a gradient check cancels it, then trains', () => {
  const h = startedTask('gradcheck');
  h.send({ type: 'run', action: 'play' });
  const cancelled = h.events.findIndex((e) => e.type === 'taskCancelled');
  const running = h.events.findIndex((e) => e.type === 'runStatus' && e.status.phase === 'running');
  assert.ok(cancelled >= 0 && cancelled < running, 'cancelled, then running');
  assert.equal(h.of('taskCancelled')[0]!.reason, 'Gradient check cancelled by Play.');
  h.runTasks(3);
  h.send({ type: 'run', action: 'pause' });
  assert.ok(h.status.step > 3);
  assert.equal(h.of('gradcheckResult').length, 0);
});

test('asking while a task runs replaces it; an unknown cancelTask is ignored', () => {
  const h = startedTask('gradcheck');
  h.send({ type: 'cancelTask', requestId: 99 });
  assert.equal(h.of('taskCancelled').length, 0, 'not the running task: nothing to answer');
  h.send({ type: 'analyze', requestId: 8 });
  assert.deepEqual(h.of('taskCancelled'), [
    {
      type: 'taskCancelled',
      requestId: 7,
      kind: 'gradcheck',
      reason: 'Gradient check cancelled by a new analysis.',
    },
  ]);
  h.clear();
  assert.ok(h.runUntil(() => h.of('analysisResult').length > 0));
  assert.equal(h.of('analysisResult')[0]!.requestId, 8);
  assert.ok(h.of('taskProgress').every((p) => p.requestId === 8 && p.kind === 'analyze'));
  assert.equal(h.of('gradcheckResult').length, 0);
});

test('a change to what the run trains cancels the task; moving a node does not', () => {
  const doc = small;
  const h = startedTask('gradcheck');
  h.document({ ...doc, nodes: doc.nodes.map((n, i) => (i === 0 ? { ...n, position: { x: 1, y: 2 } } : n)) });
  assert.equal(h.of('taskCancelled').length, 0);
  h.document({ ...doc, training: { ...doc.training, batchSize: doc.training.batchSize + 1 } });
  assert.equal(h.of('taskCancelled')[0]!.reason, 'Gradient check cancelled because the graph changed.');
  h.runTasks(1000);
  assert.equal(h.of('gradcheckResult').length, 0);
});

test('dispose during a task: nothing more is sent', () => {
  const h = startedTask('analyze');
  h.clear();
  h.send({ type: 'dispose' });
  h.runTasks(1000);
  assert.deepEqual(h.events, []);
});

test('loading weights cancels the task, then loads them', () => {
  const h = startedTask('analyze');
  const weights = weightsOf(prepareTraining(small).compiled);
  h.send({ type: 'loadWeights', requestId: 9, weights, source: 'w.json' });
  assert.equal(h.of('taskCancelled')[0]!.reason, 'Analysis cancelled by loading weights.');
  assert.equal(h.of('weightsLoaded')[0]!.error, null);
  h.runTasks(1000);
  assert.equal(h.of('analysisResult').length, 0);
});
