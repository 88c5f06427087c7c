/**
 * A big model as it is shipped: torchvision's ResNet-18 (11.7 M parameters, random weights,
 * PyTorch 1.13, opset 13; scripts/export-torchvision-onnx.py) re-saved with its weights in an
 * external data file by onnx.save_model(..., save_as_external_data=True)
 * (scripts/save-external-data.py), both run into a cache folder
 * (test/engine/onnx/torchvision-models.ts). It imports, runs to PyTorch's output, and its weights
 * go to safetensors (not 200 MB of JSON) that load back to the same output; the CLI's import → run
 * round trip and the export back to ONNX with external data agree.
 * (The import and decode times are printed, never asserted: a test never asserts a time, and one
 * that did (under 5 s) failed on a loaded machine. The accuracy of the three torchvision networks
 * is test/engine/onnx/torchvision.test.ts's.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as ort from 'onnxruntime-node';
import { importOnnxFile } from '../../../engine/io/onnx-files.js';
import { analyzeGraph, checkGraphText } from '../../../engine/graph/check.js';
import { serializeGraph } from '../../../engine/graph/serialize.js';
import { decodeWeightsFile, encodeWeightsFile, weightsFormatFor } from '../../../engine/graph/weights.js';
import { exportOnnxFiles } from '../../../engine/onnx/export.js';
import { relativeError } from '../../../engine/tensor/compare.js';
import { runEngine } from './engine-run.js';
import { exported, resnet18WithExternalData } from './torchvision-models.js';

const ROOT = resolve(__dirname, '../../..');
const TOL = 1e-4;

const resnet = exported().manifest.models.find((m) => m.name === 'resnet18')!;
const modelPath = resnet18WithExternalData();

function withDir<T>(f: (d: string) => Promise<T> | T): Promise<T> {
  const d = mkdtempSync(join(tmpdir(), 'bps-resnet-'));
  return Promise.resolve(f(d)).finally(() => rmSync(d, { recursive: true, force: true }));
}

const t0 = performance.now();
const imported = importOnnxFile(modelPath);
const importMs = performance.now() - t0;

test('ResNet-18 with external data (45 MB) imports, checks clean and opens as a document', (t) => {
  assert.ok(statSync(modelPath).size < 100_000, 'the weights are not in the .onnx file');
  assert.ok(statSync(`${modelPath}.data`).size > 45_000_000, 'they are in resnet18.onnx.data');
  t.diagnostic(`import: ${importMs.toFixed(0)} ms, ${imported.doc.nodes.length} nodes`);
  console.log(`ResNet-18 with external data imported in ${importMs.toFixed(0)} ms`);
  const errors = analyzeGraph(imported.doc).diagnostics.filter((d) => d.severity === 'error');
  assert.deepEqual(errors, [], 'the imported document checks clean');
  // What the editor opens: the document's text, parsed back with no errors.
  const reopened = checkGraphText(serializeGraph(imported.doc));
  assert.ok(reopened.doc);
  assert.deepEqual(
    reopened.diagnostics.filter((d) => d.severity === 'error'),
    [],
  );
});

test("ResNet-18 from external data runs to PyTorch's eval output (1e-4 relative)", (t) => {
  const out = runEngine(imported.doc, imported.weights, resnet.input);
  assert.deepEqual(out.shape, resnet.output.shape);
  const err = relativeError(out.data, resnet.output.data);
  t.diagnostic(`relative error vs PyTorch ${err.toExponential(2)}`);
  assert.ok(err <= TOL, `${err}`);
});

test('its 11.7 M weights go to safetensors (46 MB, not 200 MB of JSON) and load back', (t) => {
  let count = 0;
  for (const params of Object.values(imported.weights.weights))
    for (const p of Object.values(params)) count += p.data.length;
  assert.ok(count > 11_000_000, `${count} values`);
  assert.equal(weightsFormatFor(imported.weights), 'safetensors');
  const bytes = encodeWeightsFile(imported.weights, 'safetensors');
  assert.ok(bytes.length < 48_000_000, `${bytes.length} bytes`);
  const t1 = performance.now();
  const back = decodeWeightsFile(bytes);
  const ms = performance.now() - t1;
  t.diagnostic(`safetensors: ${bytes.length} bytes, decoded in ${ms.toFixed(0)} ms`);
  console.log(`ResNet-18 weights (${count} values) decoded from safetensors in ${ms.toFixed(0)} ms`);
  const out = runEngine(imported.doc, back, resnet.input);
  assert.ok(relativeError(out.data, resnet.output.data) <= TOL, 'the decoded weights give the same output');
});

test('CLI: import writes resnet18.weights.safetensors, run finds it beside the graph', () =>
  withDir((d) => {
    const cli = (...args: string[]) =>
      spawnSync(process.execPath, [join(ROOT, 'bin/backprop-studio.js'), ...args], {
        encoding: 'utf8',
        maxBuffer: 1 << 26,
      });
    const graph = join(d, 'resnet18.nngraph.json');
    const imp = cli('import', modelPath, '-o', graph);
    assert.equal(imp.status, 0, imp.stderr);
    assert.deepEqual(readdirSync(d).sort(), ['resnet18.nngraph.json', 'resnet18.weights.safetensors']);
    const input = join(d, 'x.json');
    writeFileSync(input, JSON.stringify(resnet.input));
    const run = cli('run', graph, '--input', input);
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stderr, /using the weights in .*resnet18\.weights\.safetensors/);
    const out = JSON.parse(run.stdout) as { shape: number[]; data: number[] };
    assert.deepEqual(out.shape, resnet.output.shape);
    assert.ok(relativeError(out.data, resnet.output.data) <= TOL);
  }));

test('export back to ONNX puts the weights in resnet18.onnx.data; onnxruntime runs the pair', () =>
  withDir(async (d) => {
    const files = exportOnnxFiles(imported.doc, imported.weights, 'resnet18.onnx');
    assert.ok(files.data, 'over 32 MB of weights go to the data file');
    assert.equal(files.data.location, 'resnet18.onnx.data');
    assert.ok(files.model.length < 100_000);
    writeFileSync(join(d, 'resnet18.onnx'), files.model);
    writeFileSync(join(d, files.data.location), files.data.bytes);
    const session = await ort.InferenceSession.create(join(d, 'resnet18.onnx'));
    // The imported graph's input is flat (a CSV row of 3·64·64 values, reshaped back by its first
    // node), so the exported model takes [N, 12288]: the same values.
    const [n, ...sample] = resnet.input.shape as [number, ...number[]];
    const feed = {
      [session.inputNames[0]!]: new ort.Tensor('float32', Float32Array.from(resnet.input.data), [
        n,
        sample.reduce((a, b) => a * b, 1),
      ]),
    };
    const got = (await session.run(feed))[session.outputNames[0]!]!;
    const err = relativeError(Array.from(got.data as Float32Array), resnet.output.data);
    assert.ok(err <= TOL, `onnxruntime on the exported pair vs PyTorch: ${err}`);
  }));
