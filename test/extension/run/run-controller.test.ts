import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RunController, type EngineWorker, type TaskStatus } from '../../../extension/run/run-controller.js';
import type { FromWorker, RunEvent, RunStatus, ToWorker } from '../../../engine/run/protocol.js';
import { exampleDoc } from '../../engine/run/harness.js';

/** A worker that records what it is sent and dies on command. */
class FakeWorker implements EngineWorker {
  readonly received: ToWorker[] = [];
  terminated = false;
  private message?: (m: FromWorker) => void;
  private error?: (e: Error) => void;
  private exit?: (code: number) => void;
  postMessage(msg: ToWorker): void {
    this.received.push(msg);
  }
  onMessage(fn: (m: FromWorker) => void): void {
    this.message = fn;
  }
  onError(fn: (e: Error) => void): void {
    this.error = fn;
  }
  onExit(fn: (code: number) => void): void {
    this.exit = fn;
  }
  terminate(): void {
    this.terminated = true;
    this.exit?.(1);
  }
  emit(e: FromWorker): void {
    this.message!(e);
  }
  crash(message: string): void {
    this.error!(new Error(message));
    this.exit!(1);
  }
}

function status(phase: RunStatus['phase'], step = 0): FromWorker {
  return {
    type: 'runStatus',
    status: {
      phase,
      step,
      epoch: 1,
      epochs: 100,
      batchesPerEpoch: 10,
      loss: 1,
      lr: 0.01,
      stale: false,
      tracing: false,
    },
  };
}

function setup() {
  const workers: FakeWorker[] = [];
  const posted: RunEvent[] = [];
  const statuses: RunStatus[] = [];
  const tasks: (TaskStatus | null)[] = [];
  let time = 0;
  const c = new RunController({
    spawn: () => {
      const w = new FakeWorker();
      workers.push(w);
      return w;
    },
    post: (e) => posted.push(e),
    onStatus: (s) => statuses.push(s),
    onTask: (t) => tasks.push(t),
    now: () => (time += 1000),
  });
  return { c, workers, posted, statuses, tasks };
}

const OPTIONS = {
  type: 'runOptions',
  options: { overlay: true, prediction: false, hiddenUnits: false },
} as const;

test('the controller forwards the document and requests to its worker, and events to the webview', () => {
  const { c, workers, posted, statuses } = setup();
  const doc = exampleDoc('spiral');
  c.setDocument(doc, 3, '/tmp');
  c.request({ type: 'run', action: 'play' });
  assert.deepEqual(workers[0]!.received, [
    { type: 'document', doc, version: 3, baseDir: '/tmp' },
    { type: 'run', action: 'play' },
  ]);
  workers[0]!.emit(status('running', 5));
  assert.deepEqual(posted, [status('running', 5)]);
  assert.equal(statuses[0]!.step, 5);
});

test('a crashed worker is reported as a failed run with why, and restarted with the document and options', () => {
  const { c, workers, posted } = setup();
  const doc = exampleDoc('spiral');
  c.request(OPTIONS);
  c.setDocument(doc, 7, null);
  workers[0]!.emit(status('running', 40));
  workers[0]!.crash('out of memory');
  assert.equal(workers.length, 2, 'a new worker');
  const failed = posted.at(-1) as Extract<RunEvent, { type: 'runStatus' }>;
  assert.equal(failed.status.phase, 'failed');
  assert.equal(failed.status.step, 40);
  assert.match(failed.status.error!.message, /stopped unexpectedly \(out of memory\).*restarted/);
  assert.deepEqual(workers[1]!.received, [OPTIONS, { type: 'document', doc, version: 7, baseDir: null }]);
  // The new worker's idle status keeps showing the failure until the user acts.
  workers[1]!.emit(status('idle'));
  assert.equal((posted.at(-1) as Extract<RunEvent, { type: 'runStatus' }>).status.phase, 'failed');
  c.request({ type: 'run', action: 'play' });
  assert.deepEqual(workers[1]!.received.at(-1), { type: 'run', action: 'play' });
  workers[1]!.emit(status('running', 1));
  assert.deepEqual(posted.at(-1), status('running', 1));
  // Events of the dead worker are ignored.
  workers[0]!.emit(status('running', 41));
  assert.deepEqual(posted.at(-1), status('running', 1));
});

test('a worker that keeps crashing is not restarted in a loop; requests then say why', () => {
  const { c, workers, posted } = setup();
  for (let i = 0; i < 4; i++) workers.at(-1)!.crash('boom');
  assert.equal(workers.length, 4);
  assert.equal(c.running, false);
  assert.match(
    (posted.at(-1) as Extract<RunEvent, { type: 'runStatus' }>).status.error!.message,
    /4 times in a minute, so it was not restarted/,
  );
  c.request({ type: 'trace', requestId: 12, action: 'start' });
  const r = posted.at(-1) as Extract<RunEvent, { type: 'runRejected' }>;
  assert.equal(r.type, 'runRejected');
  assert.equal(r.requestId, 12);
});

test('dispose ends the worker; its exit is not a crash', () => {
  const { c, workers, posted } = setup();
  c.dispose();
  assert.deepEqual(workers[0]!.received.at(-1), { type: 'dispose' });
  assert.equal(workers[0]!.terminated, true);
  assert.equal(workers.length, 1);
  assert.equal(posted.length, 0);
});

