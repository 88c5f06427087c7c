/**
 * The float32 activations built on e^x, with WebAssembly SIMD four lanes at a time: tanh (in a
 * tiny tanh network Math.tanh is a quarter of the training step) and softmax along rows
 * (attention's scores: thousands of short rows). The float64 kernels keep Math.exp / Math.tanh.
 */

/**
 * e^x in float32, four lanes at a time (and one, with the very same operations, for the tails):
 * Cephes' expf. x = n·ln2 + r with |r| ≤ ln2/2 (ln2 split in two so n·ln2 is exact), e^r by a
 * polynomial, 2^n put into the exponent bits: within a few ulp over the normal float32 range.
 * Below e^-87.3 (FLT_MIN) the result is 0; x is clamped at 88 above (the callers pass at most
 * 18: softmax's x - max ≤ 0, tanh's 2·min(|x|, 9)). NaN stays NaN.
 */

const LOG2E: f32 = 1.44269504088896341;
const LN2_HI: f32 = 0.693359375;
const LN2_LO: f32 = -2.1219444e-4;
const X_MAX: f32 = 88;
const X_MIN: f32 = -87.3365478515625;
/** 1.5·2^23 + 127: n + MAGIC has n + 127 in its low mantissa bits. */
const MAGIC: f32 = 12583039;
const P0: f32 = 1.98756915e-4;
const P1: f32 = 1.3981999507e-3;
const P2: f32 = 8.3334519073e-3;
const P3: f32 = 4.1665795894e-2;
const P4: f32 = 1.6666665459e-1;
const P5: f32 = 5.0000001201e-1;

function exp4(x0: v128): v128 {
  // pmin/pmax are one instruction each on x64 (min/max are several, for NaN and -0); they keep
  // a NaN x0, since every comparison with it is false.
  const x = f32x4.pmax(f32x4.pmin(x0, f32x4.splat(X_MAX)), f32x4.splat(X_MIN));
  const n = f32x4.nearest(f32x4.mul(x, f32x4.splat(LOG2E)));
  let r = f32x4.sub(x, f32x4.mul(n, f32x4.splat(LN2_HI)));
  r = f32x4.sub(r, f32x4.mul(n, f32x4.splat(LN2_LO)));
  let p = f32x4.splat(P0);
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(P1));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(P2));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(P3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(P4));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(P5));
  p = f32x4.add(f32x4.add(f32x4.mul(f32x4.mul(p, r), r), r), f32x4.splat(1));
  // 2^n: n + 127 in the exponent field (n ∈ [-126, 127]). Adding 1.5·2^23 puts the integer
  // n + 127 in the low mantissa bits (cheaper than a saturating conversion); the shift drops the rest.
  const scale = i32x4.shl(f32x4.add(n, f32x4.splat(MAGIC)), 23);
  return v128.andnot(f32x4.mul(p, scale), f32x4.lt(x0, f32x4.splat(X_MIN)));
}

/** exp4 on one float: the same operations, so a tail element gets what a lane would. */
function exp1(x0: f32): f32 {
  if (x0 != x0) return x0;
  if (x0 < X_MIN) return 0;
  const x = max(min(x0, X_MAX), X_MIN);
  const n = nearest(x * LOG2E);
  let r = x - n * LN2_HI;
  r = r - n * LN2_LO;
  let p = P0;
  p = p * r + P1;
  p = p * r + P2;
  p = p * r + P3;
  p = p * r + P4;
  p = p * r + P5;
  p = p * r * r + r + 1;
  return p * reinterpret<f32>((<i32>n + 127) << 23);
}

/**
 * tanh, Cephes' tanhf: an odd polynomial for |x| < 0.625, else 1 - 2/(e^{2|x|} + 1) with the
 * sign put back; within a few float32 ulp of tanh. tanh(±0) = ±0, NaN stays NaN, and |x| > 9
 * gives ±1, as float32 rounds it.
 */
const SMALL: f32 = 0.625;
const BIG: f32 = 9;
const T0: f32 = -5.70498872745e-3;
const T1: f32 = 2.06390887954e-2;
const T2: f32 = -5.37397155531e-2;
const T3: f32 = 1.33314422036e-1;
const T4: f32 = -3.33332819422e-1;

function tanh4(x: v128): v128 {
  const ax = f32x4.abs(x);
  // Small |x|: x·(1 + z·P(z)), z = x² (so tanh(-0) = -0).
  const z = f32x4.mul(x, x);
  let p = f32x4.splat(T0);
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(T1));
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(T2));
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(T3));
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(T4));
  const small = f32x4.mul(x, f32x4.add(f32x4.mul(p, z), f32x4.splat(1)));
  // Large |x|: 1 - 2/(e^{2|x|} + 1), |x| clamped at 9 where that is 1 in float32 (NaN passes).
  const e = exp4(f32x4.mul(f32x4.pmin(ax, f32x4.splat(BIG)), f32x4.splat(2)));
  const big = f32x4.sub(f32x4.splat(1), f32x4.div(f32x4.splat(2), f32x4.add(e, f32x4.splat(1))));
  // The sign of x on the large branch.
  const signed = v128.or(big, v128.and(x, f32x4.splat(-0.0)));
  return v128.bitselect(small, signed, f32x4.lt(ax, f32x4.splat(SMALL)));
}

