/**
 * check foresees a batch_norm's refusal of an epoch's last batch of one (the trainer keeps the
 * last short batch) where the training split's size is known before training: the built-ins'
 * settings, or a CSV file read by the check. And the claim is true: training at the batch size it
 * refuses stops at the end of the first epoch, and at the batch size it suggests, trains.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkGraph } from '../../../engine/graph/check.js';
import { compileGraph } from '../../../engine/graph/compile.js';
import type { DatasetConfig, Diagnostic, GraphDoc } from '../../../engine/graph/document.js';
import { trainingData } from '../../../engine/train/session.js';
import { Trainer } from '../../../engine/train/trainer.js';
import { sampleCount } from '../../../engine/data/dataset.js';

type Body = 'dense' | 'conv' | 'pooled' | 'off-path';

/**
 * A classifier with a batch_norm 'bn': on a linear layer's [N, 8] (dense), on a convolution's
 * [N, 4, 8, 8] (conv), on that pooled to [N, 4, 1, 1] (pooled), or on a side branch that doesn't
 * lead to the loss (off-path).
 */
function graph(
  body: Body,
  dataset: DatasetConfig,
  batchSize: number,
  more: { validationSplit?: number; epochs?: number } = {},
): GraphDoc {
  const at = { x: 0, y: 0 };
  const image = body === 'conv' || body === 'pooled';
  const classes = image ? 10 : 2;
  const nodes: GraphDoc['nodes'] = [
    { id: 'x', op: 'input', attrs: image ? { shape: [1, 8, 8] } : { features: 2 }, position: at },
    { id: 'y', op: 'target', attrs: { classes }, position: at },
    { id: 'loss', op: 'cross_entropy', attrs: {}, position: at },
    { id: 'bn', op: 'batch_norm', attrs: {}, position: at },
    { id: 'logits', op: 'linear', attrs: { units: classes }, position: at },
  ];
  const edges: GraphDoc['edges'] = [
    { from: 'logits', to: 'loss', toPort: 'logits' },
    { from: 'y', to: 'loss', toPort: 'target' },
  ];
  if (body === 'dense' || body === 'off-path') {
    nodes.push({ id: 'h', op: 'linear', attrs: { units: 8 }, position: at });
    edges.push({ from: 'x', to: 'h' }, { from: 'h', to: 'bn' });
    if (body === 'dense') edges.push({ from: 'bn', to: 'logits' });
    else edges.push({ from: 'h', to: 'logits' });
  } else {
    nodes.push(
      { id: 'conv', op: 'conv2d', attrs: { outChannels: 4, kernel: 3, padding: 1 }, position: at },
      { id: 'flat', op: 'flatten', attrs: {}, position: at },
    );
    edges.push({ from: 'x', to: 'conv' }, { from: 'bn', to: 'flat' }, { from: 'flat', to: 'logits' });
    if (body === 'conv') edges.push({ from: 'conv', to: 'bn' });
    else {
      nodes.push({ id: 'gap', op: 'global_avg_pool', attrs: {}, position: at });
      edges.push({ from: 'conv', to: 'gap' }, { from: 'gap', to: 'bn' });
    }
  }
  return {
    format: 'backprop-studio.graph',
    version: 1,
    nodes,
    edges,
    training: {
      dataset,
      optimizer: { kind: 'sgd', lr: 0.05 },
      batchSize,
      epochs: more.epochs ?? 2,
      ...(more.validationSplit !== undefined ? { validationSplit: more.validationSplit } : {}),
    },
  };
}

const batchOfOne = (doc: GraphDoc, readDataFile?: (path: string) => string): Diagnostic[] => {
  const { diagnostics } = checkGraph(doc, readDataFile ? { readDataFile } : {});
  const others = diagnostics.filter((d) => d.code !== 'batch-of-one' && d.severity === 'error');
  assert.deepEqual(others, [], 'the graph is otherwise sound');
  return diagnostics.filter((d) => d.code === 'batch-of-one');
};

/** A CSV of n rows: two features, a class 0/1. */
const csvRows = (n: number) => (): string =>
  ['a,b,label', ...Array.from({ length: n }, (_, i) => `${i / n},${(i * 7) % 5},${i % 2}`)].join('\n');
const csv: DatasetConfig = {
  kind: 'csv',
  path: 'rows.csv',
  features: ['a', 'b'],
  target: 'label',
  task: 'classification',
};

