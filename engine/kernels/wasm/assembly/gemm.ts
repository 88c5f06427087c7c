/**
 * Single-precision matrix products with WebAssembly SIMD (AssemblyScript source, built by
 * `npm run build:wasm` into ../gemm-module.ts). Computes C (m×n) = or += op(A)·op(B) where
 * op(A) is m×k and op(B) is k×n; `transA` means A is stored k×m, `transB` that B is stored n×k.
 * All matrices are dense row-major f32 at byte addresses in this module's memory; the caller
 * (../gemm-wasm.ts) copies operands in and the result out, and places the packing scratch.
 *
 * The classic GotoBLAS shape: op(A) is packed into panels of MR rows and op(B) into panels of NR
 * columns (transposes are absorbed here, so all three layouts backward needs run at the same
 * speed), then an MR×NR register tile of f32x4 accumulators walks the shared dimension.
 * There is no FMA in baseline wasm SIMD, so each step is a multiply and an add.
 */

const MR: i32 = 4;
const NR: i32 = 8;

/** Bytes of packing scratch that sgemm needs for these sizes. */
export function scratchBytes(m: i32, n: i32, k: i32): i32 {
  const mp = ((m + MR - 1) / MR) * MR;
  const np = ((n + NR - 1) / NR) * NR;
  return (mp * k + np * k + MR * NR) << 2;
}

/** First byte the caller may use (after static data). */
export function heapBase(): usize {
  return (__heap_base + 15) & ~15;
}

function packA(a: usize, m: i32, k: i32, transA: bool, dst: usize): void {
  for (let i0 = 0; i0 < m; i0 += MR) {
    const rows = min(MR, m - i0);
    const panel = dst + ((<usize>i0 * <usize>k) << 2);
    if (transA) {
      // A is k×m: the MR values of one step are adjacent.
      for (let p = 0; p < k; p++) {
        const src = a + ((<usize>(p * m + i0)) << 2);
        const out = panel + ((<usize>(p * MR)) << 2);
        if (rows == MR) v128.store(out, v128.load(src));
        else
          for (let r = 0; r < MR; r++)
            store<f32>(out + ((<usize>r) << 2), r < rows ? load<f32>(src + ((<usize>r) << 2)) : 0);
      }
    } else {
      for (let r = 0; r < MR; r++) {
        if (r < rows) {
          const src = a + ((<usize>((i0 + r) * k)) << 2);
          for (let p = 0; p < k; p++)
            store<f32>(panel + ((<usize>(p * MR + r)) << 2), load<f32>(src + ((<usize>p) << 2)));
        } else {
          for (let p = 0; p < k; p++) store<f32>(panel + ((<usize>(p * MR + r)) << 2), 0);
        }
      }
    }
  }
}

function packB(b: usize, n: i32, k: i32, transB: bool, dst: usize): void {
  for (let j0 = 0; j0 < n; j0 += NR) {
    const cols = min(NR, n - j0);
    const panel = dst + ((<usize>j0 * <usize>k) << 2);
    if (!transB) {
      // B is k×n: the NR values of one step are adjacent.
      for (let p = 0; p < k; p++) {
        const src = b + ((<usize>(p * n + j0)) << 2);
        const out = panel + ((<usize>(p * NR)) << 2);
        if (cols == NR) {
          v128.store(out, v128.load(src));
          v128.store(out, v128.load(src, 16), 16);
        } else
          for (let c = 0; c < NR; c++)
            store<f32>(out + ((<usize>c) << 2), c < cols ? load<f32>(src + ((<usize>c) << 2)) : 0);
      }
    } else {
      for (let c = 0; c < NR; c++) {
        if (c < cols) {
          const src = b + ((<usize>((j0 + c) * k)) << 2);
          for (let p = 0; p < k; p++)
            store<f32>(panel + ((<usize>(p * NR + c)) << 2), load<f32>(src + ((<usize>p) << 2)));
        } else {
          for (let p = 0; p < k; p++) store<f32>(panel + ((<usize>(p * NR + c)) << 2), 0);
        }
      }
    }
  }
}

