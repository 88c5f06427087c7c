import { test } from 'node:test';
import assert from 'node:assert/strict';
import { exampleDoc, SessionHarness, splitIrisDoc } from './harness.js';
import { chainGraph, overflowingGraph, smallClassifier } from '../train/graphs.js';
import { prepareTraining } from '../../../engine/train/session.js';
import {
  decodeWeightsFile,
  encodeWeightsFile,
  readWeights,
  weightsOf,
} from '../../../engine/graph/weights.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BackwardStep, ForwardStep, Step } from '../../../engine/autodiff/step-through.js';
import type { GraphDoc } from '../../../engine/graph/document.js';
import type { ReadText } from '../../../engine/run/run-document.js';
import { IRIS_ROWS } from '../../../engine/data/iris-table.js';
import { IRIS_FEATURES } from '../../../engine/data/iris.js';

const NO_VIEWS = { type: 'runOptions', options: { overlay: false, prediction: false, hiddenUnits: false } };

function started(
  doc: GraphDoc = exampleDoc('spiral'),
  opts?: { views?: boolean; readText?: ReadText },
): SessionHarness {
  const h = new SessionHarness(opts?.readText ? { readText: opts.readText } : {});
  if (!opts?.views) h.send(NO_VIEWS);
  h.document(doc);
  return h;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

test('play trains in time slices and the batch loss falls; status says running', () => {
  const h = started();
  h.send({ type: 'run', action: 'play' });
  assert.equal(h.status.phase, 'running');
  h.runTasks(40);
  const losses = h.losses.map((l) => l.loss);
  assert.ok(losses.length >= 100, `${losses.length} steps`);
  assert.deepEqual(
    h.losses.map((l) => l.step),
    losses.map((_, i) => i + 1),
    'every step reported once, in order',
  );
  assert.ok(mean(losses.slice(-20)) < 0.8 * mean(losses.slice(0, 20)), 'the loss falls');
  assert.ok(h.status.step > 0 && h.status.epoch >= 1 && h.status.batchesPerEpoch === 10);
  assert.equal(h.pendingTasks, 1, 'a running session always has its next slice queued');
});

test('pause stops training between slices; play resumes where it stopped', () => {
  const h = started();
  h.send({ type: 'run', action: 'play' });
  h.runTasks(3);
  h.send({ type: 'run', action: 'pause' });
  assert.equal(h.status.phase, 'paused');
  const step = h.status.step;
  h.runTasks(10);
  assert.equal(h.status.step, step);
  assert.equal(h.pendingTasks, 0);
  assert.equal(h.losses.at(-1)!.step, step, 'the curve is complete up to the pause');
  h.send({ type: 'run', action: 'play' });
  h.runTasks(2);
  assert.ok(h.status.step > step);
});

test('step trains exactly one step (starting a run, paused, when idle)', () => {
  const h = started();
  h.send({ type: 'run', action: 'step' });
  assert.equal(h.status.phase, 'paused');
  assert.equal(h.status.step, 1);
  h.send({ type: 'run', action: 'step' });
  assert.equal(h.status.step, 2);
  h.runTasks(10);
  assert.deepEqual(
    h.losses.map((l) => l.step),
    [1, 2],
  );
  assert.equal(h.status.step, 2, 'nothing trains between requests');
});

test('while idle the document is compiled ahead of Play, and the untrained network’s prediction shown', () => {
  const h = new SessionHarness();
  h.document(exampleDoc('spiral'));
  assert.equal(h.of('runPrediction').length, 0, 'not while the message is handled');
  assert.equal(h.status.batchesPerEpoch, 0);
  h.runTasks(1);
  assert.equal(h.status.phase, 'idle');
  assert.equal(h.status.batchesPerEpoch, 10, 'the prepared run’s shape');
  const idle = h.of('runPrediction');
  assert.equal(idle.length, 1);
  assert.equal(idle[0]!.step, 0);
  assert.equal(idle[0]!.view.kind, 'boundary');
  h.document(exampleDoc('spiral'));
  h.runTasks(1);
  assert.equal(h.of('runPrediction').length, 1, 'the same graph is not compiled again');
  // The prepared run is the one played: its first loss is the fresh-weights loss.
  h.send({ type: 'run', action: 'step' });
  const fresh = new SessionHarness();
  fresh.send(NO_VIEWS);
  fresh.document(exampleDoc('spiral'));
  fresh.send({ type: 'run', action: 'step' });
  assert.equal(h.losses[0]!.loss, fresh.losses[0]!.loss);
});

test('reset returns to idle; the next run starts from fresh weights (same first loss)', () => {
  const h = started();
  h.send({ type: 'run', action: 'step' });
  const first = h.losses[0]!.loss;
  h.send({ type: 'run', action: 'play' });
  h.runTasks(5);
  h.send({ type: 'run', action: 'reset' });
  assert.equal(h.status.phase, 'idle');
  assert.equal(h.status.step, 0);
  const cleared = h.of('runMetrics').at(-1)!;
  assert.equal(cleared.from, 0);
  assert.equal(cleared.trace.steps.length, 0);
  h.clear();
  h.send({ type: 'run', action: 'step' });
  assert.equal(h.losses[0]!.loss, first);
});

test('dispose stops the run: no more steps, no more events', () => {
  const h = started();
  h.send({ type: 'run', action: 'play' });
  h.runTasks(2);
  h.send({ type: 'dispose' });
  const n = h.events.length;
  h.runTasks(10);
  h.send({ type: 'run', action: 'play' });
  assert.equal(h.events.length, n);
});

test('status and curves are throttled to ~20 a second while running, and sent on every phase change', () => {
  const h = started();
  h.send({ type: 'run', action: 'play' });
  const t0 = h.clock.time;
  h.runTasks(50);
  const elapsed = h.clock.time - t0;
  const running = h.of('runStatus').filter((e) => e.status.phase === 'running').length;
  assert.ok(running <= elapsed / 50 + 2, `${running} status messages in ${elapsed} ms`);
  assert.ok(running >= elapsed / 100, `${running} status messages in ${elapsed} ms`);
  const before = h.events.length;
  h.send({ type: 'run', action: 'pause' });
  const sent = h.events.slice(before);
  assert.equal(sent[0]!.type, 'runStatus', 'the phase change at once, not throttled');
  assert.equal(h.status.phase, 'paused');
  assert.equal(h.losses.at(-1)!.step, h.status.step, 'with the curve up to the last step');
});

test('an overflowing graph fails the run with the trainer message naming the node', () => {
  const doc = overflowingGraph();
  const h = started(doc);
  h.send({ type: 'run', action: 'play' });
  h.runTasks(3);
  const s = h.status;
  assert.equal(s.phase, 'failed');
  assert.match(s.error!.node!, /^exp[234]$/);
  assert.match(s.error!.message, new RegExp(`node '${s.error!.node}' became (Infinity|NaN)`));
  assert.equal(h.pendingTasks, 0);
});

/**
 * splitIrisDoc with a batch_norm 'bn' after its first layer and batches of 149: the 150 samples
 * leave a last batch of one, whose batch_norm has one value per channel and refuses it. As a
 * CSV (the iris rows in a file), the number of samples is not known until the data is loaded.
 */
function lastBatchOfOne(dataset: 'iris' | 'csv' = 'iris'): GraphDoc {
  const doc = splitIrisDoc();
  doc.nodes.push({ id: 'bn', op: 'batch_norm', attrs: {}, position: { x: 300, y: 0 } });
  doc.edges = [...doc.edges.map((e) => (e.from === 'h' ? { ...e, from: 'bn' } : e)), { from: 'h', to: 'bn' }];
  doc.training = { ...doc.training, batchSize: 149 };
  if (dataset === 'csv')
    doc.training.dataset = {
      kind: 'csv',
      path: 'iris.csv',
      features: [...IRIS_FEATURES],
      target: 'species',
      task: 'classification',
    };
  return doc;
}

const irisCsv: ReadText = () =>
  [[...IRIS_FEATURES, 'species'].join(','), ...IRIS_ROWS.map((r) => r.join(','))].join('\n');

test('a last batch of one for a batch_norm, known from the dataset’s size, fails the run before its first step with check’s words', () => {
  const h = started(lastBatchOfOne());
  h.send({ type: 'run', action: 'play' });
  const { phase, step, error } = h.status;
  assert.deepEqual([phase, step], ['failed', 0]);
  assert.equal(error?.node, 'bn');
  assert.match(error!.message, /batch_norm 'bn' .* training set has 150 samples/);
  assert.match(error!.message, /Set batchSize to \d+/);
});

test('data a node refuses while training fails the run in the node’s own words, never as an internal error (play and step)', () => {
  for (const action of ['play', 'step'] as const) {
    const h = started(lastBatchOfOne('csv'), { readText: irisCsv });
    h.send({ type: 'run', action });
    if (action === 'play') h.runUntil(() => h.status.phase !== 'running');
    else h.send({ type: 'run', action });
    const { phase, step, error } = h.status;
    assert.deepEqual(
      [phase, step],
      ['failed', 1],
      `${action}: the first batch trained, the second failed the run`,
    );
    assert.equal(error?.node, 'bn', `${action}: the panel points at the node`);
    assert.match(
      error!.message,
      /^node 'bn': batch_norm: training needs more than one value per channel, x is \[1, 8\]: .*choose a batch size that leaves no last batch of one \(training\.batchSize\)/,
    );
    assert.doesNotMatch(error!.message, /internal/i);
    assert.deepEqual(h.of('runRejected'), [], `${action}: said once, as the run's failure`);
  }
});

test('a document that cannot compile fails with a message naming the node; play again after a fix', () => {
  const good = exampleDoc('spiral');
  const bad: GraphDoc = { ...good, edges: good.edges.filter((e) => e.to !== 'h2') };
  const h = started(bad);
  h.send({ type: 'run', action: 'play' });
  const s = h.status;
  assert.equal(s.phase, 'failed');
  assert.equal(s.error!.node, 'h2');
  assert.match(s.error!.message, /h2/);
  h.document(good);
  assert.equal(h.status.phase, 'idle', 'the failure was the old document’s');
  assert.equal(h.status.error, undefined);
  h.send({ type: 'run', action: 'play' });
  assert.equal(h.status.phase, 'running');
});

test('an unreadable document (null) fails a play with what to do', () => {
  const h = started();
  h.document(null);
  h.send({ type: 'run', action: 'play' });
  assert.equal(h.status.phase, 'failed');
  assert.match(h.status.error!.message, /fix/);
});

test('a changed document marks the run stale; moving nodes does not', () => {
  const doc = exampleDoc('spiral');
  const h = started(doc);
  h.send({ type: 'run', action: 'step' });
  const moved = { ...doc, nodes: doc.nodes.map((n) => ({ ...n, position: { x: n.position.x + 10, y: 0 } })) };
  h.document(moved);
  assert.equal(h.status.stale, false);
  const changed = { ...doc, training: { ...doc.training, optimizer: { kind: 'sgd' as const, lr: 0.1 } } };
  h.document(changed);
  assert.equal(h.status.stale, true);
  h.send({ type: 'run', action: 'reset' });
  h.send({ type: 'run', action: 'step' });
  assert.equal(h.status.stale, false);
});

test('the dataset is sent once per run, with the validation rows marked', () => {
  const doc = exampleDoc('layernorm-dropout');
  const h = started(doc);
  const preview = h.of('runDataset');
  assert.equal(preview.length, 1, 'a preview when the document arrives');
  h.send({ type: 'run', action: 'play' });
  h.runTasks(5);
  const sent = h.of('runDataset');
  assert.equal(sent.length, 2);
  const d = sent[1]!.dataset!;
  assert.equal(d.features, 2);
  assert.equal(d.x.length, 800);
  assert.equal(
    d.validation.reduce((a, b) => a + b, 0),
    80,
  );
});

test('malformed requests are rejected with the field that is wrong', () => {
  const h = started();
  const cases: [unknown, RegExp][] = [
    [{ type: 'run', action: 'fly' }, /action must be one of/],
    [{ type: 'trace', requestId: 'x', action: 'step' }, /requestId/],
    [{ type: 'document', doc: 5, version: 1, baseDir: null }, /document\.doc/],
    [{ type: 'launch' }, /request\.type/],
    ['play', /object/],
    [{ type: 'runOptions', options: { overlay: 1 } }, /options\.overlay/],
  ];
  for (const [msg, why] of cases) {
    h.clear();
    h.send(msg as Record<string, unknown>);
    const r = h.of('runRejected');
    assert.equal(r.length, 1, JSON.stringify(msg));
    assert.match(r[0]!.reason, why);
  }
  h.clear();
  h.send({ type: 'trace', requestId: 4, action: 'step' });
  assert.deepEqual(h.of('runRejected')[0], {
    type: 'runRejected',
    requestId: 4,
    reason: 'No step-through is active: start one first.',
  });
});

test('step-through: stepping to the end gives the gradients of a full backward pass, bit for bit; back and traceTo', () => {
  const doc = exampleDoc('spiral');
  // The same run headless: its first batch through the Program's own forward and backward.
  const ref = prepareTraining(doc);
  const g = ref.trainer.loadNextBatch()!;
  g.program.setTraining(true);
  g.program.forward();
  g.program.backward(g.loss);

  const h = started(doc);
  h.send({ type: 'trace', requestId: 1, action: 'start' });
  assert.equal(h.status.tracing, true);
  assert.equal(h.status.phase, 'paused');
  const begin = h.of('traceStep')[0]!;
  assert.equal(begin.position, 0);
  assert.equal(begin.step, null);
  const steps: Step[] = [];
  for (let i = 0; i < begin.length; i++) {
    h.send({ type: 'trace', requestId: 2, action: 'step' });
    const t = h.of('traceStep').at(-1)!;
    assert.equal(t.position, i + 1);
    steps.push(t.step!);
  }
  // The first step shows the batch fed to the input x, as the headless run has it.
  const fed = steps[0]!;
  assert.deepEqual([fed.phase, fed.node, fed.phase === 'forward' && fed.fed], ['forward', 'x', true]);
  assert.deepEqual(fed.phase === 'forward' && fed.output.data, g.program.value(g.input).data);
  assert.equal(steps[1]!.node, g.program.nodes[0]!.id, 'then the forward pass');
  const backward = steps.filter((s): s is BackwardStep => s.phase === 'backward');
  assert.deepEqual(
    backward.map((s) => s.node),
    [...g.order].reverse().filter((n) => n !== 'x' && n !== 'y'),
  );
  for (const s of backward)
    assert.deepEqual(s.incoming.data, g.program.grad(g.nodeSlot.get(s.node)!)!.data, `∂L/∂${s.node}`);
  for (const p of g.params) {
    const passed = backward.flatMap((s) => s.passed).find((q) => q.slot === `${p.node}.${p.name}`)!;
    assert.deepEqual(passed.accumulated.data, g.program.grad(p.slot)!.data, `∂L/∂${p.node}.${p.name}`);
  }
  // Back three steps: the step shown is the one taken at that position.
  for (let k = 1; k <= 3; k++) {
    h.send({ type: 'trace', requestId: 3, action: 'back' });
    const t = h.of('traceStep').at(-1)!;
    assert.equal(t.position, steps.length - k);
    assert.deepEqual(t.step, steps[steps.length - k - 1]);
  }
  h.send({ type: 'traceTo', requestId: 4, target: { node: 'h1', phase: 'backward' } });
  const to = h.of('traceStep').at(-1)!;
  assert.equal(to.step!.node, 'h1');
  assert.equal(to.step!.phase, 'backward');
  assert.deepEqual(to.step, steps[to.position - 1]);
  h.send({ type: 'traceTo', requestId: 4, target: { node: 'x', phase: 'forward' } });
  assert.deepEqual(h.of('traceStep').at(-1)!.step, fed, 'run to an input: its batch');
  h.send({ type: 'traceTo', requestId: 4, target: { node: 'x', phase: 'backward' } });
  assert.match(h.of('runRejected').at(-1)!.reason, /node 'x' has no backward step/);
  h.send({ type: 'trace', requestId: 5, action: 'restart' });
  assert.equal(h.of('traceStep').at(-1)!.position, 0);
  // Finish runs every remaining step: it stands where stepping to the end stood.
  h.send({ type: 'trace', requestId: 5, action: 'finish' });
  const finished = h.of('traceStep').at(-1)!;
  assert.equal(finished.position, begin.length);
  assert.deepEqual(finished.step, steps.at(-1));
  // Ending leaves the batch untrained: the next step trains it exactly as the headless run.
  h.send({ type: 'trace', requestId: 6, action: 'end' });
  assert.equal(h.status.tracing, false);
  h.send({ type: 'run', action: 'step' });
  assert.equal(h.losses[0]!.loss, g.program.value(g.loss).data[0]);
});

test('a finished run can be stepped through, gradient-checked and analysed at its trained weights, on fresh batches', () => {
  const doc = smallClassifier();
  doc.training.epochs = 30;
  doc.training.optimizer = { kind: 'adam', lr: 0.05 };
  // The same run headless: trained to the end, then a fresh batch through forward and backward.
  const ref = prepareTraining(doc);
  const initialLoss = (() => {
    const g0 = prepareTraining(doc).trainer.loadNextBatch()!;
    g0.program.setTraining(true);
    g0.program.forward();
    return g0.program.value(g0.loss).data[0]!;
  })();
  assert.equal(ref.trainer.run().status, 'completed');
  // Batches drawn after the end share one program: keep each one's loss before drawing the next.
  const freshLoss = () => {
    const g = ref.trainer.loadFreshBatch();
    g.program.setTraining(true);
    g.program.forward();
    g.program.backward(g.loss);
    return { g, loss: g.program.value(g.loss).data[0]! };
  };
  const first = freshLoss().loss;
  const { g, loss: second } = freshLoss();

  const h = started(doc);
  h.send({ type: 'run', action: 'play' });
  assert.ok(h.runUntil(() => h.status.phase === 'finished'));
  h.send({ type: 'trace', requestId: 1, action: 'start' });
  assert.equal(h.of('runRejected').length, 0, JSON.stringify(h.of('runRejected')));
  assert.equal(h.status.tracing, true);
  assert.equal(h.status.phase, 'finished', 'inspecting does not restart the run');
  h.send({ type: 'trace', requestId: 2, action: 'finish' });
  h.send({ type: 'trace', requestId: 3, action: 'start' });
  const begin = h.of('traceStep').at(-1)!;
  const steps: Step[] = [];
  for (let i = 0; i < begin.length; i++) {
    h.send({ type: 'trace', requestId: 4, action: 'step' });
    steps.push(h.of('traceStep').at(-1)!.step!);
  }
  const lossStep = steps.find((s): s is ForwardStep => s.phase === 'forward' && s.node === 'loss')!;
  const backward = steps.filter((s): s is BackwardStep => s.phase === 'backward');
  assert.ok(backward.length > 0);
  // The session's second Start stands on the second fresh batch, at the trained weights.
  assert.equal(lossStep.output.data[0], second, 'the trained weights on the second fresh batch');
  for (const s of backward)
    assert.deepEqual(s.incoming.data, g.program.grad(g.nodeSlot.get(s.node)!)!.data, `∂L/∂${s.node}`);
  assert.ok(second < 0.9 * initialLoss, `trained: ${second} vs ${initialLoss} at the start`);
  assert.notEqual(first, second, 'each Start draws a fresh batch');
  h.send({ type: 'trace', requestId: 5, action: 'end' });
  assert.equal(h.status.step, ref.trainer.stepCount, 'ending trains nothing');

  h.send({ type: 'gradcheck', requestId: 6 });
  assert.ok(h.runUntil(() => h.of('gradcheckResult').length > 0));
  assert.equal(h.of('runRejected').length, 0);
  assert.ok(h.of('gradcheckResult')[0]!.worst!.worstRelError < 1e-6);
  h.send({ type: 'analyze', requestId: 7 });
  assert.ok(h.runUntil(() => h.of('analysisResult').length > 0));
  assert.deepEqual(h.of('analysisResult')[0]!.report.weights, {
    kind: 'trained',
    step: ref.trainer.stepCount,
    epoch: 30,
  });
  assert.equal(h.status.phase, 'finished');
});

test('gradient check on the spiral at the run’s weights: worst relative error below 1e-6', () => {
  const h = started();
  h.send({ type: 'run', action: 'play' });
  h.runTasks(3);
  h.send({ type: 'gradcheck', requestId: 9 });
  assert.equal(h.status.phase, 'paused');
  assert.ok(h.runUntil(() => h.of('gradcheckResult').length > 0));
  const r = h.of('gradcheckResult')[0]!;
  assert.equal(r.requestId, 9);
  assert.deepEqual(r.nodes.map((n) => n.node).sort(), ['h1', 'h2', 'logits']);
  assert.ok(r.worst!.worstRelError < 1e-6, JSON.stringify(r.worst));
  assert.ok(r.worst!.worstRelError > 0);
});

test('analyze answers with the report at the run’s weights (fresh ones when idle)', () => {
  const small = smallClassifier();

  const h = started(small);
  const analyze = (requestId: number) => {
    const before = h.of('analysisResult').length;
    h.send({ type: 'analyze', requestId });
    assert.ok(h.runUntil(() => h.of('analysisResult').length > before));
  };
  analyze(3);
  const idle = h.of('analysisResult')[0]!;
  assert.equal(idle.requestId, 3);
  assert.equal(idle.report.params, 2 * 6 + 6 + 6 * 3 + 3);
  assert.ok(idle.report.regions.twoD);
  assert.deepEqual(idle.report.weights, { kind: 'initial' });
  assert.equal(h.status.phase, 'idle', 'analysing starts no run');
  for (let i = 0; i < 5; i++) h.send({ type: 'run', action: 'step' });
  analyze(4);
  const trained = h.of('analysisResult')[1]!;
  assert.equal(trained.requestId, 4);
  assert.deepEqual(trained.report.weights, { kind: 'trained', step: 5, epoch: h.status.epoch });
  assert.notEqual(
    trained.report.hessian.top.value,
    idle.report.hessian.top.value,
    'other weights, another Hessian',
  );
  // Idle again after a reset: the initial weights give the initial report.
  h.send({ type: 'run', action: 'reset' });
  analyze(5);
  const again = h.of('analysisResult')[2]!;
  assert.deepEqual(again.report.weights, { kind: 'initial' });
  assert.equal(again.report.hessian.top.value, idle.report.hessian.top.value);
});

test('prediction: a decision boundary over the spiral, a curve with hidden units and exact breakpoints for a ReLU net', () => {
  const h = started(exampleDoc('spiral'), { views: true });
  h.send({ type: 'run', action: 'step' });
  const b = h.of('runPrediction').at(-1)!;
  assert.equal(b.step, 1);
  assert.equal(b.view.kind, 'boundary');
  if (b.view.kind !== 'boundary') return;
  assert.equal(b.view.label.length, b.view.nx * b.view.ny);
  assert.ok(b.view.label.every((l) => l < 3));
  assert.ok(b.view.confidence.every((p) => p >= 1 / 3 - 1e-6 && p <= 1));
  const [x0, x1, y0, y1] = b.view.bounds;
  const d = h.of('runDataset').at(-1)!.dataset!;
  for (let i = 0; i < d.y.length; i++) {
    assert.ok(d.x[2 * i]! > x0 && d.x[2 * i]! < x1 && d.x[2 * i + 1]! > y0 && d.x[2 * i + 1]! < y1);
  }
  assert.ok(
    h
      .of('runStats')
      .at(-1)!
      .nodes.some((n) => n.node === 'h1' && n.paramGradNorm! > 0 && n.grad),
  );

  const reluNet = chainGraph(
    [
      ['linear', { units: 8, init: 'he_uniform' }],
      ['relu', {}],
      ['linear', { units: 1 }],
    ],
    { input: { features: 1 }, target: { features: 1 }, loss: 'mse_loss' },
    { dataset: { kind: 'sine', samples: 64, seed: 1 }, optimizer: { kind: 'sgd', lr: 0.01 } },
  );
  const s = started(reluNet, { views: true });
  s.send({ type: 'runOptions', options: { overlay: false, prediction: true, hiddenUnits: true } });
  s.send({ type: 'run', action: 'step' });
  const c = s.of('runPrediction').at(-1)!.view;
  assert.equal(c.kind, 'curve');
  if (c.kind !== 'curve') return;
  assert.equal(c.x.length, c.y.length);
  assert.deepEqual(
    c.units!.map((u) => [u.node, u.count, u.values.length]),
    [['relu2', 8, 8 * c.x.length]],
  );
  assert.ok(c.breakpoints!.length >= 1, 'a ReLU network has kinks');
  assert.ok(c.breakpoints!.every((x) => x > c.x[0]! && x < c.x.at(-1)!));
  assert.equal(s.of('runStats').length, 0, 'no overlay when not asked for');

  const sine = started(exampleDoc('sine'), { views: true });
  sine.send({ type: 'run', action: 'step' });
  const smooth = sine.of('runPrediction').at(-1)!.view;
  assert.ok(smooth.kind === 'curve' && smooth.breakpoints === undefined, 'tanh is not piecewise linear');

  const cnn = started(exampleDoc('cnn-digits'), { views: true });
  cnn.send({ type: 'run', action: 'step' });
  const none = cnn.of('runPrediction').at(-1)!.view;
  assert.equal(none.kind, 'none');
  assert.match(none.kind === 'none' ? none.reason : '', /64 input features/);
});

test('the run’s weights for saving and export: none before a step, the trainer’s after, a misfit named after an edit', () => {
  const doc = exampleDoc('spiral');
  const h = started(doc);
  h.send({ type: 'snapshotWeights', requestId: 1 });
  assert.equal(h.of('weightsSnapshot')[0]!.trained, null, 'idle: nothing trained');
  for (let i = 0; i < 3; i++) h.send({ type: 'run', action: 'step' });
  h.send({ type: 'snapshotWeights', requestId: 2 });
  const snap = h.of('weightsSnapshot')[1]!;
  assert.equal(snap.requestId, 2);
  assert.equal(snap.trained!.step, 3);
  assert.equal(snap.trained!.misfit, null);
  // The same three steps replayed here give the same weights, bit for bit.
  const replay = prepareTraining(doc);
  for (let i = 0; i < 3; i++) replay.trainer.trainStep();
  assert.deepEqual(snap.trained!.weights, weightsOf(replay.compiled));
  assert.notDeepEqual(
    snap.trained!.weights,
    weightsOf(prepareTraining(doc).compiled),
    'not the initial ones',
  );

  // A new learning rate makes the run stale, but its weights still fit the graph.
  h.document({ ...doc, training: { ...doc.training, optimizer: { kind: 'sgd', lr: 0.5 } } });
  assert.equal(h.status.stale, true);
  h.send({ type: 'snapshotWeights', requestId: 3 });
  assert.equal(h.of('weightsSnapshot')[2]!.trained!.misfit, null);
  // A resized layer: they don't, and the reason names the node.
  const edited = structuredClone(doc);
  edited.nodes.find((n) => n.id === 'h1')!.attrs.units = 8;
  h.document(edited);
  h.send({ type: 'snapshotWeights', requestId: 4 });
  assert.match(h.of('weightsSnapshot')[3]!.trained!.misfit ?? '', /h1/);
  assert.equal(h.of('runRejected').length, 0);
});

test('weights read from safetensors (typed arrays) load as their JSON twin does', () => {
  const doc = exampleDoc('sawtooth');
  const json = readWeights(readFileSync(join(__dirname, '../../../examples/sawtooth.weights.json'), 'utf8'));
  const file = decodeWeightsFile(encodeWeightsFile(json, 'safetensors'));
  assert.ok(Object.values(file.weights).some((p) => Object.values(p).some((t) => !Array.isArray(t.data))));
  const h = started(doc);
  h.send({ type: 'loadWeights', requestId: 1, weights: file, source: 'sawtooth.weights.safetensors' });
  assert.equal(h.of('weightsLoaded')[0]!.error, null);
  assert.equal(h.status.weightsFrom, 'sawtooth.weights.safetensors');
  h.send({ type: 'analyze', requestId: 2 });
  assert.ok(h.runUntil(() => h.of('analysisResult').length > 0));
  assert.equal(h.of('analysisResult')[0]!.report.regions.oneD?.pieces, 16);
});

test('loading a weights file starts a paused run from it; the analyses see those weights; a misfit changes nothing', () => {
  const doc = exampleDoc('sawtooth');
  const file = readWeights(readFileSync(join(__dirname, '../../../examples/sawtooth.weights.json'), 'utf8'));
  const h = started(doc);
  h.send({ type: 'run', action: 'step' });
  h.send({ type: 'run', action: 'step' });
  assert.equal(h.status.step, 2);

  // Weights for another graph: refused, naming a node; the run is as it was.
  const spiral = weightsOf(prepareTraining(exampleDoc('spiral')).compiled);
  h.send({ type: 'loadWeights', requestId: 1, weights: spiral, source: 'spiral.weights.json' });
  assert.match(h.of('weightsLoaded')[0]!.error ?? '', /spiral\.weights\.json doesn’t fit this graph: .*'/);
  assert.equal(h.status.step, 2);
  assert.equal(h.status.weightsFrom, undefined);

  h.send({ type: 'loadWeights', requestId: 2, weights: file, source: 'sawtooth.weights.json' });
  assert.equal(h.of('weightsLoaded')[1]!.error, null);
  assert.equal(h.status.phase, 'paused');
  assert.equal(h.status.step, 0);
  assert.equal(h.status.weightsFrom, 'sawtooth.weights.json');
  h.send({ type: 'analyze', requestId: 3 });
  assert.ok(h.runUntil(() => h.of('analysisResult').length > 0));
  const report = h.of('analysisResult')[0]!.report;
  assert.deepEqual(report.weights, { kind: 'file', file: 'sawtooth.weights.json' });
  assert.equal(report.regions.oneD?.depth, 4);
  assert.equal(report.regions.oneD?.pieces, 16, 'the lecture’s sawtooth: 2^4 pieces');

  // Play trains on from the loaded weights: the first step is the one a replay from them takes.
  h.send({ type: 'run', action: 'step' });
  const replay = prepareTraining(doc, { weights: file });
  const first = replay.trainer.trainStep();
  assert.ok(first.kind === 'trained');
  assert.equal(h.losses.at(-1)!.loss, Math.fround(first.step.loss));
  // Reset forgets the file: fresh initialisers.
  h.send({ type: 'run', action: 'reset' });
  assert.equal(h.status.weightsFrom, undefined);
});
