import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { decodeModel, encodeModel, DataType } from '../../../engine/onnx/onnx-proto.js';
import { readTensor, floatTensor, int64Tensor } from '../../../engine/onnx/tensor-data.js';
import { emptyTensorFields } from '../../../engine/onnx/tensor-data.js';
import { maxAbsDiff, referenceModels, runOrt } from './reference-models.js';

const expectedOps: Record<string, string[]> = {
  'mlp_tanh_relu.onnx': ['Gemm', 'Tanh', 'Gemm', 'Relu', 'Gemm'],
  'cnn_small.onnx': ['Conv', 'Relu', 'MaxPool', 'Flatten', 'Gemm', 'Softmax'],
};

for (const ref of referenceModels()) {
  test(`${ref.file}: decodes to the exported graph`, () => {
    const model = decodeModel(new Uint8Array(readFileSync(ref.path)));
    assert.equal(model.producerName, 'pytorch');
    assert.deepEqual(
      model.opsetImport.map((o) => [o.domain ?? '', o.version]),
      [['', 17]],
    );
    const g = model.graph!;
    assert.equal(g.input[0]!.name, ref.inputName);
    assert.deepEqual(
      g.input[0]!.type!.tensorType!.shape!.dim.map((d) => d.dimValue),
      ref.input.shape,
    );
    if (expectedOps[ref.file])
      assert.deepEqual(
        g.node.map((n) => n.opType),
        expectedOps[ref.file],
      );
    for (const init of g.initializer) {
      const t = readTensor(init);
      assert.equal(
        t.data.length,
        t.dims.reduce((a, b) => a * b, 1),
        init.name,
      );
      assert.ok(t.data.every(Number.isFinite), `${init.name} values are finite`);
    }
  });

  test(`${ref.file}: re-encoded, it still runs in onnxruntime with the same outputs`, async () => {
    const bytes = encodeModel(decodeModel(new Uint8Array(readFileSync(ref.path))));
    const out = await runOrt(bytes, ref.input);
    assert.deepEqual(out.shape, ref.output.shape);
    assert.ok(maxAbsDiff(out.data, ref.output.data) <= 1e-6);
  });
}

test('tensor values read the same from raw_data and from the typed fields', () => {
  const floats = [1.5, -2.25, 2 ** -15, 0]; // exact in float32
  const int64s = [0, -1, 7, -(2 ** 40), 2 ** 50];
  const cases = [
    {
      raw: floatTensor('f', [2, 2], floats),
      typed: { floatData: floats },
      dataType: DataType.FLOAT,
      values: floats,
    },
    {
      raw: int64Tensor('i', [5], int64s),
      typed: { int64Data: int64s },
      dataType: DataType.INT64,
      values: int64s,
    },
  ];
  for (const c of cases) {
    const fromRaw = readTensor(c.raw);
    const typedProto = {
      ...emptyTensorFields(),
      name: 't',
      dims: c.raw.dims,
      dataType: c.dataType,
      ...c.typed,
    };
    const fromTyped = readTensor(typedProto);
    assert.deepEqual([...fromRaw.data], c.values);
    assert.deepEqual([...fromTyped.data], c.values);
  }
  const doubles = {
    ...emptyTensorFields(),
    dims: [2],
    dataType: DataType.DOUBLE,
    doubleData: [Math.PI, -Math.E],
  };
  assert.deepEqual([...readTensor(doubles).data], [Math.PI, -Math.E]);
});

test('tensors with external data but no reader, or a wrong byte count, are refused with their name', () => {
  const ext = { ...floatTensor('w', [1], [1]), externalData: [{ key: 'location', value: 'w.bin' }] };
  assert.throws(
    () => readTensor(ext),
    /'w' keeps its data in 'w\.bin' beside the model, which can't be read here/,
  );
  assert.deepEqual(
    Array.from(readTensor(ext, (loc) => (loc === 'w.bin' ? ext.rawData : undefined)).data),
    [1],
  );
  const short = { ...floatTensor('b', [3], [1, 2, 3]) };
  short.rawData = short.rawData!.subarray(0, 8);
  assert.throws(() => readTensor(short), /'b': raw_data has 8 bytes, expected 12/);
});
