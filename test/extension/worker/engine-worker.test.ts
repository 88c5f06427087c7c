/**
 * The real engine worker thread (bundled by worker-bundle.ts as the build does), started with
 * node:worker_threads, driven through RunController as the extension drives it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { RunController, type EngineWorker } from '../../../extension/run/run-controller.js';
import { spawnEngineWorker } from '../../../extension/run/worker-thread.js';
import type { FromWorker, RunEvent, RunStatus } from '../../../engine/run/protocol.js';
import { exampleDoc } from '../../engine/run/harness.js';
import { buildWorker } from './worker-bundle.js';

/** Resolves with the first posted event that passes `test` (checking those already posted first). */
function waitFor<T extends RunEvent>(
  posted: RunEvent[],
  listeners: (() => void)[],
  match: (e: RunEvent) => e is T,
  what: string,
  ms = 15_000,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms);
    const check = () => {
      const hit = posted.find(match);
      if (!hit) return false;
      clearTimeout(timer);
      resolve(hit);
      return true;
    };
    if (!check()) listeners.push(() => void check());
  });
}

const isStatus =
  (pred: (s: RunStatus) => boolean) =>
  (e: RunEvent): e is Extract<RunEvent, { type: 'runStatus' }> =>
    e.type === 'runStatus' && pred(e.status);

test('the real worker thread: play → steps → pause → dispose, and a killed thread is restarted', async (t) => {
  const script = await buildWorker();
  const posted: RunEvent[] = [];
  const listeners: (() => void)[] = [];
  const threads: EngineWorker[] = [];
  const c = new RunController({
    spawn: () => {
      const w = spawnEngineWorker(script);
      threads.push(w);
      return w;
    },
    post: (e) => {
      posted.push(e);
      for (const l of listeners) l();
    },
  });
  // A failed assertion must not leave a thread training: it would keep this file's process alive.
  t.after(() => c.dispose());
  c.setDocument(exampleDoc('spiral'), 1, null);
  c.request({ type: 'run', action: 'play' });
  const stepped = await waitFor(
    posted,
    listeners,
    isStatus((s) => s.step >= 20),
    'twenty steps',
  );
  assert.equal(stepped.status.phase, 'running');
  // Curves, overlay statistics and the prediction view are throttled (the prediction is also held
  // to a small share of the time), so on a fast machine twenty steps can come before the first of
  // each: wait for them rather than expect them by then.
  const event =
    <K extends RunEvent['type']>(type: K, pred: (e: Extract<RunEvent, { type: K }>) => boolean) =>
    (e: RunEvent): e is Extract<RunEvent, { type: K }> =>
      e.type === type && pred(e as Extract<RunEvent, { type: K }>);
  await waitFor(
    posted,
    listeners,
    event('runMetrics', (e) => e.trace.loss instanceof Float32Array),
    'curves',
  );
  await waitFor(
    posted,
    listeners,
    event('runStats', (e) => e.nodes.length === 8),
    'overlay statistics',
  );
  await waitFor(
    posted,
    listeners,
    event('runPrediction', (e) => e.view.kind === 'boundary'),
    'a boundary',
  );
  c.request({ type: 'run', action: 'pause' });
  const paused = await waitFor(
    posted,
    listeners,
    isStatus((s) => s.phase === 'paused'),
    'paused',
  );
  await new Promise((r) => setTimeout(r, 100));
  const after = posted.filter(isStatus(() => true)).at(-1)!;
  assert.equal(after.status.step, paused.status.step, 'no steps after the pause');

  // Kill the thread from outside: reported, restarted, the document re-sent (play works again).
  posted.length = 0;
  threads[0]!.terminate();
  const failed = await waitFor(
    posted,
    listeners,
    isStatus((s) => s.phase === 'failed'),
    'the crash report',
  );
  assert.match(failed.status.error!.message, /stopped unexpectedly/);
  assert.equal(threads.length, 2);
  c.request({ type: 'run', action: 'step' });
  await waitFor(
    posted,
    listeners,
    isStatus((s) => s.phase === 'paused' && s.step === 1),
    'a step on the new thread',
  );
  c.dispose();
});

test('the real worker thread: a gradient check on the CNN reports progress, and Cancel is answered before any result', async (t) => {
  const script = await buildWorker();
  const posted: RunEvent[] = [];
  const listeners: (() => void)[] = [];
  const c = new RunController({
    spawn: () => spawnEngineWorker(script),
    post: (e) => {
      posted.push(e);
      for (const l of listeners) l();
    },
  });
  t.after(() => c.dispose());
  c.setDocument(exampleDoc('cnn-digits'), 1, null);
  c.request({ type: 'gradcheck', requestId: 5 });
  const is =
    <K extends RunEvent['type']>(type: K) =>
    (e: RunEvent): e is Extract<RunEvent, { type: K }> =>
      e.type === type;
  // Differencing hundreds of elements of each tensor, four CNN forward passes each, takes many
  // slices: the first progress event comes long before the answer would.
  const first = await waitFor(posted, listeners, is('taskProgress'), 'progress', 60_000);
  assert.deepEqual([first.requestId, first.kind], [5, 'gradcheck']);
  assert.ok(first.done < first.total, `${first.done} of ${first.total}`);
  c.request({ type: 'cancelTask', requestId: 5 });
  const cancelled = await waitFor(posted, listeners, is('taskCancelled'), 'the cancellation', 60_000);
  assert.equal(cancelled.reason, 'Gradient check cancelled.');
  // Anything the worker sends after this message was sent after the cancellation: a step answers.
  c.request({ type: 'run', action: 'step' });
  await waitFor(
    posted,
    listeners,
    isStatus((s) => s.step === 1),
    'a step after the cancellation',
  );
  assert.equal(posted.filter(is('gradcheckResult')).length, 0, 'the cancelled check never answers');
  assert.ok(
    posted.findIndex(is('taskCancelled')) > posted.findIndex(is('taskProgress')),
    'progress, then the cancellation',
  );
  c.dispose();
});

test('dispose lets the worker thread end by itself', async (t) => {
  const script = await buildWorker();
  const w = new Worker(script);
  t.after(() => void w.terminate());
  const trained = new Promise<void>((resolve) =>
    w.on('message', (e: FromWorker) => {
      if (e.type === 'runStatus' && e.status.step > 0) resolve();
    }),
  );
  w.postMessage({ type: 'document', doc: exampleDoc('spiral'), version: 1, baseDir: null });
  w.postMessage({ type: 'run', action: 'play' });
  await trained;
  const exited = new Promise<number>((resolve) => w.on('exit', resolve));
  w.postMessage({ type: 'dispose' });
  assert.equal(await exited, 0, 'the thread ended by itself (terminate() would give 1)');
});
