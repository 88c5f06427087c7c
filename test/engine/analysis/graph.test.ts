import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeGraph, lossBatch } from '../../../engine/analysis/graph.js';
import { sawtoothGraph } from '../../../engine/analysis/sawtooth.js';
import { compileGraph } from '../../../engine/graph/compile.js';
import type { GraphDoc } from '../../../engine/graph/document.js';

test("the loss batch is a seeded sample of the document's dataset, with the data's range", () => {
  const { doc } = sawtoothGraph(2);
  const compiled = compileGraph(doc, { batchSize: 8, dtype: 'float64' });
  const a = lossBatch(doc, compiled, 8);
  const b = lossBatch(doc, compiled, 8);
  assert.deepEqual(a.x.shape, [8, 1]);
  assert.deepEqual(a.y!.shape, [8, 1]);
  assert.deepEqual(Array.from(a.x.data), Array.from(b.x.data));
  assert.match(a.source, /^8 examples of sawtooth/);
  const [[lo, hi]] = a.range as [[number, number]];
  assert.ok(lo >= -2 && hi <= 2 && hi - lo > 3);
});

test('a dataset that cannot be loaded is replaced by standard-normal inputs, and the source says why', () => {
  const { doc: base } = sawtoothGraph(1);
  const doc: GraphDoc = {
    ...base,
    training: {
      ...base.training,
      dataset: { kind: 'csv', path: 'missing.csv', features: ['a'], target: 'b' },
    },
  };
  const compiled = compileGraph(doc, { batchSize: 4, dtype: 'float64' });
  const batch = lossBatch(doc, compiled, 4, {
    readText: () => {
      throw new Error('ENOENT missing.csv');
    },
  });
  assert.match(
    batch.source,
    // The loader's message, in the user's words, names the file and what to do.
    /4 standard-normal examples \(the dataset could not be loaded: .*'missing\.csv'.*ENOENT missing\.csv.*\)/,
  );
  assert.deepEqual(batch.x.shape, [4, 1]);
  assert.ok(batch.x.data.some((v) => v !== 0));
  const report = analyzeGraph(compiled, { batch: 4, modes: { measure: false }, readText: () => 'x\n' });
  assert.match(report.batch.source, /standard-normal/);
  assert.deepEqual(report.regions.oneD!.interval, [-2, 2]);
});

test("the 1-D interval is the dataset's configured range", () => {
  const { doc, weights } = sawtoothGraph(3);
  const compiled = compileGraph(doc, { batchSize: 8, dtype: 'float64', weights });
  const report = analyzeGraph(compiled, { modes: { measure: false } });
  assert.deepEqual(report.regions.oneD!.interval, [-2, 2]);
  assert.equal(report.regions.oneD!.pieces, 8);
});
