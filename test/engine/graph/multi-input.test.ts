/**
 * Graphs with several input nodes (issue #15): each input is named in training.dataset.inputs
 * with the features it takes; check says what is missing, compile gives a slot per input, and a
 * graph whose two inputs are joined again trains exactly like the one-input graph it splits.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseGraph } from '../../../engine/graph/parse.js';
import { checkGraph } from '../../../engine/graph/check.js';
import { compileGraph } from '../../../engine/graph/compile.js';
import type { GraphDoc } from '../../../engine/graph/document.js';
import { prepareTraining } from '../../../engine/train/session.js';

const spiral = (): GraphDoc =>
  parseGraph(readFileSync(join(__dirname, '../../../examples/spiral.nngraph.json'), 'utf8')).doc!;

/** The spiral network with its input split in two (x1 and x2) and joined again by concat. */
function twoInputSpiral(): GraphDoc {
  const doc = spiral();
  doc.nodes = doc.nodes.flatMap((n) =>
    n.id === 'x'
      ? [
          { id: 'xa', op: 'input', attrs: { features: 1 }, position: { x: 0, y: 0 } },
          { id: 'xb', op: 'input', attrs: { features: 1 }, position: { x: 0, y: 60 } },
          { id: 'both', op: 'concat', attrs: {}, position: { x: 100, y: 30 } },
        ]
      : [n],
  );
  doc.edges = [
    { from: 'xa', to: 'both', toPort: 'a' },
    { from: 'xb', to: 'both', toPort: 'b' },
    { from: 'both', to: 'h1' },
    ...doc.edges.filter((e) => e.from !== 'x'),
  ];
  doc.training = {
    ...doc.training,
    epochs: 3,
    dataset: { ...doc.training.dataset, inputs: { xa: ['x1'], xb: ['x2'] } },
  };
  return doc;
}

const errors = (doc: GraphDoc) =>
  checkGraph(doc)
    .diagnostics.filter((d) => d.severity === 'error')
    .map((d) => ({ code: d.code, node: d.node, setting: d.setting, attr: d.attr, message: d.message }));

test('a graph with two inputs fed by their own features checks clean and has a slot per input', () => {
  const doc = twoInputSpiral();
  assert.deepEqual(errors(doc), []);
  const g = compileGraph(doc, { batchSize: 4 });
  assert.deepEqual(
    g.inputs.map((i) => [i.node, g.program.slots[i.slot]!.shape]),
    [
      ['xa', [4, 1]],
      ['xb', [4, 1]],
    ],
  );
});

test('splitting the input in two and joining it again trains exactly as the one-input graph', () => {
  const one = spiral();
  one.training = { ...one.training, epochs: 3 };
  const a = prepareTraining(one, { dtype: 'float64' }).trainer.run();
  const b = prepareTraining(twoInputSpiral(), { dtype: 'float64' }).trainer.run();
  assert.equal(b.history.length, 3);
  assert.deepEqual(
    b.history.map((e) => e.loss),
    a.history.map((e) => e.loss),
  );
  assert.ok(b.history[2]!.loss < b.history[0]!.loss, 'it learns');
});

test('several inputs without training.dataset.inputs: the error names them and the features', () => {
  const doc = twoInputSpiral();
  delete doc.training.dataset.inputs;
  const [e, ...rest] = errors(doc);
  assert.deepEqual(rest, []);
  assert.equal(e!.setting, 'training.dataset.inputs');
  assert.match(e!.message, /2 input nodes \('xa', 'xb'\).*x1, x2/);
});

test('an input given the wrong number of features, an unfed input and an unknown name are each reported', () => {
  const doc = twoInputSpiral();
  doc.training.dataset.inputs = { xa: ['x1', 'x2'], nobody: ['x2'] };
  const found = errors(doc);
  assert.deepEqual(
    found.map((e) => [e.node ?? e.setting, e.attr]),
    [
      ['training.dataset.inputs', undefined],
      ['xa', 'features'],
      ['xb', undefined],
    ],
  );
  assert.match(found[0]!.message, /'nobody', which is not an input node/);
  assert.match(found[1]!.message, /gives it 2 feature\(s\) \(x1, x2\)\. Set "features": 2/);
  assert.match(found[2]!.message, /Input 'xb' is not fed/);
});

test('a feature the dataset does not have is named with the ones it has', () => {
  const doc = twoInputSpiral();
  doc.training.dataset.inputs = { xa: ['x1'], xb: ['x3'] };
  assert.match(
    errors(doc)[0]!.message,
    /'x3', which the spiral dataset doesn't have; its features are x1, x2/,
  );
});

test('fromPort on a node with one output is refused, naming the edge to fix', () => {
  const doc = spiral();
  doc.edges[0] = { ...doc.edges[0]!, fromPort: 'out1' };
  const [e] = errors(doc);
  assert.equal(e!.code, 'unknown-port');
  assert.match(e!.message, /'x' \(input\) has one output; remove "fromPort": "out1"/);
});
