import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inflateSync } from 'node:zlib';
import { Tensor } from '../../../engine/tensor/tensor.js';
import { boundaryGrid, CLASS_COLOURS, dataBounds, renderBoundary } from '../../../engine/plot/boundary.js';
import { encodePng } from '../../../engine/io/png.js';

/** Class 1 right of x = 0 (two logits), confident away from the line. */
const rightIsOne = (x: Tensor) => {
  const out = Tensor.zeros([x.shape[0]!, 2], 'float64');
  for (let i = 0; i < x.shape[0]!; i++) out.data[2 * i + 1] = 4 * x.data[2 * i]!;
  return out;
};

test('dataBounds is a square around the points with a margin', () => {
  const b = dataBounds(Tensor.from([2, 2], [0, 0, 2, 1], 'float64'), 0.1);
  assert.ok(Math.abs(b.x1 - b.x0 - 2.2) < 1e-12 && Math.abs(b.y1 - b.y0 - 2.2) < 1e-12);
  assert.ok(Math.abs((b.y0 + b.y1) / 2 - 0.5) < 1e-12);
});

test('boundaryGrid classifies cell centres, top row first, with softmax confidence', () => {
  const g = boundaryGrid(rightIsOne, { x0: -1, x1: 1, y0: -1, y1: 1 }, 4, 2);
  assert.deepEqual([...g.cls], [0, 0, 1, 1, 0, 0, 1, 1]);
  const p = 1 / (1 + Math.exp(-4 * 0.75));
  assert.ok(Math.abs(g.confidence[0]! - p) < 1e-6);
  const one = boundaryGrid(
    (x) =>
      Tensor.from(
        [x.shape[0]!],
        [...x.data].filter((_, i) => i % 2 === 0),
        'float64',
      ),
    g.bounds,
    2,
    1,
  );
  assert.deepEqual([...one.cls], [0, 1]);
});

test('the picture has pale class regions and points drawn in full colour', () => {
  const g = boundaryGrid(rightIsOne, { x0: -1, x1: 1, y0: -1, y1: 1 }, 8, 8);
  const img = renderBoundary(
    g,
    { x: Tensor.from([1, 2], [0.5, 0.5], 'float64'), y: Tensor.from([1], [1], 'float64') },
    40,
  );
  const px = (x: number, y: number) => [...img.data.subarray((y * 40 + x) * 4, (y * 40 + x) * 4 + 3)];
  assert.deepEqual(px(30, 10), [...CLASS_COLOURS[1]!], 'the point at (0.5, 0.5) is at pixel (30, 10)');
  const left = px(2, 38);
  assert.ok(left[2]! > left[0]!, 'the left half is tinted blue (class 0)');
  assert.ok(
    left.every((v) => v > 150),
    'regions are pale',
  );
});

test('encodePng writes a valid PNG whose pixels inflate back', () => {
  const img = { width: 3, height: 2, data: Uint8Array.from({ length: 24 }, (_, i) => i * 10) };
  const png = encodePng(img);
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  assert.equal(png.toString('ascii', 12, 16), 'IHDR');
  assert.equal(png.readUInt32BE(16), 3);
  assert.equal(png.readUInt32BE(20), 2);
  const idatLen = png.readUInt32BE(33);
  assert.equal(png.toString('ascii', 37, 41), 'IDAT');
  const raw = inflateSync(png.subarray(41, 41 + idatLen));
  assert.deepEqual([...raw], [0, ...img.data.subarray(0, 12), 0, ...img.data.subarray(12)]);
  assert.equal(png.toString('ascii', png.length - 8, png.length - 4), 'IEND');
  assert.equal(png.readUInt32BE(png.length - 4), 0xae426082, 'the standard CRC of an empty IEND chunk');
});
