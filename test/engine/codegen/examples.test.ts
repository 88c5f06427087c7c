/**
 * Every example graph exports to a TypeScript module that typechecks under --strict (zero
 * diagnostics) and, run in this process, reproduces the engine's float64 forward output, loss and
 * parameter gradients (≤ 1e-9 normwise relative error) and two optimiser steps of the graph's
 * optimiser (engine/optim).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseGraph } from '../../../engine/graph/parse.js';
import { compileGraph, type CompiledGraph } from '../../../engine/graph/compile.js';
import { createOptimizer } from '../../../engine/optim/optimizers.js';
import { clipGradNorm } from '../../../engine/optim/clip.js';
import { Rng } from '../../../engine/tensor/random.js';
import { exportTypeScript } from '../../../engine/codegen/export.js';
import {
  loadGenerated,
  prettierFormatted,
  strictDiagnostics,
  type GeneratedModule,
  type Rows,
} from './generated-module.js';
import { flat, relError, relErrorAll, rows } from './compare.js';

const TOLERANCE = 1e-9;
const BATCH = 6;
const examplesDir = resolve(__dirname, '../../../examples');
const files = readdirSync(examplesDir)
  .filter((f) => f.endsWith('.nngraph.json'))
  .sort();

interface Exported {
  file: string;
  compiled: CompiledGraph;
  code: string;
  names: ReadonlyMap<string, string>;
}

/**
 * Random features (whole numbers 0 and 1 for an integer input: rows of any table), and targets
 * of the target node's kind (class indices or values). A graph with several inputs takes rows
 * holding them side by side.
 */
function fillBatch(c: CompiledGraph, seed: number): { inputs: Rows; targets: readonly number[] | Rows } {
  const rng = new Rng(seed);
  const perInput = c.inputs.map(({ node, slot }) => {
    const x = c.program.value(slot);
    const integer = c.doc.nodes.find((n) => n.id === node)?.attrs['dtype'] === 'int';
    for (let i = 0; i < x.size; i++) x.data[i] = integer ? rng.int(2) : rng.normal();
    return rows(x.data, x.size / BATCH);
  });
  if (c.target === null) throw new Error('example without a target');
  const y = c.program.value(c.target);
  const lossOp = c.program.nodes.find((n) => n.output === c.loss)!.op.name;
  // Class indices for cross_entropy (classes on the logits' axis 1, a label per position beyond it).
  const classes = lossOp === 'cross_entropy' ? c.program.value(c.prediction).shape[1]! : 2;
  for (let i = 0; i < y.size; i++)
    y.data[i] =
      lossOp === 'cross_entropy'
        ? rng.int(classes)
        : lossOp === 'bce_with_logits'
          ? rng.int(2)
          : rng.normal();
  return {
    inputs: perInput[0]!.map((_, i) => perInput.flatMap((r) => r[i]!)),
    targets: y.rank === 1 ? Array.from(y.data) : rows(y.data, y.size / BATCH),
  };
}

const exported: Exported[] = files.map((file) => {
  const { doc, diagnostics } = parseGraph(readFileSync(join(examplesDir, file), 'utf8'));
  assert.ok(doc, `${file}: ${diagnostics.map((d) => d.message).join('; ')}`);
  const { code, names } = exportTypeScript(doc, null, {
    name: file.replace('.nngraph.json', ''),
    source: file,
  });
  return { file, compiled: compileGraph(doc, { batchSize: BATCH, dtype: 'float64' }), code, names };
});

test('there are examples to export', () => {
  assert.ok(files.length > 0, `no examples in ${examplesDir}`);
});

test('every exported example typechecks under tsc --strict with zero diagnostics', () => {
  const sources = new Map(
    exported.map((e) => [`/exported/${e.file.replace('.nngraph.json', '.ts')}`, e.code]),
  );
  assert.deepEqual(strictDiagnostics(sources), []);
});

test('every exported example is formatted as Prettier formats the project (it reads as hand-written code)', async () => {
  // Code without the weights for every example (the long arrays only slow Prettier down), and one
  // example whole for the layout of embedded weights.
  const smallest = [...exported].sort((a, b) => a.code.length - b.code.length)[0]!;
  for (const e of exported) {
    const code = exportTypeScript(e.compiled.doc, null, { name: 'm', weightsFile: 'm.weights.json' }).code;
    assert.equal(code, await prettierFormatted(code), e.file);
  }
  assert.equal(smallest.code, await prettierFormatted(smallest.code), smallest.file);
});

for (const e of exported) {
  test(`${e.file}: the exported module matches the engine (forward, loss, gradients, two optimiser steps)`, (t) => {
    const m: GeneratedModule = loadGenerated(e.code);
    const c = e.compiled;
    const p = c.program;
    const { inputs, targets } = fillBatch(c, 11);
    const errors: Record<string, number> = {};

    p.setTraining(false);
    p.forward();
    errors.forward = relError(flat(m.forward(inputs)), p.value(c.prediction).data);
    errors.loss = relError([m.loss(inputs, targets)], p.value(c.loss).data);

    // Training mode: the same random stream for dropout masks on both sides.
    const paramOf = (slot: number): Float64Array => {
      const owner = p.slots[slot]!.owner!;
      return m.params[e.names.get(owner.node)!]![owner.param]!;
    };
    const gradOf = (grads: Record<string, Record<string, Float64Array>>, slot: number): Float64Array => {
      const owner = p.slots[slot]!.owner!;
      return grads[e.names.get(owner.node)!]![owner.param]!;
    };
    p.setTraining(true);
    m.setRandomSeed?.(p.randomState);
    p.forward();
    p.backward(c.loss);
    const { loss, grads } = m.gradients(inputs, targets);
    errors.trainingLoss = relError([loss], p.value(c.loss).data);
    errors.gradients = relErrorAll(
      c.params.map((q) => [gradOf(grads, q.slot), p.grad(q.slot)!.data] as const),
    );

    // Two optimiser steps on each side from the same (current) parameters and state.
    const optimizer = createOptimizer(
      c.doc.training.optimizer,
      c.params.map((q) => ({ param: p.value(q.slot), grad: p.grad(q.slot)! })),
    );
    for (const q of c.params) paramOf(q.slot).set(p.value(q.slot).data);
    for (const [node, values] of Object.entries(m.state ?? {}))
      for (const [name, v] of Object.entries(values)) {
        const id = [...e.names].find(([, n]) => n === node)![0];
        v.set(p.nodes.find((n) => n.id === id)!.ctx.state[name]!.data);
      }
    for (let step = 0; step < 2; step++) {
      m.setRandomSeed?.(p.randomState);
      p.forward();
      p.backward(c.loss);
      if (c.doc.training.clipGradNorm !== undefined)
        clipGradNorm(
          c.params.map((q) => p.grad(q.slot)!),
          c.doc.training.clipGradNorm,
        );
      optimizer.step();
      m.trainStep(inputs, targets);
    }
    errors.trainStep = relErrorAll(c.params.map((q) => [paramOf(q.slot), p.value(q.slot).data] as const));

    t.diagnostic(
      `${e.file}: ${Object.entries(errors)
        .map(([k, v]) => `${k} ${v.toExponential(1)}`)
        .join(', ')}; module ${e.code.length} bytes`,
    );
    for (const [what, err] of Object.entries(errors))
      assert.ok(err <= TOLERANCE, `${e.file}: ${what} differs from the engine by ${err}`);
  });
}