test('replay rebuilds a re-created webview: last status, merged curves, dataset, overlay', () => {
  const { c, workers, posted } = setup();
  const w = workers[0]!;
  const trace = (steps: number[]) => ({
    steps: Int32Array.from(steps),
    loss: Float32Array.from(steps, (s) => 1 / s),
  });
  const epoch = (n: number) => ({ epoch: n, loss: 1 / n, lr: 0.01, steps: 10 * n });
  w.emit({ type: 'runMetrics', from: 0, history: [], trace: trace([]) });
  w.emit({ type: 'runDataset', dataset: null });
  w.emit({ type: 'runMetrics', from: 0, history: [epoch(1)], trace: trace([1, 2, 3]) });
  w.emit({ type: 'runMetrics', from: 1, history: [epoch(2)], trace: trace([4, 5]) });
  w.emit({ type: 'runStats', step: 5, nodes: [] });
  w.emit(status('paused', 5));
  const before = posted.length;
  c.replay();
  const replayed = posted.slice(before);
  assert.deepEqual(
    replayed.map((e) => e.type),
    ['runStatus', 'runMetrics', 'runDataset', 'runStats'],
  );
  const m = replayed[1] as Extract<RunEvent, { type: 'runMetrics' }>;
  assert.equal(m.from, 0);
  assert.deepEqual(
    m.history.map((h) => h.epoch),
    [1, 2],
  );
  assert.deepEqual(Array.from(m.trace.steps), [1, 2, 3, 4, 5]);
});

test('trained weights are asked of the worker and never reach the webview; a dead worker answers null', async () => {
  const { c, workers, posted } = setup();
  const asked = c.trainedWeights();
  const req = workers[0]!.received.at(-1)!;
  assert.equal(req.type, 'snapshotWeights');
  const trained = {
    weights: { format: 'backprop-studio.weights', version: 1, weights: { h1: {} } } as const,
    step: 7,
    epoch: 1,
    misfit: null,
  };
  workers[0]!.emit({ type: 'weightsSnapshot', requestId: (req as { requestId: number }).requestId, trained });
  assert.deepEqual(await asked, trained);
  assert.equal(posted.length, 0, 'the snapshot is the host’s, not the webview’s');

  // Asked, then the thread dies before answering: null, not a promise that never settles.
  const lost = c.trainedWeights();
  workers[0]!.crash('boom');
  assert.equal(await lost, null);
  // Asked of the restarted worker, then the editor closes.
  const closed = c.trainedWeights();
  c.dispose();
  assert.equal(await closed, null);
  assert.equal(await c.trainedWeights(), null, 'after dispose: null at once');
});

test('loading weights is answered to the host alone: null when loaded, the reason when not', async () => {
  const { c, workers, posted } = setup();
  const weights = { format: 'backprop-studio.weights', version: 1, weights: {} } as const;
  const loaded = c.loadWeights(weights, 'a.weights.json');
  const req = workers[0]!.received.at(-1) as Extract<ToWorker, { type: 'loadWeights' }>;
  assert.equal(req.type, 'loadWeights');
  assert.equal(req.source, 'a.weights.json');
  workers[0]!.emit({ type: 'weightsLoaded', requestId: req.requestId, error: null });
  assert.equal(await loaded, null);
  const refused = c.loadWeights(weights, 'b.weights.json');
  const again = workers[0]!.received.at(-1) as Extract<ToWorker, { type: 'loadWeights' }>;
  workers[0]!.emit({ type: 'weightsLoaded', requestId: again.requestId, error: 'no h1.weight' });
  assert.equal(await refused, 'no h1.weight');
  assert.equal(posted.length, 0);
  c.dispose();
  assert.match((await c.loadWeights(weights, 'c.weights.json'))!, /not running/);
});

test('a task’s progress goes to the status bar until the event that answers it; a crash answers it', () => {
  const { c, workers, posted, tasks } = setup();
  c.request({ type: 'gradcheck', requestId: 4 });
  const progress = (requestId: number, done: number): FromWorker => ({
    type: 'taskProgress',
    requestId,
    kind: 'gradcheck',
    done,
    total: 10,
    label: 'h1.weight',
  });
  workers[0]!.emit(progress(3, 1));
  assert.equal(tasks.length, 0, 'not the task asked for');
  workers[0]!.emit(progress(4, 5));
  assert.deepEqual(tasks, [{ kind: 'gradcheck', done: 5, total: 10, label: 'h1.weight' }]);
  workers[0]!.emit({
    type: 'taskCancelled',
    requestId: 4,
    kind: 'gradcheck',
    reason: 'Gradient check cancelled.',
  });
  assert.equal(tasks.at(-1), null);
  assert.equal(posted.at(-1)!.type, 'taskCancelled', 'the webview hears it too');

  c.request({ type: 'analyze', requestId: 5 });
  workers[0]!.emit({
    type: 'taskProgress',
    requestId: 5,
    kind: 'analyze',
    done: 2,
    total: 40,
    label: 'Hessian: Lanczos 2/40',
  });
  assert.equal(tasks.at(-1)?.kind, 'analyze');
  workers[0]!.crash('out of memory');
  const rejected = posted.find((e) => e.type === 'runRejected' && e.requestId === 5);
  assert.ok(rejected && rejected.type === 'runRejected');
  assert.match(
    rejected.reason,
    /The analysis stopped: the training engine stopped unexpectedly \(out of memory\)/,
  );
  assert.equal(tasks.at(-1), null);
  c.dispose();
});