/** tanh4 on one float, the same operations. */
function tanh1(x: f32): f32 {
  const ax = abs(x);
  if (ax < SMALL) {
    const z = x * x;
    let p = T0;
    p = p * z + T1;
    p = p * z + T2;
    p = p * z + T3;
    p = p * z + T4;
    return x * (p * z + 1);
  }
  const e = exp1(min(ax, BIG) * 2);
  return copysign<f32>(1 - 2 / (e + 1), x);
}

/** y = tanh(x) over n floats. */
export function tanhForward(x: usize, y: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const at = (<usize>i) << 2;
    v128.store(y + at, tanh4(v128.load(x + at)));
  }
  for (; i < n; i++) store<f32>(y + ((<usize>i) << 2), tanh1(load<f32>(x + ((<usize>i) << 2))));
}

/** gx += g·(1 - y²) over n floats, y = tanh(x). */
export function tanhBackward(y: usize, g: usize, gx: usize, n: i32): void {
  const one = f32x4.splat(1);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const at = (<usize>i) << 2;
    const v = v128.load(y + at);
    const d = f32x4.mul(v128.load(g + at), f32x4.sub(one, f32x4.mul(v, v)));
    v128.store(gx + at, f32x4.add(v128.load(gx + at), d));
  }
  for (; i < n; i++) {
    const at = (<usize>i) << 2;
    const v = load<f32>(y + at);
    store<f32>(gx + at, load<f32>(gx + at) + load<f32>(g + at) * (1 - v * v));
  }
}

/**
 * softmax along the last axis: y = e^{x - max} / Σ e^{x - max}, and the gradient
 * gx += y ⊙ (g - <g, y>). Sums run in float32 four lanes at a time, e^x is exp4.
 */
function hmax(v: v128): f32 {
  return max(
    max(f32x4.extract_lane(v, 0), f32x4.extract_lane(v, 1)),
    max(f32x4.extract_lane(v, 2), f32x4.extract_lane(v, 3)),
  );
}

function hsum(v: v128): f32 {
  return (
    f32x4.extract_lane(v, 0) +
    f32x4.extract_lane(v, 1) +
    (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3))
  );
}

/** `rows` rows of n floats at x: their softmax at y. */
export function softmaxForward(x: usize, y: usize, rows: i32, n: i32): void {
  const vn = n & ~3;
  for (let r = 0; r < rows; r++) {
    const xr = x + ((<usize>(r * n)) << 2);
    const yr = y + ((<usize>(r * n)) << 2);
    let m: f32 = -Infinity;
    if (vn > 0) {
      let mv = v128.load(xr);
      for (let j = 4; j < vn; j += 4) mv = f32x4.max(mv, v128.load(xr + ((<usize>j) << 2)));
      m = hmax(mv);
    }
    for (let j = vn; j < n; j++) m = max(m, load<f32>(xr + ((<usize>j) << 2)));
    const mv = f32x4.splat(m);
    let sv = f32x4.splat(0);
    for (let j = 0; j < vn; j += 4) {
      const at = (<usize>j) << 2;
      const e = exp4(f32x4.sub(v128.load(xr + at), mv));
      v128.store(yr + at, e);
      sv = f32x4.add(sv, e);
    }
    let s = hsum(sv);
    for (let j = vn; j < n; j++) {
      const e = exp1(load<f32>(xr + ((<usize>j) << 2)) - m);
      store<f32>(yr + ((<usize>j) << 2), e);
      s += e;
    }
    const inv = f32x4.splat(s);
    for (let j = 0; j < vn; j += 4) {
      const at = (<usize>j) << 2;
      v128.store(yr + at, f32x4.div(v128.load(yr + at), inv));
    }
    for (let j = vn; j < n; j++) store<f32>(yr + ((<usize>j) << 2), load<f32>(yr + ((<usize>j) << 2)) / s);
  }
}

/** gx += y ⊙ (g - <g, y>) row by row, y the forward's output. */
export function softmaxBackward(y: usize, g: usize, gx: usize, rows: i32, n: i32): void {
  const vn = n & ~3;
  for (let r = 0; r < rows; r++) {
    const off = (<usize>(r * n)) << 2;
    const yr = y + off,
      gr = g + off,
      gxr = gx + off;
    let dv = f32x4.splat(0);
    for (let j = 0; j < vn; j += 4) {
      const at = (<usize>j) << 2;
      dv = f32x4.add(dv, f32x4.mul(v128.load(gr + at), v128.load(yr + at)));
    }
    let d = hsum(dv);
    for (let j = vn; j < n; j++) d += load<f32>(gr + ((<usize>j) << 2)) * load<f32>(yr + ((<usize>j) << 2));
    const ds = f32x4.splat(d);
    for (let j = 0; j < vn; j += 4) {
      const at = (<usize>j) << 2;
      const t = f32x4.mul(v128.load(yr + at), f32x4.sub(v128.load(gr + at), ds));
      v128.store(gxr + at, f32x4.add(v128.load(gxr + at), t));
    }
    for (let j = vn; j < n; j++) {
      const at = (<usize>j) << 2;
      store<f32>(gxr + at, load<f32>(gxr + at) + load<f32>(yr + at) * (load<f32>(gr + at) - d));
    }
  }
}
