/**
 * The analyses as tasks (engine/task): run step by step they give exactly the report of a plain
 * run, count their progress up to the whole's total with a label per part, and abandoning one
 * midway puts back what it changed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  analyzeGraph,
  analyzeGraphSteps,
  type GraphAnalysisOptions,
} from '../../../engine/analysis/graph.js';
import { analyzeHessianSteps } from '../../../engine/analysis/hessian.js';
import { measureModesSteps } from '../../../engine/analysis/modes.js';
import { sawtoothGraph } from '../../../engine/analysis/sawtooth.js';
import { compileGraph } from '../../../engine/graph/compile.js';
import type { TaskProgress } from '../../../engine/task/task.js';
import { smallClassifier } from '../train/graphs.js';

/** A 2-D classifier small enough for the dense Hessian and its eigenvalues. */
const classifier = smallClassifier();

/** Measured times from a clock that never moves, so that two runs give equal reports. */
const STILL: GraphAnalysisOptions = { modes: { clock: () => 0, maxDirections: 50 }, grid: 24 };

const cases = [
  {
    name: 'a 2-D ReLU classifier',
    compile: () => compileGraph(classifier, { batchSize: 16, dtype: 'float64' }),
  },
  {
    name: 'the depth-3 sawtooth (1-D, exact breakpoints)',
    compile: () => {
      const { doc, weights } = sawtoothGraph(3);
      return compileGraph(doc, { batchSize: 8, dtype: 'float64', weights });
    },
  },
];

for (const c of cases)
  test(`${c.name}: the analysis step by step gives the plain report, with progress counted up to the total`, () => {
    const expected = analyzeGraph(c.compile(), STILL);
    const steps = analyzeGraphSteps(c.compile(), STILL);
    const seen: TaskProgress[] = [];
    let r = steps.next();
    for (; !r.done; r = steps.next()) seen.push(r.value);
    assert.deepEqual(r.value, expected);
    const total = seen[0]!.total;
    assert.ok(seen.length > 20, `${seen.length} steps`);
    for (const [i, p] of seen.entries()) {
      assert.equal(p.total, total, 'one total for the whole analysis');
      assert.ok(p.done <= total, `${p.done} of ${total}`);
      if (i > 0) assert.ok(p.done >= seen[i - 1]!.done, `progress went back at ${p.label}`);
    }
    const labels = seen.map((p) => p.label);
    for (const want of [
      /^Forward vs reverse mode: prediction Jacobian: forward mode 1\/\d+$/,
      /^Forward vs reverse mode: loss gradient: reverse mode 1\/1$/,
      /^Hessian: Lanczos 12\/\d+$/,
      new RegExp(`^Hessian: dense Hessian, column ${expected.params}/${expected.params}$`),
      /^Hessian: eigenvalues of the dense Hessian$/,
      /^Linear regions: /,
      /^Kronecker view$/,
    ])
      assert.ok(
        labels.some((l) => want.test(l)),
        `a step labelled ${want} among ${[...new Set(labels.map((l) => l.replace(/\d+\/\d+$/, '')))].join(' | ')}`,
      );
  });

test('abandoning the Hessian midway restores the training flag', () => {
  const compiled = compileGraph(classifier, { batchSize: 16, dtype: 'float64' });
  const p = compiled.program;
  p.setTraining(true);
  const steps = analyzeHessianSteps(p, compiled.loss);
  for (let i = 0; i < 5; i++) assert.equal(steps.next().done, false);
  assert.equal(p.nodes[0]!.ctx.training, false, 'evaluation mode while it runs');
  steps.return(undefined as never);
  assert.ok(p.nodes.every((n) => n.ctx.training));
});

test('measured times leave out the time a task waits between its steps', () => {
  const compiled = compileGraph(classifier, { batchSize: 16, dtype: 'float64' });
  const p = compiled.program;
  let now = 0;
  const steps = measureModesSteps(p, compiled.prediction, p.params(), {
    maxDirections: 4,
    clock: () => (now += 1),
  });
  let r = steps.next();
  for (; !r.done; r = steps.next()) now += 1000;
  assert.equal(r.value.forward.directions, 4);
  assert.ok(r.value.forward.ms > 0 && r.value.forward.ms < 10, `forward ${r.value.forward.ms} ms`);
  assert.ok(r.value.reverse.ms > 0 && r.value.reverse.ms < 10, `reverse ${r.value.reverse.ms} ms`);
});
