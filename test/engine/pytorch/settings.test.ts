/**
 * train.py applies each of the graph's training settings as the engine does: every optimiser (with
 * its options), every schedule, gradient clipping, validation split, early stopping, one-hot
 * batch and layer norm, and a last partial batch, each checked epoch by epoch in float64.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { chainGraph } from '../train/graphs.js';
import { assertSameEpochs, engineEpochs, exportTo, runTrainPy } from './harness.js';
import { sgdSine } from './graphs.js';
import type { GraphDoc } from '../../../engine/graph/document.js';

const cases: { name: string; doc: GraphDoc; epochs: number }[] = [
  { name: 'sgd-nesterov-step-clip', doc: sgdSine(), epochs: 4 },
  {
    name: 'rmsprop-cosine-norms',
    doc: chainGraph(
      [
        ['linear', { units: 8 }],
        ['batch_norm', { momentum: 0.2 }],
        ['gelu', {}],
        ['linear', { units: 8 }],
        ['layer_norm', {}],
        ['silu', {}],
        ['linear', { units: 2 }],
      ],
      { input: { features: 2 }, target: { classes: 2 }, loss: 'cross_entropy' },
      {
        dataset: { kind: 'circles', samples: 100, noise: 0.05, seed: 1 },
        optimizer: { kind: 'rmsprop', lr: 0.01, momentum: 0.5, weightDecay: 0.01 },
        schedule: { kind: 'cosine', tMax: 3, etaMin: 0.001 },
        batchSize: 16,
      },
    ),
    epochs: 3,
  },
  {
    name: 'adagrad-one-cycle-validation-early-stop',
    doc: chainGraph(
      [
        ['linear', { units: 6 }],
        ['softplus', {}],
        ['linear', { units: 3 }],
      ],
      { input: { features: 2 }, target: { classes: 3 }, loss: 'cross_entropy' },
      {
        dataset: { kind: 'blobs', classes: 3, samples: 90, seed: 4 },
        optimizer: { kind: 'adagrad', lr: 10 },
        schedule: { kind: 'one_cycle', maxLr: 10 },
        validationSplit: 0.25,
        earlyStopping: { patience: 1 },
        batchSize: 25,
      },
    ),
    epochs: 6,
  },
  {
    name: 'adamw-amsgrad-warmup',
    doc: chainGraph(
      [
        ['linear', { units: 8, init: 'he_normal' }],
        ['leaky_relu', { negative_slope: 0.1 }],
        ['linear', { units: 3 }],
      ],
      { input: { features: 2 }, target: { classes: 3 }, loss: 'cross_entropy' },
      {
        dataset: { kind: 'spiral', classes: 3, samples: 60, noise: 0.1, seed: 1 },
        optimizer: { kind: 'adamw', lr: 0.02, amsgrad: true, betas: [0.8, 0.99] },
        schedule: { kind: 'linear_warmup', startFactor: 0.25, totalIters: 2 },
        batchSize: 16,
      },
    ),
    epochs: 3,
  },
];

/** A document with its node ids renamed (ids need not be Python names). */
function renamed(doc: GraphDoc, names: Record<string, string>): GraphDoc {
  const to = (id: string) => names[id] ?? id;
  return {
    ...doc,
    nodes: doc.nodes.map((n) => ({ ...n, id: to(n.id) })),
    edges: doc.edges.map((e) => ({ ...e, from: to(e.from), to: to(e.to) })),
  };
}

cases.push({
  name: 'node-ids-that-are-not-python-names',
  doc: renamed(sgdSine(), {
    x: 'class',
    linear1: 'hidden 1',
    tanh2: 'forward',
    linear3: '2nd-layer',
    y: 'self',
    loss: 'lambda',
  }),
  epochs: 2,
});

for (const c of cases) {
  test(`${c.name}: train.py matches the engine epoch by epoch`, () => {
    const dir = exportTo(c.doc, c.name);
    const python = runTrainPy(dir, [
      '--dtype',
      'float64',
      '--epochs',
      String(c.epochs),
      '--save-weights',
      join(dir, 'w.json'),
    ]);
    const engine = engineEpochs(c.doc, c.epochs);
    assertSameEpochs(c.name, engine, python);
    if (c.name.includes('early-stop')) {
      assert.ok(engine.length < c.epochs, 'the case stops early (else it tests nothing)');
      assert.equal(python.at(-1)!['status'], 'early_stopped');
    }
  });
}
