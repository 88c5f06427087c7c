/**
 * Networks as PyTorch 1.13 exports them (scripts/make-import-fixtures.py): a tabular MLP with
 * batch norm and a residual MLP import, reproduce PyTorch's output, keep the numbers as written
 * (batch norm's momentum 0.3, not 1 − 0.7f = 0.30000001192092896 or 0.30000000000000004), and say
 * that no dataset is known rather than point at a file that was never there.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { importOnnx } from '../../../engine/onnx/import.js';
import { checkGraph } from '../../../engine/graph/check.js';
import { prepareTraining } from '../../../engine/train/session.js';
import { runEngine } from './engine-run.js';
import { maxAbsDiff, runOrt, type StoredTensor } from './reference-models.js';
import { exportOnnx } from '../../../engine/onnx/export.js';

const DIR = join(__dirname, 'pytorch');
const manifest = JSON.parse(readFileSync(join(DIR, 'manifest.json'), 'utf8')) as {
  models: ({ file: string; output: StoredTensor } & (
    { input: StoredTensor } | { inputs: Record<string, StoredTensor> }
  ))[];
};

for (const m of manifest.models)
  test(`${m.file} (PyTorch 1.13): imports, matches PyTorch, and says no dataset is known`, (t) => {
    const { doc, weights } = importOnnx(new Uint8Array(readFileSync(join(DIR, m.file))));
    const out = runEngine(doc, weights, 'input' in m ? m.input : m.inputs);
    const err = maxAbsDiff(out.data, m.output.data);
    t.diagnostic(`max |engine - PyTorch| = ${err.toExponential(2)}`);
    assert.ok(err <= 1e-4, `max abs error ${err}`);
    const diagnostics = checkGraph(doc).diagnostics;
    assert.deepEqual(
      diagnostics.map((d) => [d.severity, d.code, d.setting]),
      [['warning', 'no-dataset', 'training.dataset.path']],
    );
    assert.equal(doc.training.dataset.kind, 'csv');
    assert.ok(!('path' in doc.training.dataset), 'no file name that was never there');
  });

test('imported attributes are the shortest decimals of their float32 values', () => {
  const { doc } = importOnnx(new Uint8Array(readFileSync(join(DIR, 'tabular-mlp-bn.onnx'))));
  const bn = doc.nodes.filter((n) => n.op === 'batch_norm');
  // bn1: PyTorch's default momentum 0.1 (ONNX 0.9f) is the op's default and left out; bn2: 0.3.
  assert.deepEqual(
    bn.map((n) => n.attrs),
    [{}, { momentum: 0.3 }],
  );
  assert.doesNotMatch(JSON.stringify(doc), /\d\.\d*0000000\d|\d\.\d*9999999/);
});

test('a two-input network (PyTorch 1.13) becomes a graph with an input node per model input, and trains on its CSV', () => {
  const { doc, weights } = importOnnx(new Uint8Array(readFileSync(join(DIR, 'two-input.onnx'))));
  const inputs = doc.nodes.filter((n) => n.op === 'input');
  assert.deepEqual(
    inputs.map((n) => [n.id, n.attrs]),
    [
      ['wide', { features: 4 }],
      ['deep', { features: 6 }],
    ],
  );
  const join3 = doc.nodes.find((n) => n.op === 'concat');
  assert.deepEqual(join3?.attrs, { axis: -1, count: 3 }, 'torch.cat of three tensors is one concat');
  const dataset = doc.training.dataset;
  assert.equal(dataset.kind, 'csv');
  assert.deepEqual(dataset.inputs, {
    wide: ['wide_1', 'wide_2', 'wide_3', 'wide_4'],
    deep: ['deep_1', 'deep_2', 'deep_3', 'deep_4', 'deep_5', 'deep_6'],
  });
  // The user chooses the file the columns come from; then the imported weights train on.
  const chosen = {
    ...doc,
    training: {
      ...doc.training,
      epochs: 30,
      optimizer: { kind: 'adam' as const, lr: 0.01 },
      dataset: { ...dataset, path: 'two-input.csv' },
    },
  };
  const readText = (p: string) => readFileSync(join(DIR, p), 'utf8');
  assert.deepEqual(
    checkGraph(chosen, { readDataFile: readText }).diagnostics.filter((d) => d.severity === 'error'),
    [],
  );
  const run = prepareTraining(chosen, { readText, weights }).trainer.run();
  assert.equal(run.status, 'completed');
  const losses = run.history.map((e) => e.loss);
  assertFalls(losses);
});

for (const file of ['multihead-attention.onnx', 'multihead-attention-fixed-batch.onnx'])
  test(`${file}: torch.nn.MultiheadAttention's shape arithmetic folds and its heads, folded into the batch axis by the export, become a batch-first attention between linears that runs at any batch size`, () => {
    const { doc, weights } = importOnnx(new Uint8Array(readFileSync(join(DIR, file))));
    const chain = (id: string): string[] => {
      const next = doc.edges.filter((e) => e.from === id).map((e) => e.to);
      return next.length === 1 ? [id, ...chain(next[0]!)] : [id];
    };
    const op = (id: string) => doc.nodes.find((n) => n.id === id)!;
    // The packed in-projection [48, 16] is three linears, each split into 4 heads of 4.
    for (const x of ['q', 'k', 'v'])
      assert.deepEqual(
        chain(`attn_${x}_proj`)
          .slice(0, 4)
          .map((id) => [op(id).op, op(id).attrs]),
        [
          ['linear', { units: 16 }],
          ['reshape', { shape: [-1, 5, 4, 4] }],
          ['transpose', { perm: [0, 2, 1, 3] }],
          ['scaled_dot_product_attention', {}],
        ],
      );
    assert.deepEqual(
      chain('attn')
        .map((id) => [op(id).op, op(id).attrs])
        .slice(0, 4),
      [
        ['scaled_dot_product_attention', {}],
        ['transpose', { perm: [0, 2, 1, 3] }],
        ['reshape', { shape: [-1, 5, 16] }],
        ['linear', { units: 16 }],
      ],
    );
    assert.deepEqual(
      doc.nodes.filter((n) => ['slice', 'gather', 'concat'].includes(n.op)).map((n) => n.id),
      [],
      'no shape arithmetic and no slicing of the packed projection is left',
    );
    // Two of the four samples: the graph's batch axis is its own (the fixed-batch export's too).
    const m = manifest.models.find((x) => x.file === file)!;
    assert.ok('input' in m);
    const half = (t: StoredTensor): StoredTensor => ({
      shape: [2, ...t.shape.slice(1)],
      data: t.data.slice(0, t.data.length / 2),
    });
    const out = runEngine(doc, weights, half(m.input));
    assert.deepEqual(out.shape, [2, 3]);
    assert.ok(maxAbsDiff(out.data, half(m.output).data) <= 1e-4);
  });

/** The last epoch's loss is well below the first's. */
function assertFalls(losses: number[]): void {
  assert.ok(
    losses[losses.length - 1]! < 0.7 * losses[0]!,
    `loss ${losses[0]} → ${losses[losses.length - 1]}`,
  );
}

