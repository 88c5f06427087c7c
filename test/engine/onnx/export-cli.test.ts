import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXPORT_ROWS, exportOnnx, OnnxExportError } from '../../../engine/onnx/export.js';
import { importOnnx } from '../../../engine/onnx/import.js';
import { decodeModel } from '../../../engine/onnx/onnx-proto.js';
import { serializeGraph } from '../../../engine/graph/serialize.js';
import { exportCommand, EXPORT_TARGETS } from '../../../engine/cli/commands/export.js';
import { maxAbsDiff, referenceModels, runOrt } from './reference-models.js';
import { captureOutput } from '../cli/capture-output.js';

const ref = referenceModels()[0]!; // the Tanh/ReLU MLP

async function runExport(args: string[]): Promise<{ code: number; stderr: string; stdout: string }> {
  const { code, out, err } = await captureOutput(() => exportCommand.run(args));
  return { code, stderr: err, stdout: out };
}

test('an op without an ONNX row is named, with its node, in the error', () => {
  const { doc, weights } = importOnnx(new Uint8Array(readFileSync(ref.path)));
  const saved = EXPORT_ROWS.tanh;
  EXPORT_ROWS.tanh = null;
  try {
    assert.throws(
      () => exportOnnx(doc, weights),
      (e: unknown) => e instanceof OnnxExportError && /tanh \(node 'tanh_1'\)/.test(e.message),
    );
  } finally {
    EXPORT_ROWS.tanh = saved;
  }
});

test('export writes the inference graph only: no target, no loss, one input and one output', () => {
  const { doc, weights } = importOnnx(new Uint8Array(readFileSync(ref.path)));
  const model = decodeModel(exportOnnx(doc, weights));
  assert.deepEqual(model.opsetImport, [{ domain: '', version: 17 }]);
  const g = model.graph!;
  assert.deepEqual(
    g.node.map((n) => n.opType),
    ['Gemm', 'Tanh', 'Gemm', 'Relu', 'Gemm'],
  );
  assert.deepEqual(
    g.input.map((v) => [v.name, v.type!.tensorType!.shape!.dim.map((d) => d.dimParam ?? d.dimValue)]),
    [['input', ['N', 2]]],
  );
  assert.deepEqual(
    g.output.map((v) => v.name),
    ['output'],
  );
});

test('export CLI: --to onnx with trained weights reproduces the model; bad input is a message and exit 1', async () => {
  assert.ok(EXPORT_TARGETS.some((t) => t.name === 'onnx'));
  const dir = mkdtempSync(join(tmpdir(), 'onnx-export-'));
  try {
    const { doc, weights } = importOnnx(new Uint8Array(readFileSync(ref.path)));
    const graph = join(dir, 'mlp.nngraph.json');
    const weightsPath = join(dir, 'mlp.weights.json');
    writeFileSync(graph, serializeGraph(doc));
    writeFileSync(weightsPath, JSON.stringify(weights));

    const ok = await runExport([graph, '--to', 'onnx', '--weights', weightsPath]);
    assert.equal(ok.code, 0, ok.stderr);
    const out = await runOrt(new Uint8Array(readFileSync(join(dir, 'mlp.onnx'))), ref.input);
    assert.ok(maxAbsDiff(out.data, ref.output.data) <= 1e-5);

    // Without --weights: the initial weights from the seed (a valid model, other numbers).
    const fresh = await runExport([graph, '--to', 'onnx', '-o', join(dir, 'init.onnx')]);
    assert.equal(fresh.code, 0, fresh.stderr);
    const init = await runOrt(new Uint8Array(readFileSync(join(dir, 'init.onnx'))), ref.input);
    assert.ok(maxAbsDiff(init.data, ref.output.data) > 1e-3);

    writeFileSync(join(dir, 'bad.weights.json'), JSON.stringify({ format: 'something else' }));
    const bad = await runExport([
      graph,
      '--to',
      'onnx',
      '--weights',
      join(dir, 'bad.weights.json'),
      '-o',
      join(dir, 'x.onnx'),
    ]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /bad\.weights\.json.*format/);
    assert.ok(!existsSync(join(dir, 'x.onnx')));

    const missing = await runExport([join(dir, 'nope.nngraph.json'), '--to', 'onnx']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /nope\.nngraph\.json: no such file/);

    await assert.rejects(
      () => runExport([graph, '--to', 'pdf']),
      /unknown target 'pdf'; the targets are onnx/,
    );
    await assert.rejects(() => runExport([graph]), /--to is required/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
