/**
 * Bad input to the issue #15 ops: an embedding index beyond the table is found by check before
 * training where the data is known (phrases' vocabulary, a CSV's integer columns), and if it gets
 * to a kernel anyway the error names the node, the index and the table; scaled_dot_product_attention's
 * shape errors name the node and the axes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseGraph } from '../../../engine/graph/parse.js';
import { checkGraph } from '../../../engine/graph/check.js';
import type { GraphDoc } from '../../../engine/graph/document.js';
import { ProgramBuilder, NodeDataError } from '../../../engine/autodiff/program.js';
import { Tensor } from '../../../engine/tensor/tensor.js';

const phrases = (num: number): GraphDoc => {
  const doc = parseGraph(
    readFileSync(join(__dirname, '../../../examples/phrases-embedding.nngraph.json'), 'utf8'),
  ).doc!;
  doc.nodes = doc.nodes.map((n) => (n.id === 'embed' ? { ...n, attrs: { ...n.attrs, num } } : n));
  return doc;
};

const rangeErrors = (doc: GraphDoc, readDataFile?: (p: string) => string) =>
  checkGraph(doc, readDataFile ? { readDataFile } : {}).diagnostics.filter(
    (d) => d.code === 'embedding-range',
  );

test('check: an embedding smaller than the phrases vocabulary is an error on its num, saying the size to set', () => {
  assert.deepEqual(rangeErrors(phrases(21)), [], 'the example as it is: 21 words, 21 rows');
  const [d, ...rest] = rangeErrors(phrases(15));
  assert.equal(rest.length, 0);
  assert.deepEqual([d!.severity, d!.node, d!.attr], ['error', 'embed', 'num']);
  assert.match(d!.message, /Embedding 'embed' has a table of 15 rows \(indices 0 to 14\)/);
  assert.match(
    d!.message,
    /column .w\d. of the phrases dataset, fed to it through input .words., holds index 20 \(first in data row \d+\)/,
  );
  assert.match(d!.message, /through input 'words'/);
  assert.match(d!.message, /Set "num": 21/);
});

/** input (3 whole numbers) → reshape → embedding(num) → flatten → linear(2) → cross_entropy, on a CSV. */
function csvGraph(num: number): GraphDoc {
  const at = { x: 0, y: 0 };
  return {
    format: 'backprop-studio.graph',
    version: 1,
    nodes: [
      { id: 'tokens', op: 'input', attrs: { features: 3, dtype: 'int' }, position: at },
      { id: 'column', op: 'reshape', attrs: { shape: [-1, 3, 1] }, position: at },
      { id: 'emb', op: 'embedding', attrs: { num, dim: 2 }, position: at },
      { id: 'flat', op: 'flatten', attrs: {}, position: at },
      { id: 'logits', op: 'linear', attrs: { units: 2 }, position: at },
      { id: 'y', op: 'target', attrs: { classes: 2 }, position: at },
      { id: 'loss', op: 'cross_entropy', attrs: {}, position: at },
    ],
    edges: [
      { from: 'tokens', to: 'column' },
      { from: 'column', to: 'emb' },
      { from: 'emb', to: 'flat' },
      { from: 'flat', to: 'logits' },
      { from: 'logits', to: 'loss', toPort: 'logits' },
      { from: 'y', to: 'loss', toPort: 'target' },
    ],
    training: {
      dataset: {
        kind: 'csv',
        path: 'tokens.csv',
        features: ['a', 'b', 'c'],
        target: 'label',
        integers: ['a', 'b', 'c'],
        task: 'classification',
      },
      optimizer: { kind: 'adam', lr: 0.01 },
      batchSize: 2,
      epochs: 1,
    },
  } as GraphDoc;
}

const CSV = 'a,b,c,label\n0,1,2,0\n3,2,1,1\n1,7,0,0\n2,2,2,1\n';

test('check: a CSV integer column holding an index beyond the table is an error naming the column, the value and its row', () => {
  assert.deepEqual(
    rangeErrors(csvGraph(8), () => CSV),
    [],
  );
  const [d, ...rest] = rangeErrors(csvGraph(5), () => CSV);
  assert.equal(rest.length, 0);
  assert.deepEqual([d!.node, d!.attr], ['emb', 'num']);
  assert.match(d!.message, /table of 5 rows \(indices 0 to 4\), but column 'b' of the csv dataset/);
  assert.match(d!.message, /holds index 7 \(first in data row 3\)/);
  assert.match(d!.message, /Set "num": 8/);
  // Without the file nothing is known about its values, so nothing is claimed.
  assert.deepEqual(rangeErrors(csvGraph(5)), []);
});

test('run: an index beyond the table stops the forward pass with an error naming the node, the index and the table', () => {
  const b = new ProgramBuilder('float32');
  const x = b.input('indices', [2, 2], { value: Tensor.from([2, 2], [0, 1, 9, 2], 'float32') });
  b.node('emb', 'embedding', [x], { num: 4, dim: 3 });
  const program = b.build();
  assert.throws(
    () => program.forward(),
    (e: unknown) =>
      e instanceof NodeDataError &&
      e instanceof RangeError &&
      e.node === 'emb' &&
      /^node 'emb': embedding: index 9 \(element 2 of the indices\) is outside its table of 4 rows \(indices 0 to 3\); set num to 10 or more, or fix the data$/.test(
        e.message,
      ),
  );
});

test('check: scaled_dot_product_attention with q and k of different widths names the node and the axes', () => {
  const at = { x: 0, y: 0 };
  const doc = {
    format: 'backprop-studio.graph',
    version: 1,
    nodes: [
      { id: 'x', op: 'input', attrs: { shape: [4, 8] }, position: at },
      { id: 'q', op: 'linear', attrs: { units: 8 }, position: at },
      { id: 'k', op: 'linear', attrs: { units: 6 }, position: at },
      { id: 'att', op: 'scaled_dot_product_attention', attrs: { causal: true }, position: at },
    ],
    edges: [
      { from: 'x', to: 'q' },
      { from: 'x', to: 'k' },
      { from: 'q', to: 'att', toPort: 'q' },
      { from: 'k', to: 'att', toPort: 'k' },
      { from: 'x', to: 'att', toPort: 'v' },
    ],
  } as unknown as GraphDoc;
  const d = checkGraph(doc).diagnostics.find((x) => x.node === 'att');
  assert.ok(d, 'a diagnostic on the attention node');
  assert.equal(d.severity, 'error');
  assert.match(d.message, /q \[N, 4, 8\] and k \[N, 4, 6\] differ in the last axis \(8 vs 6\)/);
});