/** One MR×NR tile over the whole shared dimension, written to `out` (row stride `ldo` floats). */
function tile(pa: usize, pb: usize, k: i32, out: usize, ldo: i32, accumulate: bool): void {
  let c00 = f32x4.splat(0),
    c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0),
    c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0),
    c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0),
    c31 = f32x4.splat(0);
  for (let p = 0; p < k; p++) {
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
    let a = v128.load32_splat(pa);
    c00 = f32x4.add(c00, f32x4.mul(a, b0));
    c01 = f32x4.add(c01, f32x4.mul(a, b1));
    a = v128.load32_splat(pa, 4);
    c10 = f32x4.add(c10, f32x4.mul(a, b0));
    c11 = f32x4.add(c11, f32x4.mul(a, b1));
    a = v128.load32_splat(pa, 8);
    c20 = f32x4.add(c20, f32x4.mul(a, b0));
    c21 = f32x4.add(c21, f32x4.mul(a, b1));
    a = v128.load32_splat(pa, 12);
    c30 = f32x4.add(c30, f32x4.mul(a, b0));
    c31 = f32x4.add(c31, f32x4.mul(a, b1));
    pa += MR << 2;
    pb += NR << 2;
  }
  const ld = (<usize>ldo) << 2;
  if (accumulate) {
    c00 = f32x4.add(c00, v128.load(out));
    c01 = f32x4.add(c01, v128.load(out, 16));
    c10 = f32x4.add(c10, v128.load(out + ld));
    c11 = f32x4.add(c11, v128.load(out + ld, 16));
    c20 = f32x4.add(c20, v128.load(out + 2 * ld));
    c21 = f32x4.add(c21, v128.load(out + 2 * ld, 16));
    c30 = f32x4.add(c30, v128.load(out + 3 * ld));
    c31 = f32x4.add(c31, v128.load(out + 3 * ld, 16));
  }
  v128.store(out, c00);
  v128.store(out, c01, 16);
  v128.store(out + ld, c10);
  v128.store(out + ld, c11, 16);
  v128.store(out + 2 * ld, c20);
  v128.store(out + 2 * ld, c21, 16);
  v128.store(out + 3 * ld, c30);
  v128.store(out + 3 * ld, c31, 16);
}

export function sgemm(
  m: i32,
  n: i32,
  k: i32,
  a: usize,
  transA: bool,
  b: usize,
  transB: bool,
  c: usize,
  accumulate: bool,
  scratch: usize,
): void {
  const mp = ((m + MR - 1) / MR) * MR;
  const pA = scratch;
  const pB = pA + ((<usize>mp * <usize>k) << 2);
  const np = ((n + NR - 1) / NR) * NR;
  const edge = pB + ((<usize>np * <usize>k) << 2);
  packA(a, m, k, transA, pA);
  packB(b, n, k, transB, pB);
  for (let j0 = 0; j0 < n; j0 += NR) {
    const cols = min(NR, n - j0);
    const pb = pB + ((<usize>j0 * <usize>k) << 2);
    for (let i0 = 0; i0 < m; i0 += MR) {
      const rows = min(MR, m - i0);
      const pa = pA + ((<usize>i0 * <usize>k) << 2);
      const out = c + ((<usize>(i0 * n + j0)) << 2);
      if (rows == MR && cols == NR) {
        tile(pa, pb, k, out, n, accumulate);
      } else {
        // Ragged edge: compute the full tile into scratch, then copy the valid part.
        tile(pa, pb, k, edge, NR, false);
        for (let r = 0; r < rows; r++) {
          for (let q = 0; q < cols; q++) {
            const dst = out + ((<usize>(r * n + q)) << 2);
            const v = load<f32>(edge + ((<usize>(r * NR + q)) << 2));
            store<f32>(dst, accumulate ? load<f32>(dst) + v : v);
          }
        }
      }
    }
  }
}

/** c[r, j] += bias[j] for every row r < rows of n floats: a dense layer's bias. */
export function addBias(c: usize, bias: usize, rows: i32, n: i32): void {
  const vn = n & ~3;
  for (let r = 0; r < rows; r++) {
    const cr = c + ((<usize>(r * n)) << 2);
    for (let j = 0; j < vn; j += 4) {
      const at = (<usize>j) << 2;
      v128.store(cr + at, f32x4.add(v128.load(cr + at), v128.load(bias + at)));
    }
    for (let j = vn; j < n; j++) {
      const at = (<usize>j) << 2;
      store<f32>(cr + at, load<f32>(cr + at) + load<f32>(bias + at));
    }
  }
}

/** gb[j] += Σ_r g[r, j] over rows of n floats: a dense layer's bias gradient. */
export function sumRows(g: usize, rows: i32, n: i32, gb: usize): void {
  const vn = n & ~3;
  for (let j = 0; j < vn; j += 4) {
    const at = (<usize>j) << 2;
    let s = f32x4.splat(0);
    for (let r = 0; r < rows; r++) s = f32x4.add(s, v128.load(g + ((<usize>(r * n)) << 2) + at));
    v128.store(gb + at, f32x4.add(v128.load(gb + at), s));
  }
  for (let j = vn; j < n; j++) {
    const at = (<usize>j) << 2;
    let s: f32 = 0;
    for (let r = 0; r < rows; r++) s += load<f32>(g + ((<usize>(r * n)) << 2) + at);
    store<f32>(gb + at, load<f32>(gb + at) + s);
  }
}
