/**
 * TensorFlow Playground's node pictures: with hiddenUnits, a 2-D classifier's boundary view carries
 * each hidden layer's first units over the input plane, each cell the unit's value at that point.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPredictor, UNIT_GRID, UNIT_MAPS } from '../../../engine/run/prediction.js';
import { compileGraph } from '../../../engine/graph/compile.js';
import { loadDataset } from '../../../engine/data/load.js';
import { exampleDoc } from './harness.js';

test('spiral: each hidden layer’s first units over the plane, each cell the unit at its point', () => {
  const doc = exampleDoc('spiral');
  const data = loadDataset(doc.training.dataset);
  const compiled = compileGraph(doc, { batchSize: 8, seed: 2 });
  const view = createPredictor(compiled, data).predict({ hiddenUnits: true });
  assert.equal(view.kind, 'boundary');
  if (view.kind !== 'boundary') return;
  const hidden = compiled.program.nodes.filter(
    (n) => n.op.category === 'activations' && compiled.program.slots[n.output]!.shape.length === 2,
  );
  assert.ok(hidden.length > 0);
  assert.deepEqual(
    view.units!.map((u) => u.node),
    hidden.map((n) => n.id),
  );
  const one = compiled.withBatchSize(1);
  one.program.setTraining(false);
  const [x0, x1, y0, y1] = view.bounds;
  const n = view.nx;
  for (const u of view.units!) {
    assert.equal(u.shown, Math.min(u.count, UNIT_MAPS));
    assert.equal(u.side, UNIT_GRID);
    assert.equal(u.values.length, u.shown * u.side * u.side);
    for (const [r, c] of [
      [0, 0],
      [3, 11],
      [15, 15],
      [8, 2],
    ] as const) {
      // The fine grid's point nearest the coarse cell's centre (rows from y0 up).
      const fr = Math.floor(((r + 0.5) * n) / u.side),
        fc = Math.floor(((c + 0.5) * n) / u.side);
      const x = x0 + ((fc + 0.5) / n) * (x1 - x0),
        y = y0 + ((fr + 0.5) / n) * (y1 - y0);
      one.program.value(one.input).data.set([x, y]);
      one.program.forward();
      const act = one.program.value(one.nodeSlot.get(u.node)!).data;
      for (let k = 0; k < u.shown; k++) {
        const got = u.values[(k * u.side + r) * u.side + c]!;
        assert.ok(Math.abs(got - act[k]!) < 1e-4, `${u.node} unit ${k} at (${r}, ${c}): ${got} vs ${act[k]}`);
      }
    }
  }
  assert.equal(createPredictor(compiled, data).predict({ hiddenUnits: false }).kind, 'boundary');
  const plain = createPredictor(compiled, data).predict({ hiddenUnits: false });
  assert.equal(plain.kind === 'boundary' && plain.units, undefined, 'only when asked for');
});
