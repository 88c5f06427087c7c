import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { gemm, gemmBatch, GemmLayout, setGemmBackend, wasmGemm } from '../../../engine/kernels/gemm.js';
import { gemmTs, gemmDirect } from '../../../engine/kernels/gemm-ts.js';
import { decodeBase64 } from '../../../engine/kernels/wasm/base64.js';
import {
  col2imAdd,
  convRows,
  im2col,
  nchwToRows,
  rowsToCols,
  rowsToNchw,
  weightGrad,
  type ConvGeometry,
} from '../../../engine/kernels/im2col.js';
import { colsRows, colsWidth } from '../../../engine/ops/window.js';
import { Rng } from '../../../engine/tensor/random.js';
import type { Data } from '../../../engine/tensor/tensor.js';

const root = resolve(__dirname, '../../..');
const LAYOUTS: GemmLayout[] = ['nn', 'tn', 'nt'];

/** The definition, in float64 with explicit indexing: the oracle every kernel is held to. */
function reference(layout: GemmLayout, m: number, n: number, k: number, a: Data, b: Data, c0: Data | null) {
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let s = c0 ? c0[i * n + j]! : 0;
      for (let p = 0; p < k; p++) {
        const av = layout === 'tn' ? a[p * m + i]! : a[i * k + p]!;
        const bv = layout === 'nt' ? b[j * k + p]! : b[p * n + j]!;
        s += av * bv;
      }
      out[i * n + j] = s;
    }
  return out;
}

function randomData(rng: Rng, size: number, f32: boolean): Data {
  const d = f32 ? new Float32Array(size) : new Float64Array(size);
  for (let i = 0; i < size; i++) d[i] = rng.next() * 2 - 1;
  return d;
}

/** Worst |x - y| relative to the sum of |terms| a product entry is made of (k for unit inputs). */
function maxError(got: Data, want: Float64Array, k: number): number {
  let e = 0;
  for (let i = 0; i < want.length; i++) e = Math.max(e, Math.abs(got[i]! - want[i]!) / k);
  return e;
}

// Ragged edges on every side of the 4×4 and 4×8 register tiles, tiny and backward-sized shapes.
const SHAPES: [number, number, number][] = [
  [1, 1, 1],
  [3, 5, 2],
  [4, 8, 16],
  [5, 9, 7],
  [32, 16, 2],
  [32, 1, 16],
  [17, 33, 65],
  [64, 10, 100],
  [37, 70, 129],
];

type Kernel = (
  layout: GemmLayout,
  m: number,
  n: number,
  k: number,
  a: Data,
  b: Data,
  c: Data,
  acc: boolean,
) => void;
const kernels: [string, Kernel, boolean][] = [
  ['direct loops f64', (l, m, n, k, a, b, c, acc) => gemmDirect(l, m, n, k, a, 0, b, 0, c, 0, acc), false],
  ['packed TypeScript f64', (l, m, n, k, a, b, c, acc) => gemmTs(l, m, n, k, a, 0, b, 0, c, 0, acc), false],
  ['packed TypeScript f32', (l, m, n, k, a, b, c, acc) => gemmTs(l, m, n, k, a, 0, b, 0, c, 0, acc), true],
  [
    'dispatch (wasm when available) f32',
    (l, m, n, k, a, b, c, acc) => gemm(l, m, n, k, a, 0, b, 0, c, 0, acc),
    true,
  ],
];

for (const [name, kernel, f32] of kernels) {
  test(`gemm ${name}: every layout and ragged shape matches the definition, overwrite and accumulate`, () => {
    const rng = new Rng(7);
    const tol = f32 ? 1e-6 : 1e-14;
    for (const [m, n, k] of SHAPES)
      for (const layout of LAYOUTS)
        for (const acc of [false, true]) {
          const a = randomData(rng, m * k, f32);
          const b = randomData(rng, k * n, f32);
          const c = randomData(rng, m * n, f32);
          const want = reference(layout, m, n, k, a, b, acc ? c : null);
          kernel(layout, m, n, k, a, b, c, acc);
          const err = maxError(c, want, k);
          assert.ok(err <= tol, `${layout} ${m}x${n}x${k} acc=${acc}: error ${err} > ${tol}`);
        }
  });
}