for (const [file, causal] of [
  ['self-attention.onnx', false],
  ['causal-self-attention.onnx', true],
  ['multihead-attention.onnx', false],
  ['multihead-attention-weights.onnx', false],
  ['multihead-attention-causal.onnx', true],
  ['transformer-encoder-layer.onnx', false],
] as const)
  test(`${file} (PyTorch 1.13): the attention becomes one scaled_dot_product_attention node; it matches PyTorch and onnxruntime, exports back to the same node, and trains on its CSV`, async (t) => {
    const bytes = new Uint8Array(readFileSync(join(DIR, file)));
    const { doc, weights } = importOnnx(bytes);
    const attention = doc.nodes.filter((n) => n.op === 'scaled_dot_product_attention');
    // 1/√4 is the op's default scale, so it is left out; the -∞ buffer becomes `causal`.
    assert.deepEqual(
      attention.map((n) => n.attrs),
      [causal ? { causal: true } : {}],
    );
    assert.deepEqual(
      doc.nodes.filter((n) => ['softmax', 'div', 'matmul', 'mul'].includes(n.op)).map((n) => n.id),
      [],
      'no piece of the attention is left beside it',
    );
    const m = manifest.models.find((x) => x.file === file)!;
    assert.ok('input' in m);
    const out = runEngine(doc, weights, m.input);
    const scale = Math.max(...m.output.data.map(Math.abs));
    const rel = maxAbsDiff(out.data, m.output.data) / scale;
    const ort = await runOrt(bytes, m.input);
    const relOrt = maxAbsDiff(out.data, ort.data) / scale;
    t.diagnostic(
      `max |engine - PyTorch| / max |PyTorch| = ${rel.toExponential(2)}; vs onnxruntime ${relOrt.toExponential(2)}`,
    );
    assert.ok(rel <= 1e-4 && relOrt <= 1e-4, `relative error ${rel} (PyTorch), ${relOrt} (onnxruntime)`);
    const back = importOnnx(exportOnnx(doc, weights)).doc;
    assert.deepEqual(
      back.nodes.filter((n) => n.op === 'scaled_dot_product_attention').map((n) => [n.id, n.attrs]),
      attention.map((n) => [n.id, n.attrs]),
    );
    const dataset = doc.training.dataset;
    assert.equal(dataset.kind, 'csv');
    const chosen = {
      ...doc,
      training: {
        ...doc.training,
        epochs: 15,
        batchSize: 30,
        optimizer: { kind: 'adam' as const, lr: 0.01 },
        dataset: { ...dataset, path: 'attention.csv' },
      },
    };
    const readText = (p: string) => readFileSync(join(DIR, p), 'utf8');
    assert.deepEqual(
      checkGraph(chosen, { readDataFile: readText }).diagnostics.filter((d) => d.severity !== 'info'),
      [],
    );
    const { trainer } = prepareTraining(chosen, { readText, weights });
    // One step: the loss on the batch it trained on goes down.
    const batch = trainer.loadNextBatch()!;
    batch.program.setTraining(true);
    batch.program.forward();
    const before = batch.program.value(batch.loss).data[0]!;
    const step = trainer.trainStep();
    assert.equal(step.kind, 'trained');
    batch.program.forward();
    const after = batch.program.value(batch.loss).data[0]!;
    t.diagnostic(`one step on its batch: loss ${before.toFixed(4)} → ${after.toFixed(4)}`);
    assert.ok(after < before, `loss ${before} → ${after}`);
    const run = trainer.run();
    assert.equal(run.status, 'completed');
    assertFalls(run.history.map((e) => e.loss));
  });
