import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  MessageSchema,
  ProtoReader,
  ProtoWriter,
  ProtobufError,
  decodeMessage,
  encodeMessage,
  utf8Decode,
  utf8Encode,
} from '../../../engine/onnx/protobuf.js';

const ints = [0, 1, 127, 128, 300, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 53 - 1];
const negatives = [
  -1,
  -2,
  -127,
  -128,
  -(2 ** 31),
  -(2 ** 31) - 1,
  -(2 ** 32),
  -(2 ** 32) - 5,
  -(2 ** 53 - 1),
];

test('signed varints round-trip, negatives as ten-byte two’s complement', () => {
  for (const v of [...ints, ...negatives]) {
    const w = new ProtoWriter();
    w.int64(v);
    const bytes = w.finish();
    if (v < 0) assert.equal(bytes.length, 10, `${v} takes ten bytes`);
    const r = new ProtoReader(bytes);
    assert.equal(r.int64(), v);
    assert.ok(r.done);
  }
});

test('varints match the protobuf specification’s byte examples', () => {
  const cases: [number, number[]][] = [
    [1, [0x01]],
    [150, [0x96, 0x01]],
    [300, [0xac, 0x02]],
    [-1, [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]],
    [-2, [0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]],
  ];
  for (const [v, expected] of cases) {
    const w = new ProtoWriter();
    w.int64(v);
    assert.deepEqual([...w.finish()], expected, `encoding of ${v}`);
    assert.equal(new ProtoReader(Uint8Array.from(expected)).int64(), v);
  }
});

test('unsigned varints beyond 2^53 are refused rather than rounded', () => {
  const bytes = Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f]);
  assert.throws(() => new ProtoReader(bytes).uint64(), ProtobufError);
});

interface Inner {
  label?: string;
}
interface Sample {
  id?: number;
  score?: number;
  exact?: number;
  flag?: boolean;
  name?: string;
  blob?: Uint8Array;
  values: number[];
  packedValues: number[];
  weights: number[];
  tags: string[];
  inner?: Inner;
  children: Inner[];
}
const innerSchema: MessageSchema<Inner> = { label: { no: 1, type: 'string' } };
const sampleSchema: MessageSchema<Sample> = {
  id: { no: 1, type: 'int64' },
  score: { no: 2, type: 'float' },
  exact: { no: 3, type: 'double' },
  flag: { no: 4, type: 'bool' },
  name: { no: 5, type: 'string' },
  blob: { no: 6, type: 'bytes' },
  values: { no: 7, type: 'int64', repeated: true },
  packedValues: { no: 8, type: 'int64', repeated: true, packed: true },
  weights: { no: 9, type: 'float', repeated: true, packed: true },
  tags: { no: 10, type: 'string', repeated: true },
  inner: { no: 11, type: 'message', schema: () => innerSchema },
  children: { no: 300, type: 'message', repeated: true, schema: () => innerSchema },
};

const sample: Sample = {
  id: -42,
  score: 0.5,
  exact: Math.PI,
  flag: true,
  name: 'größe → ∑ 🙂',
  blob: Uint8Array.from([0, 255, 7]),
  values: [3, -1, 2 ** 40],
  packedValues: [1, 300, -5],
  weights: [0.25, -1.5],
  tags: ['a', ''],
  inner: { label: 'x' },
  children: [{ label: 'c1' }, {}],
};

test('messages round-trip through every field kind, including field numbers above 15', () => {
  const decoded = decodeMessage(sampleSchema, encodeMessage(sampleSchema, sample));
  assert.deepEqual(decoded, { ...sample, children: [{ label: 'c1' }, {}] });
});

test('repeated scalars decode the same packed or unpacked', () => {
  const unpacked: MessageSchema<Sample> = {
    ...sampleSchema,
    packedValues: { no: 8, type: 'int64', repeated: true },
  };
  const bytesPacked = encodeMessage(sampleSchema, sample);
  const bytesUnpacked = encodeMessage(unpacked, sample);
  assert.notEqual(bytesPacked.length, bytesUnpacked.length, 'the two encodings differ on the wire');
  assert.deepEqual(decodeMessage(sampleSchema, bytesUnpacked).packedValues, sample.packedValues);
  assert.deepEqual(decodeMessage(unpacked, bytesPacked).packedValues, sample.packedValues);
});

test('unknown fields are skipped, absent fields are undefined or empty', () => {
  const w = new ProtoWriter();
  w.key(99, 0);
  w.int64(7);
  w.key(98, 1);
  w.double(1);
  w.key(97, 5);
  w.float(1);
  w.bytesField(96, Uint8Array.from([1, 2, 3]));
  w.key(1, 0);
  w.int64(5);
  const decoded = decodeMessage(sampleSchema, w.finish());
  assert.equal(decoded.id, 5);
  assert.equal(decoded.name, undefined);
  assert.deepEqual(decoded.values, []);
});

test('truncated and malformed buffers throw ProtobufError', () => {
  const bytes = encodeMessage(sampleSchema, sample);
  for (const cut of [1, 5, bytes.length - 1]) {
    assert.throws(() => decodeMessage(sampleSchema, bytes.subarray(0, cut)), ProtobufError, `cut at ${cut}`);
  }
  // Field 5 (a string) sent as a varint.
  assert.throws(() => decodeMessage(sampleSchema, Uint8Array.from([0x28, 0x01])), /wire type/);
  // Wire type 3 (groups) is not supported.
  assert.throws(() => decodeMessage(sampleSchema, Uint8Array.from([0x7b])), ProtobufError);
});

test('UTF-8 encodes like the platform and decodes malformed bytes to U+FFFD', () => {
  for (const s of ['', 'plain', 'é', '€', '🙂', 'a\u0000b', 'mixed ∑ 🙂 end']) {
    assert.deepEqual([...utf8Encode(s)], [...Buffer.from(s, 'utf8')]);
    assert.equal(utf8Decode(utf8Encode(s)), s);
  }
  assert.equal(utf8Decode(Uint8Array.from([0x61, 0xff, 0x62])), 'a\ufffdb');
  assert.equal(utf8Decode(Uint8Array.from([0xe2, 0x82])), '\ufffd\ufffd');
});
