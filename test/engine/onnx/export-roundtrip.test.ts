/**
 * Export and the round trip, for every example graph and every imported model (reference, fixtures):
 * graph → ONNX (onnxruntime loads it and computes what the engine computes) → import → the same
 * graph outputs again. Examples whose ops ONNX can't express must fail export naming those ops.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { exportOnnx, OnnxExportError, unexportableOps } from '../../../engine/onnx/export.js';
import { importOnnx } from '../../../engine/onnx/import.js';
import { parseGraph } from '../../../engine/graph/parse.js';
import { compileGraph } from '../../../engine/graph/compile.js';
import { readWeights, weightsOf, type Weights } from '../../../engine/graph/weights.js';
import type { GraphDoc } from '../../../engine/graph/document.js';
import { Rng } from '../../../engine/tensor/random.js';
import { maxAbsDiff, referenceModels, runOrt, type StoredTensor } from './reference-models.js';
import { runEngine } from './engine-run.js';
import { fixtures } from './fixtures.js';
import { encodeModel } from '../../../engine/onnx/onnx-proto.js';

const TOL = 1e-4;
const EXAMPLES = resolve(__dirname, '../../../examples');

interface Case {
  name: string;
  /** Loads the graph inside its own test, so that one broken case fails alone. */
  load(): { doc: GraphDoc; weights: Weights };
}

function exampleCases(): Case[] {
  if (!existsSync(EXAMPLES)) return [];
  return readdirSync(EXAMPLES)
    .filter((f) => f.endsWith('.nngraph.json'))
    .sort()
    .map((f) => ({
      name: `examples/${f}`,
      load: () => {
        const { doc, diagnostics } = parseGraph(readFileSync(join(EXAMPLES, f), 'utf8'));
        assert.ok(doc, `${f}: ${diagnostics.map((d) => d.message).join('; ')}`);
        // The example's own weights where it ships them, else the initial weights from its seed.
        const beside = join(EXAMPLES, f.replace(/\.nngraph\.json$/, '.weights.json'));
        const given = existsSync(beside) ? readWeights(readFileSync(beside, 'utf8')) : undefined;
        return {
          doc,
          weights: weightsOf(compileGraph(doc, { batchSize: 1, ...(given ? { weights: given } : {}) })),
        };
      },
    }));
}

function referenceCases(): Case[] {
  return referenceModels().map((r) => ({
    name: `imported ${r.file}`,
    load: () => importOnnx(new Uint8Array(readFileSync(r.path))),
  }));
}

/** A batch of random inputs of the graph's input shape; by input node id where it has several. */
function randomInput(
  doc: GraphDoc,
  batch: number,
  seed: number,
): StoredTensor | Record<string, StoredTensor> {
  const compiled = compileGraph(doc, { batchSize: batch });
  const rng = new Rng(seed);
  const integer = integerInputs(doc);
  const draw = (slot: number, node: string): StoredTensor => {
    const shape = compiled.program.value(slot).shape.slice();
    // Whole numbers for an integer input: rows 0 and 1 of any table it indexes.
    const value = integer.has(node) ? () => rng.int(2) : () => rng.uniform(-1.5, 1.5);
    return { shape, data: Array.from({ length: shape.reduce((a, b) => a * b, 1) }, value) };
  };
  if (compiled.inputs.length === 1) return draw(compiled.input, compiled.inputs[0]!.node);
  return Object.fromEntries(compiled.inputs.map((i) => [i.node, draw(i.slot, i.node)]));
}

/** The ids of the graph's integer inputs (dtype int: int64 in ONNX). */
function integerInputs(doc: GraphDoc): Set<string> {
  return new Set(doc.nodes.filter((n) => n.op === 'input' && n.attrs['dtype'] === 'int').map((n) => n.id));
}

/** The ONNX names of the integer inputs: the one input is `input`, several keep their ids. */
function integerOnnxNames(doc: GraphDoc): Set<string> {
  const inputs = doc.nodes.filter((n) => n.op === 'input');
  const integer = integerInputs(doc);
  return new Set(inputs.filter((n) => integer.has(n.id)).map((n) => (inputs.length === 1 ? 'input' : n.id)));
}

/** The networks PyTorch exported for the import tests (scripts/make-import-fixtures.py), imported. */
function pytorchCases(): Case[] {
  const dir = join(__dirname, 'pytorch');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.onnx'))
    .sort()
    .map((f) => ({
      name: `imported pytorch/${f}`,
      load: () => importOnnx(new Uint8Array(readFileSync(join(dir, f)))),
    }));
}

/** The hand-built opset-18 fixtures, imported: they reach ops the examples may not use. */
function fixtureCases(): Case[] {
  return fixtures().map((f) => ({
    name: `imported ${f.name}`,
    load: () => importOnnx(encodeModel(f.model)),
  }));
}

const cases = [...exampleCases(), ...referenceCases(), ...fixtureCases(), ...pytorchCases()];

test('there are graphs to export (examples and imported reference models)', () => {
  assert.ok(cases.length >= 3);
});

for (const c of cases) {
  test(`${c.name}: exports to ONNX that runs in onnxruntime like the engine and imports back to the same outputs`, async (t) => {
    const { doc, weights } = c.load();
    const blocked = unexportableOps(doc);
    if (blocked.length > 0) {
      // Not expressible in ONNX: the error names every such op and its node.
      assert.throws(
        () => exportOnnx(doc, weights),
        (e: unknown) => e instanceof OnnxExportError && blocked.every((b) => e.message.includes(b)),
      );
      return;
    }
    const bytes = exportOnnx(doc, weights);
    const input = randomInput(doc, 3, 7);
    const engine = runEngine(doc, weights, input);
    const ort = await runOrt(bytes, input, integerOnnxNames(doc));
    assert.deepEqual(ort.shape, engine.shape);
    const back = importOnnx(bytes);
    const again = runEngine(back.doc, back.weights, input);
    const vsOrt = maxAbsDiff(ort.data, engine.data);
    const trip = maxAbsDiff(again.data, engine.data);
    const tripOrt = maxAbsDiff(again.data, ort.data);
    t.diagnostic(
      `max |engine - onnxruntime| ${vsOrt.toExponential(2)}; after the round trip: vs engine ${trip.toExponential(2)}, vs onnxruntime ${tripOrt.toExponential(2)}`,
    );
    assert.ok(vsOrt <= TOL, `engine vs onnxruntime: ${vsOrt}`);
    assert.ok(trip <= TOL, `round trip: ${trip}`);
    assert.ok(tripOrt <= TOL, `round trip vs onnxruntime: ${tripOrt}`);
    // Ids survive the trip (export names nodes /<id>/<Op>).
    const ids = (d: GraphDoc) =>
      d.nodes.filter((n) => n.op !== 'target' && !/loss/.test(n.op)).map((n) => n.id);
    const exported = new Set(ids(doc));
    for (const id of ids(back.doc))
      if (id !== 'input') assert.ok(exported.has(id), `id '${id}' comes from the graph`);
  });
}