test('gemm honours element offsets into larger buffers (per-sample slices of a batch)', () => {
  const rng = new Rng(3);
  const [m, n, k] = [6, 10, 12];
  for (const f32 of [true, false])
    for (const layout of LAYOUTS) {
      const a = randomData(rng, m * k + 5, f32);
      const b = randomData(rng, k * n + 3, f32);
      const c = randomData(rng, m * n + 7, f32);
      const before = c.slice();
      gemm(layout, m, n, k, a, 5, b, 3, c, 7, false);
      const want = reference(layout, m, n, k, a.subarray(5), b.subarray(3), null);
      assert.ok(maxError(c.subarray(7), want, k) <= 1e-6, `${layout} f32=${f32}`);
      assert.deepEqual(Array.from(c.subarray(0, 7)), Array.from(before.subarray(0, 7)), 'prefix untouched');
    }
});

test('WebAssembly SIMD kernel agrees with the TypeScript kernel on random shapes in every layout', () => {
  const w = wasmGemm();
  assert.ok(w, 'Node 20 supports WebAssembly SIMD, so the module must load');
  const rng = new Rng(11);
  for (let trial = 0; trial < 40; trial++) {
    const m = 1 + Math.floor(rng.next() * 70);
    const n = 1 + Math.floor(rng.next() * 70);
    const k = 1 + Math.floor(rng.next() * 150);
    const layout = LAYOUTS[trial % 3]!;
    const acc = trial % 2 === 0;
    const a = randomData(rng, m * k, true) as Float32Array;
    const b = randomData(rng, k * n, true) as Float32Array;
    const c = randomData(rng, m * n, true) as Float32Array;
    const cTs = c.slice();
    w.gemm(layout, m, n, k, a, 0, b, 0, c, 0, acc);
    gemmTs(layout, m, n, k, a, 0, b, 0, cTs, 0, acc);
    const err = maxError(c, Float64Array.from(cTs), k);
    assert.ok(err <= 1e-6, `${layout} ${m}x${n}x${k}: wasm vs ts ${err}`);
  }
});

test('batched products (one WebAssembly trip) match the definition per slice, with repeated slices accumulating', () => {
  const rng = new Rng(19);
  const int = (below: number) => Math.floor(rng.next() * below);
  for (let trial = 0; trial < 40; trial++) {
    const [m, n, k] = [1 + int(20), 1 + int(20), 1 + int(20)];
    const count = 1 + int(40);
    const layout = LAYOUTS[trial % 3]!;
    // Broadcast operands (every product reads slice 0) or one slice per product in reversed
    // order; a shared output slice only where products accumulate (a broadcast operand's gradient).
    const aSlices = trial % 4 === 1 ? 1 : count;
    const bSlices = trial % 4 === 2 ? 1 : count;
    const cSlices = trial % 4 === 3 ? 1 : count;
    const acc = cSlices === 1 || trial % 2 === 0;
    // cAt null means product i lands at i·m·n.
    const inOrder = cSlices > 1 && trial % 5 === 0;
    const at = (slices: number, size: number, reversed = true) =>
      Int32Array.from({ length: count }, (_, i) =>
        slices === 1 ? 0 : (reversed ? count - 1 - i : i) * size,
      );
    const [aAt, bAt, cAt] = [at(aSlices, m * k), at(bSlices, k * n), at(cSlices, m * n, !inOrder)];
    for (const f32 of [true, false]) {
      const a = randomData(rng, aSlices * m * k, f32);
      const b = randomData(rng, bSlices * k * n, f32);
      const c = randomData(rng, cSlices * m * n, f32);
      const want = Float64Array.from(c);
      for (let i = 0; i < count; i++) {
        const prior = acc ? want.subarray(cAt[i]!) : null;
        want.set(reference(layout, m, n, k, a.subarray(aAt[i]!), b.subarray(bAt[i]!), prior), cAt[i]!);
      }
      gemmBatch(layout, m, n, k, count, a, aAt, b, bAt, c, inOrder ? null : cAt, acc);
      const where = `${layout} ${count}×${m}x${n}x${k} slices ${aSlices}/${bSlices}/${cSlices} acc=${acc} f32=${f32}`;
      assert.ok(maxError(c, want, k * (cSlices === 1 ? count : 1)) <= 1e-6, where);
    }
  }
});

