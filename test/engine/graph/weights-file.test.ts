import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  decodeWeightsFile,
  encodeWeightsFile,
  readWeights,
  weightsFormatFor,
  weightsFormatOf,
  WeightsError,
  WEIGHTS_FORMAT,
  WEIGHTS_VERSION,
  type Weights,
} from '../../../engine/graph/weights.js';

const FIXTURES = join(__dirname, 'fixtures');

/** The same weights with every tensor's values as a plain array (safetensors gives typed arrays). */
function plain(w: Weights): Weights {
  const weights: Weights['weights'] = {};
  for (const [node, params] of Object.entries(w.weights))
    for (const [name, t] of Object.entries(params))
      (weights[node] ??= {})[name] = { shape: t.shape, data: Array.from(t.data) };
  return { ...w, weights };
}

function weightsOfSize(n: number): Weights {
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = ((i * 7919) % 1000) / 1000 - 0.5;
  return {
    format: WEIGHTS_FORMAT,
    version: WEIGHTS_VERSION,
    weights: { conv1: { weight: { shape: [n], data } } },
  };
}

test('reads a safetensors file the safetensors library wrote from a PyTorch state_dict', () => {
  // scripts/make-safetensors-fixture.py wrote both files from the same tensors.
  const fromLibrary = decodeWeightsFile(
    new Uint8Array(readFileSync(join(FIXTURES, 'pytorch-state.safetensors'))),
  );
  const expected = readWeights(readFileSync(join(FIXTURES, 'pytorch-state.weights.json'), 'utf8'));
  assert.deepEqual(plain(fromLibrary), expected);
  assert.deepEqual(readWeights(fromLibrary), fromLibrary, 'typed weights pass validation as they are');
  assert.deepEqual(Object.keys(fromLibrary.weights).sort(), ['bn', 'fc1']);
});

test('safetensors and JSON round-trip the same weights; float64 values stay float64', () => {
  const w: Weights = {
    format: WEIGHTS_FORMAT,
    version: WEIGHTS_VERSION,
    weights: {
      fc1: { weight: { shape: [2, 2], data: [0.5, -1.25, 3, 0] }, bias: { shape: [2], data: [0.1, 1e-7] } },
      'block.0': { running_var: { shape: [1], data: [2] } },
    },
  };
  for (const format of ['json', 'safetensors'] as const) {
    const back = decodeWeightsFile(encodeWeightsFile(w, format));
    assert.deepEqual(plain(back), w, format);
  }
  const bytes = encodeWeightsFile(w, 'safetensors');
  const headerLength = new DataView(bytes.buffer).getUint32(0, true);
  assert.equal((8 + headerLength) % 8, 0, 'tensors start 8-byte aligned');
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength))) as Record<
    string,
    { dtype: string }
  >;
  assert.equal(header['fc1.weight']!.dtype, 'F32');
  assert.equal(header['fc1.bias']!.dtype, 'F64', '0.1 is not a float32');
});

test('the file name says the format; big weights get safetensors', () => {
  assert.equal(weightsFormatOf('net.weights.safetensors'), 'safetensors');
  assert.equal(weightsFormatOf('net.weights.json'), 'json');
  assert.equal(weightsFormatFor(weightsOfSize(10)), 'json');
  assert.equal(weightsFormatFor(weightsOfSize(200_000)), 'safetensors');
});

test('a bad safetensors file is refused with the tensor named', () => {
  const good = encodeWeightsFile(weightsOfSize(4), 'safetensors');
  assert.throws(
    () => decodeWeightsFile(good.subarray(0, good.length - 4)),
    (e: unknown) => {
      return e instanceof WeightsError && /conv1\.weight.*data_offsets/.test(e.message);
    },
  );
  const header = new TextEncoder().encode('{"x.w":{"dtype":"BF16","shape":[1],"data_offsets":[0,2]}}');
  const bf16 = new Uint8Array(8 + header.length + 2);
  new DataView(bf16.buffer).setUint32(0, header.length, true);
  bf16.set(header, 8);
  assert.throws(
    () => decodeWeightsFile(bf16),
    (e: unknown) => e instanceof WeightsError && /'x\.w' is "BF16"/.test(e.message),
  );
  assert.throws(() => decodeWeightsFile(new Uint8Array([1, 2, 3])), WeightsError);
});

test('11.7 M parameters (ResNet-18) load from safetensors (the time is printed, not asserted)', () => {
  const w = weightsOfSize(11_689_512);
  const bytes = encodeWeightsFile(w, 'safetensors');
  assert.equal(bytes.length > 46_000_000 && bytes.length < 47_000_000, true, `${bytes.length} bytes`);
  const t0 = performance.now();
  const back = decodeWeightsFile(bytes);
  const ms = performance.now() - t0;
  console.log(`decoded 11,689,512 float32 parameters from safetensors in ${ms.toFixed(0)} ms`);
  assert.equal(back.weights['conv1']!['weight']!.data[12345], w.weights['conv1']!['weight']!.data[12345]);
});
