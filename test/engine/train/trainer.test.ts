import { test } from 'node:test';
import assert from 'node:assert/strict';
import { prepareTraining } from '../../../engine/train/session.js';
import { Trainer, type StatsEvent } from '../../../engine/train/trainer.js';
import { chainGraph, overflowingGraph, sineGraph, spiralGraph } from './graphs.js';

test('spiral (3 classes) reaches at least 95% training accuracy', () => {
  const s = prepareTraining(spiralGraph());
  const r = s.trainer.run();
  assert.equal(r.status, 'completed');
  const acc = s.trainer.evaluate(s.train).accuracy!;
  assert.ok(acc >= 0.95, `training accuracy ${acc}`);
});

test('sine regression reaches a mean squared error below 0.01', () => {
  const s = prepareTraining(sineGraph());
  s.trainer.run();
  const mse = s.trainer.evaluate(s.train).loss;
  assert.ok(mse < 0.01, `MSE ${mse}`);
});

test('two runs with one seed give bit-identical losses; another seed differs', () => {
  const losses = (seed: number) => {
    const out: number[] = [];
    prepareTraining(spiralGraph({ epochs: 3, validationSplit: 0.2 }), {
      seed,
      events: { onStep: (e) => out.push(e.loss), onEpoch: (m) => out.push(m.valLoss!) },
    }).trainer.run();
    return out;
  };
  const a = losses(7);
  assert.deepEqual(losses(7), a);
  assert.notDeepEqual(losses(8), a);
});

test('an overflowing graph stops with a message naming the first node that overflowed, and the step', () => {
  const doc = overflowingGraph();
  const r = prepareTraining(doc).trainer.run();
  assert.equal(r.status, 'diverged');
  const d = r.divergence!;
  assert.equal(d.step, 1);
  assert.equal(d.pass, 'forward');
  assert.match(d.node, /^exp[234]$/);
  assert.match(d.message, new RegExp(`step 1 .*node '${d.node}' became (Infinity|NaN)`));
});

test('a gradient that becomes NaN stops the run naming where in the backward pass', () => {
  // sqrt at 0 has an infinite derivative: a zero-initialised layer's output 0 → sqrt → the gradient
  // arriving at that layer is infinite, and so are its weights' gradients. (Not through a relu: its
  // gradient is a select, 0 wherever x ≤ 0 even for an infinite g, as PyTorch's threshold_backward.)
  const doc = chainGraph(
    [
      ['linear', { units: 4, init: 'zeros' }],
      ['sqrt', {}],
      ['linear', { units: 1 }],
    ],
    { input: { features: 1 }, target: { features: 1 }, loss: 'mse_loss' },
    { dataset: { kind: 'sine', samples: 32, seed: 1 }, optimizer: { kind: 'sgd', lr: 0.1 } },
  );
  const r = prepareTraining(doc).trainer.run();
  assert.equal(r.status, 'diverged');
  assert.equal(r.divergence!.pass, 'backward');
  assert.match(r.divergence!.message, /step 1 .*gradient at 'linear1(\.\w+)?' became (Infinity|NaN)/);
});

test('batches per epoch: the last partial batch is trained, or dropped on request', () => {
  const steps = (lastBatch?: 'drop') => {
    const s = prepareTraining(spiralGraph({ epochs: 2 }));
    const t = new Trainer(
      s.compiled,
      { train: s.train },
      { optimizer: { kind: 'sgd', lr: 0.01 }, epochs: 2, seed: 1, lastBatch },
    );
    return t.run().steps;
  };
  assert.equal(steps(), 2 * 10, '300 samples in batches of 32: 9 full and one of 12');
  assert.equal(steps('drop'), 2 * 9);
});

test('early stopping ends the run after `patience` epochs without improvement of the validation loss', () => {
  // lr 0: the validation loss (a fixed pass over fixed data) never improves after the first epoch.
  const s = prepareTraining(
    spiralGraph({
      epochs: 50,
      validationSplit: 0.2,
      optimizer: { kind: 'sgd', lr: 0 },
      earlyStopping: { patience: 2 },
    }),
  );
  const r = s.trainer.run();
  assert.equal(r.status, 'early_stopped');
  assert.equal(r.history.length, 3);
});

test('cancellation is checked between steps', () => {
  const signal = { aborted: false };
  const s = prepareTraining(spiralGraph(), {
    events: {
      signal,
      onStep: (e) => {
        if (e.step === 5) signal.aborted = true;
      },
    },
  });
  const r = s.trainer.run();
  assert.equal(r.status, 'cancelled');
  assert.equal(r.steps, 5);
});

test('validation metrics come with each epoch when the document holds data out', () => {
  const epochs: number[] = [];
  const s = prepareTraining(spiralGraph({ epochs: 2, validationSplit: 0.25 }), {
    events: { onEpoch: (m) => epochs.push(m.epoch, m.valLoss!, m.valAccuracy!) },
  });
  s.trainer.run();
  assert.equal(s.validation!.x.shape[0], 75);
  assert.equal(epochs.length, 6);
  assert.ok(epochs.every(Number.isFinite));
});

test('per-node statistics only on request: activation summaries and gradient norms', () => {
  const events: StatsEvent[] = [];
  const s = prepareTraining(spiralGraph({ epochs: 1 }), {
    events: { statsEvery: 4, histogramBins: 8, onStats: (e) => events.push(e) },
  });
  s.trainer.run();
  assert.deepEqual(
    events.map((e) => e.step),
    [4, 8],
  );
  const byNode = new Map(events[0]!.nodes.map((n) => [n.node, n]));
  assert.deepEqual([...byNode.keys()], s.compiled.order);
  const h = byNode.get('linear1')!;
  assert.equal(
    h.activation.histogram.reduce((a, b) => a + b),
    32 * 32,
  );
  assert.equal(h.activation.histogram.length, 8);
  assert.ok(h.gradNorm! > 0 && h.paramGradNorms.weight! > 0 && h.paramGradNorms.bias! > 0);
  assert.ok(h.activation.min <= h.activation.mean && h.activation.mean <= h.activation.max);
  assert.equal(byNode.get('relu2')!.activation.min, 0);
});

test('trainStep one step at a time trains exactly as run(): same losses, epochs and ending', () => {
  const doc = spiralGraph({ epochs: 3, validationSplit: 0.2, earlyStopping: { patience: 50 } });
  const whole: number[] = [];
  const r = prepareTraining(doc, { events: { onStep: (e) => whole.push(e.loss) } }).trainer.run();
  const t = prepareTraining(doc).trainer;
  const stepped: number[] = [];
  const epochs: number[] = [];
  for (;;) {
    // Looking at the next batch (what step-through does) changes nothing.
    if (stepped.length % 7 === 3 && stepped.length < r.steps) assert.ok(t.loadNextBatch());
    const o = t.trainStep();
    if (o.kind !== 'trained') break;
    stepped.push(o.step.loss);
    if (o.epoch) epochs.push(o.epoch.epoch);
    assert.equal(o.finished, stepped.length === r.steps ? 'completed' : null);
  }
  assert.deepEqual(stepped, whole);
  assert.deepEqual(epochs, [1, 2, 3]);
  assert.deepEqual(t.history, r.history);
  assert.deepEqual(t.trainStep(), { kind: 'finished', status: 'completed' });
  assert.equal(t.loadNextBatch(), null);
});