test('forcing the TypeScript backend gives the same product as the default dispatch', () => {
  const rng = new Rng(5);
  const [m, n, k] = [40, 24, 50];
  const a = randomData(rng, m * k, true);
  const b = randomData(rng, k * n, true);
  const viaAuto = new Float32Array(m * n);
  const viaTs = new Float32Array(m * n);
  gemm('nn', m, n, k, a, 0, b, 0, viaAuto, 0, false);
  setGemmBackend('ts');
  try {
    gemm('nn', m, n, k, a, 0, b, 0, viaTs, 0, false);
  } finally {
    setGemmBackend('auto');
  }
  assert.ok(maxError(viaAuto, Float64Array.from(viaTs), k) <= 1e-6);
});

test('base64 decoder round-trips every byte value', () => {
  const bytes = Uint8Array.from({ length: 256 * 3 + 1 }, (_, i) => (i * 37) & 0xff);
  const text = Buffer.from(bytes).toString('base64');
  assert.deepEqual(decodeBase64(text), bytes);
  assert.throws(() => decodeBase64('ab$d'), /invalid character at 2/);
});

test('the committed WebAssembly module is built from the current AssemblyScript source', () => {
  const out = execFileSync(process.execPath, ['scripts/build-wasm.mjs', '--check'], {
    cwd: root,
    encoding: 'utf8',
  });
  assert.match(out, /up to date/);
});

/** <im2col(x), c> = <x, col2imAdd(c)>, given cols = im2col(x). */
function assertAdjoint(d: ConvGeometry, x: Data, cols: Data, c: Data): void {
  const back = new Float64Array(x.length);
  col2imAdd(d, c, back);
  let lhs = 0,
    rhs = 0;
  for (let i = 0; i < c.length; i++) lhs += cols[i]! * c[i]!;
  for (let i = 0; i < x.length; i++) rhs += x[i]! * back[i]!;
  assert.ok(Math.abs(lhs - rhs) < 1e-12 * Math.max(1, Math.abs(lhs)), `${lhs} vs ${rhs}`);
}

test('im2col and col2imAdd are adjoint: <im2col(x), c> = <x, col2im(c)> with groups, stride, dilation and padding', () => {
  const rng = new Rng(9);
  // 2 groups of 2 channels, a 3×2 kernel dilated 2 along the width, stride 2×1, padding 1.
  const d = {
    n: 2,
    c: 4,
    h: 5,
    w: 6,
    kh: 3,
    kw: 2,
    sh: 2,
    sw: 1,
    dh: 1,
    dw: 2,
    pt: 1,
    pl: 1,
    oh: 3,
    ow: 6,
    groups: 2,
  };
  const pixels = colsRows(d);
  const width = colsWidth(d);
  const x = randomData(rng, d.n * d.c * d.h * d.w, false);
  const c = randomData(rng, d.groups * pixels * width, false);
  const cols = new Float64Array(c.length);
  im2col(d, x, cols);
  assertAdjoint(d, x, cols, c);
  // The window of output pixel (b=1, i=0, j=2) starts at row -1 (padding), column 1.
  const row = (1 * d.oh + 0) * d.ow + 2;
  assert.equal(cols[row * width + 0], 0, 'padding reads as zero');
  assert.equal(cols[row * width + 1 * d.kw + 0], x[((1 * d.c + 0) * d.h + 0) * d.w + 1]);
  assert.equal(cols[row * width + 1 * d.kw + 1], x[((1 * d.c + 0) * d.h + 0) * d.w + 3], 'dilated tap');
  // The second group's matrix follows the first and reads channels 2 and 3.
  assert.equal(cols[(pixels + row) * width + 1 * d.kw + 0], x[((1 * d.c + 2) * d.h + 0) * d.w + 1]);
});

