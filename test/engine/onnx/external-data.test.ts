/**
 * ONNX external data (model.onnx + model.onnx.data: location, offset, length per tensor): import
 * reads it, export writes it above a size threshold, and onnxruntime agrees with both.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { exportOnnx, exportOnnxFiles } from '../../../engine/onnx/export.js';
import { importOnnx, OnnxImportError } from '../../../engine/onnx/import.js';
import { decodeModel, encodeModel } from '../../../engine/onnx/onnx-proto.js';
import { importOnnxFile } from '../../../engine/io/onnx-files.js';
import { maxAbsDiff, referenceModels, runOrt } from './reference-models.js';
import { runEngine } from './engine-run.js';

const ref = referenceModels()[0]!; // the Tanh/ReLU MLP

function withDir<T>(f: (dir: string) => Promise<T> | T): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'onnx-external-'));
  return Promise.resolve(f(dir)).finally(() => rmSync(dir, { recursive: true, force: true }));
}

test('export above the threshold writes <file>.data; onnxruntime and import read the pair back', () =>
  withDir(async (dir) => {
    const { doc, weights } = importOnnx(new Uint8Array(readFileSync(ref.path)));
    const small = exportOnnxFiles(doc, weights, 'mlp.onnx');
    assert.equal(small.data, null, 'a small model keeps its weights inside');
    const files = exportOnnxFiles(doc, weights, 'mlp.onnx', { model: 0, tensor: 64 });
    assert.ok(files.data);
    assert.equal(files.data.location, 'mlp.onnx.data');
    const model = decodeModel(files.model);
    const external = model.graph!.initializer.filter((t) => t.dataLocation === 1);
    assert.ok(external.length >= 3, 'the weight matrices went to the data file');
    assert.ok(external.every((t) => t.rawData === undefined));
    assert.ok(files.model.length < exportOnnx(doc, weights).length);
    const modelPath = join(dir, 'mlp.onnx');
    writeFileSync(modelPath, files.model);
    writeFileSync(join(dir, files.data.location), files.data.bytes);

    const session = await ort.InferenceSession.create(modelPath);
    const feed = {
      [session.inputNames[0]!]: new ort.Tensor('float32', Float32Array.from(ref.input.data), ref.input.shape),
    };
    const got = (await session.run(feed))[session.outputNames[0]!]!;
    const err = maxAbsDiff(Array.from(got.data as Float32Array), ref.output.data);
    assert.ok(err <= 1e-4, `onnxruntime on the external-data export: max error ${err}`);

    const back = importOnnxFile(modelPath);
    assert.deepEqual(back.weights, weights, 'the weights come back from the data file');
    const out = runEngine(back.doc, back.weights, ref.input);
    assert.ok(maxAbsDiff(out.data, ref.output.data) <= 1e-4);
  }));

test('a missing data file, or a location outside the model folder, is refused by name', () =>
  withDir((dir) => {
    const { doc, weights } = importOnnx(new Uint8Array(readFileSync(ref.path)));
    const files = exportOnnxFiles(doc, weights, 'mlp.onnx', { model: 0, tensor: 64 });
    const modelPath = join(dir, 'mlp.onnx');
    writeFileSync(modelPath, files.model);
    assert.throws(
      () => importOnnxFile(modelPath),
      (e: unknown) =>
        e instanceof OnnxImportError &&
        /keeps its data in 'mlp\.onnx\.data' beside the model, which is missing/.test(e.message),
    );
    assert.throws(
      () => importOnnx(files.model),
      (e: unknown) => e instanceof OnnxImportError && /can't be read here/.test(e.message),
    );
    const model = decodeModel(files.model);
    const t = model.graph!.initializer.find((x) => x.dataLocation === 1)!;
    t.externalData = t.externalData.map((e) =>
      e.key === 'location' ? { key: e.key, value: '../secret.bin' } : e,
    );
    assert.throws(
      () => importOnnx(encodeModel(model), { externalData: () => new Uint8Array(1 << 20) }),
      (e: unknown) =>
        e instanceof OnnxImportError && /'\.\.\/secret\.bin' is outside the model's folder/.test(e.message),
    );
    writeFileSync(join(dir, files.data!.location), files.data!.bytes.subarray(0, 100));
    assert.throws(
      () => importOnnxFile(modelPath),
      (e: unknown) => e instanceof OnnxImportError && /lie past the end of 'mlp\.onnx\.data'/.test(e.message),
    );
    // The reference's own output keeps the check honest: runOrt on the embedded model agrees.
    return runOrt(exportOnnx(doc, weights), ref.input).then((o) =>
      assert.ok(maxAbsDiff(o.data, ref.output.data) <= 1e-4),
    );
  }));
