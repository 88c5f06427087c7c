/**
 * ONNX's own backend test data (Debian's libonnx-testdata, /usr/share/libonnx-testdata/data):
 * every case is a folder with model.onnx and test_data_set_N/{input_K,output_K}.pb. A case
 * runs through import and one forward pass of the engine and ends as exactly one of
 * - match: every output of every data set within |got − want| ≤ 1e-4 + 1e-3·|want|;
 * - refused: the importer (or the compiler) said why, naming the node and the op;
 * - mismatch or crash: a bug (the suite's test fails on any).
 * The .pb files are read with the project's own protobuf codec.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { importOnnx, OnnxImportError } from '../../../engine/onnx/import.js';
import { decodeModel, decodeTensor } from '../../../engine/onnx/onnx-proto.js';
import { readTensor } from '../../../engine/onnx/tensor-data.js';
import { compileGraph } from '../../../engine/graph/compile.js';
import { GraphError } from '../../../engine/graph/graph-error.js';

export const SUITE_DIR = '/usr/share/libonnx-testdata/data';
export const PYTORCH_FOLDERS = ['pytorch-converted', 'pytorch-operator', 'simple'] as const;

export type Outcome =
  | { status: 'match'; maxErr: number }
  | { status: 'refused'; reason: string }
  | { status: 'mismatch'; reason: string }
  | { status: 'crash'; reason: string };

export interface SuiteCase {
  folder: string;
  name: string;
  dir: string;
}

export function suiteCases(folder: string): SuiteCase[] {
  const root = join(SUITE_DIR, folder);
  return readdirSync(root)
    .sort()
    .filter((name) => existsSync(join(root, name, 'model.onnx')))
    .map((name) => ({ folder, name, dir: join(root, name) }));
}

/** The op types of a model's main graph (what decides whether a node test is of a supported op). */
export function modelOpTypes(dir: string): string[] {
  const model = decodeModel(new Uint8Array(readFileSync(join(dir, 'model.onnx'))));
  return [...new Set((model.graph?.node ?? []).map((n) => n.opType ?? ''))];
}

interface DataSet {
  inputs: { shape: number[]; data: Float64Array }[];
  outputs: { shape: number[]; data: Float64Array }[];
}

function readPb(path: string): { shape: number[]; data: Float64Array } {
  const t = readTensor(decodeTensor(new Uint8Array(readFileSync(path))));
  return { shape: t.dims, data: t.data };
}

function dataSets(dir: string): DataSet[] {
  return readdirSync(dir)
    .filter((d) => d.startsWith('test_data_set_'))
    .sort()
    .map((d) => {
      const files = readdirSync(join(dir, d)).sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
      const read = (prefix: string) =>
        files.filter((f) => f.startsWith(prefix) && f.endsWith('.pb')).map((f) => readPb(join(dir, d, f)));
      return { inputs: read('input_'), outputs: read('output_') };
    });
}

const TOLERANCE = (want: number) => 1e-4 + 1e-3 * Math.abs(want);

/** Imports one case and runs every data set through the engine. */
export function runCase(c: SuiteCase): Outcome {
  let imported;
  try {
    imported = importOnnx(new Uint8Array(readFileSync(join(c.dir, 'model.onnx'))));
  } catch (e) {
    if (e instanceof OnnxImportError) return { status: 'refused', reason: e.message };
    return { status: 'crash', reason: `import threw ${(e as Error).stack ?? String(e)}` };
  }
  let sets: DataSet[];
  try {
    sets = dataSets(c.dir);
  } catch (e) {
    return { status: 'crash', reason: `reading the test data: ${(e as Error).message}` };
  }
  let maxErr = 0;
  for (const [k, set] of sets.entries()) {
    // The model's inputs became the graph's input nodes, in the same order.
    const inputIds = imported.doc.nodes.filter((n) => n.op === 'input').map((n) => n.id);
    if (set.inputs.length !== inputIds.length || set.outputs.length !== 1)
      return {
        status: 'mismatch',
        reason: `data set ${k} has ${set.inputs.length} inputs and ${set.outputs.length} outputs, the import took ${inputIds.length} and one`,
      };
    const input = set.inputs[0]!;
    const want = set.outputs[0]!;
    let got: { shape: number[]; data: Float64Array };
    try {
      const compiled = compileGraph(imported.doc, {
        batchSize: imported.batchAxisAdded ? 1 : (input.shape[0] ?? 1),
        dtype: 'float64',
        inference: true,
        weights: imported.weights,
      });
      const program = compiled.program;
      program.setTraining(false);
      for (const { node, slot } of compiled.inputs) {
        const given = set.inputs[inputIds.indexOf(node)]!;
        const x = program.value(slot);
        if (x.data.length !== given.data.length)
          return {
            status: 'mismatch',
            reason: `data set ${k}: input '${node}' has shape [${given.shape.join(', ')}], the imported input [${x.shape.join(', ')}]`,
          };
        x.data.set(given.data);
      }
      program.forward(compiled.prediction);
      const out = program.value(compiled.prediction);
      got = { shape: out.shape.slice(), data: Float64Array.from(out.data) };
    } catch (e) {
      if (e instanceof GraphError)
        return {
          status: 'refused',
          reason: `compile: ${e.diagnostics.map((d) => `${d.node ? `node '${d.node}': ` : ''}${d.message}`).join('; ')}`,
        };
      return { status: 'crash', reason: `run threw ${(e as Error).stack ?? String(e)}` };
    }
    // A model without a batch axis was imported as one sample of a batch: its output gained one.
    const wantShape = imported.batchAxisAdded || !want.shape.length ? [1, ...want.shape] : want.shape;
    if (got.data.length !== want.data.length || got.shape.join() !== wantShape.join())
      return {
        status: 'mismatch',
        reason: `data set ${k}: output shape [${got.shape.join(', ')}], expected [${want.shape.join(', ')}]`,
      };
    for (let i = 0; i < want.data.length; i++) {
      const [g, w] = [got.data[i]!, want.data[i]!];
      if (Number.isNaN(w) && Number.isNaN(g)) continue;
      const err = g === w ? 0 : Math.abs(g - w);
      if (!(err <= TOLERANCE(w)))
        return {
          status: 'mismatch',
          reason: `data set ${k}: element ${i} is ${got.data[i]}, expected ${want.data[i]}`,
        };
      maxErr = Math.max(maxErr, err);
    }
  }
  return { status: 'match', maxErr };
}