test('im2col of a volume (conv3d) is its definition, and col2imAdd its adjoint, with depth padding on both sides, stride and dilation', () => {
  const rng = new Rng(11);
  // 2 groups of 2 channels; depth 5, kernel 3, stride 2, 2 zeros in front and 2 behind: output
  // depth 4, whose windows run past both ends of the depth (the last one's reads z 4, 5, 6).
  // Height: kernel 2 dilated 2; width: kernel 3, stride 2.
  const d = {
    n: 2,
    c: 4,
    h: 4,
    w: 5,
    kh: 2,
    kw: 3,
    sh: 1,
    sw: 2,
    dh: 2,
    dw: 1,
    pt: 1,
    pl: 0,
    oh: 3,
    ow: 2,
    groups: 2,
    depth: 5,
    kd: 3,
    sd: 2,
    dd: 1,
    pf: 2,
    od: 4,
  };
  const cg = d.c / d.groups;
  const pixels = colsRows(d);
  const width = colsWidth(d);
  assert.deepEqual([pixels, width], [d.n * d.od * d.oh * d.ow, cg * d.kd * d.kh * d.kw]);
  const x = randomData(rng, d.n * d.c * d.depth * d.h * d.w, false);
  const cols = new Float64Array(d.groups * pixels * width).fill(NaN);
  im2col(d, x, cols);
  // The definition, entry by entry: rows (g, b, v, i, j), columns (channel in group, kz, ki, kj).
  let q = 0,
    outside = 0;
  for (let g = 0; g < d.groups; g++)
    for (let b = 0; b < d.n; b++)
      for (let v = 0; v < d.od; v++)
        for (let i = 0; i < d.oh; i++)
          for (let j = 0; j < d.ow; j++)
            for (let icl = 0; icl < cg; icl++)
              for (let kz = 0; kz < d.kd; kz++)
                for (let ki = 0; ki < d.kh; ki++)
                  for (let kj = 0; kj < d.kw; kj++, q++) {
                    const z = v * d.sd - d.pf + kz * d.dd,
                      y = i * d.sh - d.pt + ki * d.dh,
                      xx = j * d.sw - d.pl + kj * d.dw;
                    const inside = z >= 0 && z < d.depth && y >= 0 && y < d.h && xx >= 0 && xx < d.w;
                    if (!inside) outside++;
                    const want = inside
                      ? x[(((b * d.c + g * cg + icl) * d.depth + z) * d.h + y) * d.w + xx]!
                      : 0;
                    assert.equal(cols[q], want, `cols entry ${q} (g ${g}, b ${b}, v ${v}, kz ${kz})`);
                  }
  assert.ok(outside > 0, 'some taps read the padding');
  assertAdjoint(d, x, cols, randomData(rng, cols.length, false));
});

