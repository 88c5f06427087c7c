/**
 * Held-out real networks (issue #14): torchvision's ResNet-18, MobileNetV2 (width 0.35) and
 * SqueezeNet 1.1 with random weights, exported by PyTorch 1.13 at opset 13 in eval mode
 * (scripts/export-torchvision-onnx.py, run here into a cache folder: the files are about 60 MB).
 * Each imports with no diagnostics, matches PyTorch's eval output (and onnxruntime's) within 1e-4
 * relative, and trains one step: a finite loss whose gradient reaches the first layer, and an SGD
 * step that lowers the loss on the same batch.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { importOnnx } from '../../../engine/onnx/import.js';
import { analyzeGraph } from '../../../engine/graph/check.js';
import { compileGraph } from '../../../engine/graph/compile.js';
import { createOptimizer } from '../../../engine/optim/optimizers.js';
import { relativeError } from '../../../engine/tensor/compare.js';
import { Rng } from '../../../engine/tensor/random.js';
import { runOrt } from './reference-models.js';
import { exported } from './torchvision-models.js';
import { runEngine } from './engine-run.js';

const ROOT = resolve(__dirname, '../../..');
const TOL = 1e-4;

const { dir, manifest } = exported();

test('the export made the three networks', () => {
  assert.match(manifest.generator, /PyTorch 1\.13.*opset 13/);
  assert.deepEqual(
    manifest.models.map((m) => m.name),
    ['resnet18', 'mobilenet_v2_0.35', 'squeezenet1_1'],
  );
});

for (const m of manifest.models) {
  test(`${m.name}: imports, matches PyTorch's eval output within 1e-4, and trains one step`, async (t) => {
    const bytes = new Uint8Array(readFileSync(join(dir, m.file)));
    const { doc, weights } = importOnnx(bytes);
    const problems = analyzeGraph(doc).diagnostics.filter((d) => d.severity === 'error');
    assert.deepEqual(problems, [], 'the imported document checks clean');

    const engine = runEngine(doc, weights, m.input);
    assert.deepEqual(engine.shape, m.output.shape);
    const vsTorch = relativeError(engine.data, m.output.data);
    const ort = await runOrt(bytes, m.input);
    const vsOrt = relativeError(engine.data, ort.data);
    t.diagnostic(
      `${doc.nodes.length} nodes; relative error vs PyTorch ${vsTorch.toExponential(2)}, vs onnxruntime ${vsOrt.toExponential(2)}`,
    );
    assert.ok(vsTorch <= TOL, `engine vs PyTorch: ${vsTorch}`);
    assert.ok(vsOrt <= TOL, `engine vs onnxruntime: ${vsOrt}`);

    // One training step on a batch of 2 with class targets, from the imported weights.
    const compiled = compileGraph(doc, { batchSize: 2, weights });
    const { program } = compiled;
    program.setTraining(true);
    const rng = new Rng(3);
    const x = program.value(compiled.input).data;
    for (let i = 0; i < x.length; i++) x[i] = rng.normal();
    assert.ok(compiled.target !== null, 'the import gives the graph a target');
    const y = program.value(compiled.target).data;
    for (let i = 0; i < y.length; i++) y[i] = rng.int(10);
    program.forward();
    const before = program.value(compiled.loss).data[0]!;
    program.backward(compiled.loss);
    const first = compiled.params[0]!;
    const grad = program.grad(first.slot)!.data;
    assert.ok(Number.isFinite(before), `loss ${before}`);
    assert.ok(
      grad.some((g) => g !== 0) && grad.every(Number.isFinite),
      `the gradient reaches the first layer (${first.node}.${first.name})`,
    );
    createOptimizer(
      { kind: 'sgd', lr: 1e-3 },
      program.params().map((s) => ({ param: program.value(s), grad: program.grad(s)! })),
    ).step();
    program.forward();
    const after = program.value(compiled.loss).data[0]!;
    t.diagnostic(`loss ${before.toFixed(4)} → ${after.toFixed(4)} after one SGD step`);
    assert.ok(after < before, `one step lowers the loss on its batch: ${before} → ${after}`);
  });
}

test('backprop-studio import writes MobileNetV2 as a document that check finds clean', () => {
  const out = mkdtempSync(join(tmpdir(), 'bps-torchvision-'));
  try {
    const graph = join(out, 'mobilenet.nngraph.json');
    const cli = (...args: string[]) =>
      spawnSync(process.execPath, [join(ROOT, 'bin/backprop-studio.js'), ...args], { encoding: 'utf8' });
    const imported = cli('import', join(dir, 'mobilenet_v2_0.35.onnx'), '-o', graph);
    assert.equal(imported.status, 0, imported.stderr);
    const checked = cli('check', graph);
    assert.equal(checked.status, 0, checked.stdout + checked.stderr);
    const doc = JSON.parse(readFileSync(graph, 'utf8')) as {
      nodes: { op: string; attrs: Record<string, unknown> }[];
    };
    // ReLU6 arrives as clip 0..6 and the depthwise convolutions keep their groups.
    assert.ok(doc.nodes.some((n) => n.op === 'clip' && n.attrs.min === 0 && n.attrs.max === 6));
    assert.ok(
      doc.nodes.some((n) => n.op === 'conv2d' && typeof n.attrs.groups === 'number' && n.attrs.groups > 1),
    );
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