const cases: {
  name: string;
  doc: GraphDoc;
  readDataFile?: (path: string) => string;
  /** The expected diagnostic (null: none), its message's parts and the batch size it suggests. */
  expect: { severity: 'error' | 'warning'; says: RegExp[]; suggests?: number } | null;
}[] = [
  {
    name: '65 circles in batches of 32 on [N, 8]: a last batch of one',
    doc: graph('dense', { kind: 'circles', samples: 65 }, 32),
    expect: {
      severity: 'error',
      says: [
        /the training set has 65 samples/,
        /65 = 2 × 32 \+ 1/,
        /at the end of the first epoch/,
        /layer_norm/,
      ],
      suggests: 33,
    },
  },
  {
    name: 'the validation split is held out first: 81 less 16 leaves 65',
    doc: graph('dense', { kind: 'circles', samples: 81 }, 32, { validationSplit: 0.2 }),
    expect: {
      severity: 'error',
      says: [/training split has 65 samples \(81 less 16 held out by validationSplit 0\.2\)/],
      suggests: 33,
    },
  },
  {
    name: 'the default sample count of a built-in (300 circles) in batches of 299',
    doc: graph('dense', { kind: 'circles' }, 299),
    expect: { severity: 'error', says: [/300 samples/], suggests: 300 },
  },
  {
    name: 'batchSize 1: every batch is one sample',
    doc: graph('dense', { kind: 'circles', samples: 64 }, 1),
    expect: { severity: 'error', says: [/every batch is one sample/, /at the first step/], suggests: 2 },
  },
  {
    name: 'epochs 0: nothing trains yet, a warning',
    doc: graph('dense', { kind: 'circles', samples: 65 }, 32, { epochs: 0 }),
    expect: { severity: 'warning', says: [/once epochs is above 0/], suggests: 33 },
  },
  {
    name: 'a CSV of 9 rows in batches of 4, read by the check',
    doc: graph('dense', csv, 4),
    readDataFile: csvRows(9),
    expect: { severity: 'error', says: [/9 samples/], suggests: 5 },
  },
  {
    name: 'pooled to [N, 4, 1, 1]: one value per channel per sample, a last batch of one',
    doc: graph('pooled', { kind: 'digits', samples: 65 }, 32),
    expect: { severity: 'error', says: [/65 samples/], suggests: 33 },
  },
  {
    name: '64 circles in batches of 32: no short batch',
    doc: graph('dense', { kind: 'circles', samples: 64 }, 32),
    expect: null,
  },
  {
    name: '66 circles in batches of 32: a last batch of two',
    doc: graph('dense', { kind: 'circles', samples: 66 }, 32),
    expect: null,
  },
  {
    name: 'a convolution’s [N, 4, 8, 8]: 64 values per channel even in a batch of one',
    doc: graph('conv', { kind: 'digits', samples: 65 }, 32),
    expect: null,
  },
  {
    name: 'a batch_norm that doesn’t lead to the loss is not trained',
    doc: graph('off-path', { kind: 'circles', samples: 65 }, 32),
    expect: null,
  },
  {
    name: 'a CSV the check can’t read: its size is unknown, nothing said',
    doc: graph('dense', csv, 4),
    expect: null,
  },
];

for (const c of cases)
  test(`check batch-of-one: ${c.name}`, () => {
    const found = batchOfOne(c.doc, c.readDataFile);
    if (!c.expect) return assert.deepEqual(found, []);
    assert.equal(found.length, 1, JSON.stringify(found));
    const d = found[0]!;
    assert.deepEqual([d.severity, d.node, d.setting], [c.expect.severity, 'bn', 'training.batchSize']);
    for (const part of c.expect.says) assert.match(d.message, part);
    assert.match(d.message, new RegExp(`Set batchSize to ${c.expect.suggests}\\b`));
  });

/**
 * Trains `doc` at `batchSize` as a run would (its dataset split the same way). compileGraph
 * refuses a graph check finds an error in, so it compiles the document as it reads with
 * `passing`, a batch size check accepts, to try the check's claim at `batchSize`.
 */
function trainAt(doc: GraphDoc, batchSize: number, passing = batchSize): { steps: number; samples: number } {
  const compiled = compileGraph(
    { ...doc, training: { ...doc.training, batchSize: passing } },
    { batchSize, dtype: 'float64', seed: 0 },
  );
  const { train, validation } = trainingData(doc, 0);
  const trainer = new Trainer(
    compiled,
    { train, validation },
    {
      optimizer: doc.training.optimizer,
      epochs: doc.training.epochs,
      seed: 0,
    },
  );
  return { steps: trainer.run().steps, samples: sampleCount(train) };
}

test('the claim is true: training at the refused batch size stops at the end of the first epoch; the suggested one trains', () => {
  for (const c of cases.filter((x) => x.expect?.severity === 'error' && !x.readDataFile)) {
    const batch = c.doc.training.batchSize;
    assert.throws(
      () => trainAt(c.doc, batch, c.expect!.suggests),
      (e: Error) => {
        assert.match(e.message, /batch_norm: training needs more than one value per channel, x is \[1, /);
        return true;
      },
      `${c.name}: refused`,
    );
    const { steps, samples } = trainAt(c.doc, c.expect!.suggests!);
    assert.equal(
      steps,
      c.doc.training.epochs * Math.ceil(samples / c.expect!.suggests!),
      `${c.name}: trained`,
    );
    assert.deepEqual(
      batchOfOne({ ...c.doc, training: { ...c.doc.training, batchSize: c.expect!.suggests! } }),
      [],
      `${c.name}: the suggested batch size passes the check`,
    );
  }
  // A case the check lets through trains at its batch size.
  const fine = cases.find((x) => x.name.startsWith('a convolution'))!.doc;
  const { steps } = trainAt(fine, fine.training.batchSize);
  assert.equal(steps, 2 * 3);
});