test('the WebAssembly direct convolution matches the im2col products, forward and every gradient', () => {
  const kernels = wasmGemm();
  assert.ok(kernels, 'Node 20 supports WebAssembly SIMD, so the module must load');
  const rng = new Rng(13);
  const int = (below: number) => Math.floor(rng.next() * below);
  for (let trial = 0; trial < 40; trial++) {
    // Stride 1 (what the direct kernels take), groups, dilation, uneven padding and output
    // widths off the 4-float vectors.
    const groups = [1, 1, 2, 3][trial % 4]!;
    const cg = 1 + int(3),
      og = 1 + int(4);
    const kh = 1 + int(4),
      kw = 1 + int(4);
    const dh = trial % 3 === 2 ? 2 : 1;
    const reach = dh * (kh - 1);
    const [pt, pb] = [int(reach / 2 + 1), int(reach / 2 + 1)];
    const [pl, pr] = [int((kw + 1) / 2), int((kw + 1) / 2)];
    const [n, h, w] = [1 + int(3), reach + 1 + int(8), kw + int(11)];
    const d = { n, c: cg * groups, h, w, kh, kw, sh: 1, sw: 1, dh, dw: 1, pt, pl, groups };
    const geometry = { ...d, oh: h + pt + pb - reach, ow: w + pl + pr - (kw - 1) };
    const o = og * groups;
    const size = { x: n * d.c * h * w, w: o * cg * kh * kw, y: n * o * geometry.oh * geometry.ow };
    const f32 = (k: number) => randomData(rng, k, true) as Float32Array;
    const [x, wt, bias, g] = [f32(size.x), f32(size.w), f32(o), f32(size.y)];
    // The definition through im2col, in float64.
    const products = { groups, pixels: colsRows(geometry), width: colsWidth(geometry), og };
    const cols = new Float64Array(groups * products.pixels * products.width);
    const rows = new Float64Array(groups * products.pixels * og);
    im2col(geometry, Float64Array.from(x), cols);
    convRows(products, cols, Float64Array.from(wt), rows, false);
    const want = new Float64Array(size.y);
    rowsToNchw(rows, want, n, groups, og, geometry.oh * geometry.ow);
    for (let i = 0; i < size.y; i++) want[i]! += bias[Math.floor(i / (geometry.oh * geometry.ow)) % o]!;
    const y = new Float32Array(size.y);
    kernels.convForward(geometry, o, x, wt, bias, y);
    const where = `trial ${trial}: ${JSON.stringify(geometry)}, o ${o}`;
    assert.ok(maxError(y, want, products.width) <= 1e-6, `forward, ${where}`);
    // Gradients: the adjoints of those products, added to what the buffers held.
    nchwToRows(Float64Array.from(g), rows, n, groups, og, geometry.oh * geometry.ow);
    const [gx0, gw0, gb0] = [f32(size.x), f32(size.w), f32(o)];
    const wantGw = Float64Array.from(gw0);
    weightGrad(products, rows, cols, wantGw);
    const wantGx = Float64Array.from(gx0);
    rowsToCols(products, rows, Float64Array.from(wt), cols, false);
    col2imAdd(geometry, cols, wantGx);
    const wantGb = Float64Array.from(gb0);
    for (let i = 0; i < size.y; i++) wantGb[Math.floor(i / (geometry.oh * geometry.ow)) % o]! += g[i]!;
    const [gx, gw, gb] = [gx0.slice(), gw0.slice(), gb0.slice()];
    kernels.convBackward(geometry, o, x, wt, g, gx, gw, gb);
    assert.ok(maxError(gx, wantGx, og * kh * kw) <= 1e-6, `gx, ${where}`);
    assert.ok(maxError(gw, wantGw, products.pixels) <= 1e-6, `gw, ${where}`);
    assert.ok(maxError(gb, wantGb, products.pixels) <= 1e-6, `gb, ${where}`);
  }
});

test('the WebAssembly ReLU gives the scalar kernels’ values: NaN and -0 to 0, gradients only where x > 0', () => {
  const kernels = wasmGemm();
  assert.ok(kernels);
  const rng = new Rng(17);
  for (const n of [1, 3, 4, 7, 64, 1001]) {
    const x = randomData(rng, n, true) as Float32Array;
    x[0] = -0;
    if (n > 2) [x[1], x[2]] = [NaN, 0];
    const g = randomData(rng, n, true) as Float32Array;
    const gx = randomData(rng, n, true) as Float32Array;
    const y = new Float32Array(n);
    const wantGx = gx.map((v, i) => v + (x[i]! > 0 ? g[i]! : 0));
    kernels.relu(x, y);
    kernels.reluVjp(x, g, gx);
    assert.deepEqual(
      Array.from(y),
      Array.from(x, (v) => (v > 0 ? v : 0)),
      `forward, n = ${n}`,
    );
    assert.ok(Object.is(y[0], 0), '-0 gives +0');
    assert.deepEqual(Array.from(gx), Array.from(wantGx), `vjp, n = ${n}`);
  }
});

test('the WebAssembly tanh is within 2 float32 ulp of Math.tanh: ±0, NaN, ±∞ and saturation as tanh', () => {
  const kernels = wasmGemm();
  assert.ok(kernels);
  const rng = new Rng(23);
  // Every scale from subnormal-adjacent to saturated, both signs, odd lengths for the tails.
  for (const n of [1, 3, 4, 7, 64, 4099]) {
    const x = Float32Array.from({ length: n }, () => (rng.next() * 2 - 1) * 10 ** (rng.next() * 12 - 10));
    const special = [-0, 0, NaN, Infinity, -Infinity, 0.625, -0.625, 9, 20, -88, 1e-30];
    special.slice(0, n).forEach((v, i) => (x[i] = v));
    const y = new Float32Array(n);
    kernels.tanh(x, y);
    for (let i = 0; i < n; i++) {
      const want = Math.fround(Math.tanh(x[i]!));
      if (Number.isNaN(want)) {
        assert.ok(Number.isNaN(y[i]), `tanh(NaN) at ${i}`);
        continue;
      }
      assert.ok(Object.is(Math.sign(y[i]!), Math.sign(want)), `sign of tanh(${x[i]})`);
      const ulp = 2 ** (Math.floor(Math.log2(Math.max(Math.abs(want), 2 ** -126))) - 23);
      assert.ok(Math.abs(y[i]! - want) <= 2 * ulp, `tanh(${x[i]}) = ${y[i]}, want ${want}`);
    }
    // ∂/∂x from y: gx += g·(1 - y²), in float32.
    const g = randomData(rng, n, true) as Float32Array;
    const gx = randomData(rng, n, true) as Float32Array;
    const want = gx.map((v, i) => v + g[i]! * (1 - y[i]! * y[i]!));
    kernels.tanhVjp(y, g, gx);
    for (let i = 0; i < n; i++)
      if (!Number.isNaN(want[i]))
        assert.ok(Math.abs(gx[i]! - want[i]!) <= 1e-6, `vjp at ${i}: ${gx[i]} vs ${want[i]}`);
  }
});

test('the WebAssembly softmax along rows matches the float64 definition to 1e-5, and its gradient', () => {
  const kernels = wasmGemm();
  assert.ok(kernels);
  const rng = new Rng(29);
  for (const [rows, n] of [
    [1, 1],
    [3, 3],
    [5, 4],
    [7, 13],
    [64, 16],
    [2, 70],
  ] as const) {
    // Scores spread over ±30, so entries range down to e^-60 of the largest.
    const x = Float32Array.from({ length: rows * n }, () => (rng.next() * 2 - 1) * 30);
    const y = new Float32Array(x.length);
    kernels.softmax(x, y, n);
    const g = randomData(rng, x.length, true) as Float32Array;
    const gx = randomData(rng, x.length, true) as Float32Array;
    const wantGx = Float64Array.from(gx);
    for (let r = 0; r < rows; r++) {
      const line = Array.from(x.subarray(r * n, (r + 1) * n));
      const m = Math.max(...line);
      const z = line.reduce((s, v) => s + Math.exp(v - m), 0);
      const p = line.map((v) => Math.exp(v - m) / z);
      const gy = p.reduce((s, v, j) => s + v * g[r * n + j]!, 0);
      p.forEach((v, j) => {
        const got = y[r * n + j]!;
        // float32 x - max is itself rounded (to 2^-19 relative of the score), which e^ magnifies.
        assert.ok(Math.abs(got - v) <= 1e-5 * v + 1e-30, `softmax row ${r} [${j}] = ${got}, want ${v}`);
        wantGx[r * n + j]! += v * (g[r * n + j]! - gy);
      });
    }
    kernels.softmaxVjp(y, g, gx, n);
    assert.ok(maxError(gx, wantGx, 1) <= 1e-6, `vjp ${rows}×${n}`);
  }
});

test('the one-trip WebAssembly dense layer matches the definition: forward with and without bias, every gradient', () => {
  const kernels = wasmGemm();
  assert.ok(kernels);
  const rng = new Rng(31);
  const int = (below: number) => 1 + Math.floor(rng.next() * below);
  for (let trial = 0; trial < 40; trial++) {
    const [rows, inF, units] = [int(70), int(40), int(40)];
    const f32 = (size: number) => randomData(rng, size, true) as Float32Array;
    const [x, w, bias, g] = [f32(rows * inF), f32(units * inF), f32(units), f32(rows * units)];
    const withBias = trial % 3 !== 0;
    // y = x·wᵀ + bias: the 'nt' product of the reference, then the bias on every row.
    const want = reference('nt', rows, units, inF, x, w, null);
    if (withBias) for (let i = 0; i < want.length; i++) want[i]! += bias[i % units]!;
    const y = f32(rows * units);
    kernels.linearForward(x, w, withBias ? bias : null, y, rows, inF, units);
    const where = `trial ${trial}: ${rows}×${inF} → ${units}`;
    assert.ok(maxError(y, want, inF) <= 1e-6, `forward, ${where}`);
    // Gradients add to what the buffers hold; any of them may be left out.
    const [gx, gw, gb] = [f32(rows * inF), f32(units * inF), f32(units)];
    const wantGx = reference('nn', rows, inF, units, g, w, gx);
    const wantGw = reference('tn', units, inF, rows, g, x, gw);
    const wantGb = Float64Array.from(gb);
    for (let i = 0; i < g.length; i++) wantGb[i % units]! += g[i]!;
    const skip = trial % 4;
    kernels.linearBackward(
      x,
      w,
      g,
      skip === 1 ? null : gx,
      skip === 2 ? null : gw,
      skip === 3 ? null : gb,
      rows,
      inF,
      units,
    );
    if (skip !== 1) assert.ok(maxError(gx, wantGx, units) <= 1e-6, `gx, ${where}`);
    if (skip !== 2) assert.ok(maxError(gw, wantGw, rows) <= 1e-6, `gw, ${where}`);
    if (skip !== 3) assert.ok(maxError(gb, wantGb, rows) <= 1e-6, `gb, ${where}`);
  }
});

test('the WebAssembly gather moves values exactly, its scatter-add gathers repeated indices, a + b and gx += g', () => {
  const kernels = wasmGemm();
  assert.ok(kernels);
  const rng = new Rng(37);
  for (const [n, outLength] of [
    [1, 1],
    [5, 3],
    [64, 64],
    [100, 301],
    [4099, 4099],
  ] as const) {
    const x = randomData(rng, n, true) as Float32Array;
    x[0] = NaN;
    // Random indices, so some are read twice (expand, tile) and some never (slice).
    const from = Int32Array.from({ length: outLength }, () => Math.floor(rng.next() * n));
    const y = new Float32Array(outLength);
    kernels.gather(x, from, y);
    assert.deepEqual(
      Array.from(y),
      Array.from(from, (i) => x[i]!),
      `gather ${n} → ${outLength}`,
    );
    const g = randomData(rng, outLength, true) as Float32Array;
    const gx = randomData(rng, n, true) as Float32Array;
    const want = Float64Array.from(gx);
    from.forEach((i, k) => (want[i]! += g[k]!));
    kernels.scatterAdd(g, from, gx);
    assert.ok(maxError(gx, want, outLength) <= 1e-6, `scatter-add ${outLength} → ${n}`);
    const a = randomData(rng, n, true) as Float32Array;
    const sum = new Float32Array(n);
    kernels.add(a, x, sum);
    assert.deepEqual(
      Array.from(sum),
      Array.from(a, (v, i) => Math.fround(v + x[i]!)),
      `a + b, n = ${n}`,
    );
    const before = a.slice();
    kernels.add(a, x, a);
    assert.deepEqual(
      Array.from(a),
      Array.from(before, (v, i) => Math.fround(v + x[i]!)),
      `a += b, n = ${n}`,
    );
  }
});
