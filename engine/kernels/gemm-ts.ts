/**
 * Matrix products in plain TypeScript: the fallback when WebAssembly SIMD is unavailable, the
 * float64 path, and the fast path for small products where packing does not pay.
 *
 * Layouts, as backward passes need them (m×k times k×n into m×n, all row-major):
 *   'nn'  C = A·B     A stored m×k, B stored k×n
 *   'tn'  C = Aᵀ·B    A stored k×m, B stored k×n
 *   'nt'  C = A·Bᵀ    A stored m×k, B stored n×k
 * `accumulate` adds into C instead of overwriting it (VJPs accumulate).
 */
import type { Data } from '../tensor/tensor.js';

export type GemmLayout = 'nn' | 'tn' | 'nt';

/** C (m×n) = or += op(A)·op(B), A from element aOff of a, B from bOff of b, C from cOff of c. */
export type Gemm = (
  layout: GemmLayout,
  m: number,
  n: number,
  k: number,
  a: Data,
  aOff: number,
  b: Data,
  bOff: number,
  c: Data,
  cOff: number,
  accumulate: boolean,
) => void;

/** Register tile of the packed kernel: MR rows of op(A) by NR columns of op(B). */
const MR = 4;
const NR = 4;

/** Packed panels, in float64 whatever the operands are, so the inner kernel sees one array type. */
let packedA: Float64Array = new Float64Array(0);
let packedB: Float64Array = new Float64Array(0);

function scratch(current: Float64Array, size: number): Float64Array {
  return current.length >= size ? current : new Float64Array(Math.max(size, current.length * 2));
}

/** The product with packed panels (small ones run gemmDirect). */
export const gemmTs: Gemm = (layout, m, n, k, a, aOff, b, bOff, c, cOff, accumulate) => {
  // Below a few thousand multiply-adds the packing costs more than it saves.
  if (m * n * k <= 8192 || m < MR || n < NR) {
    gemmDirect(layout, m, n, k, a, aOff, b, bOff, c, cOff, accumulate);
    return;
  }
  const mp = Math.ceil(m / MR) * MR;
  const np = Math.ceil(n / NR) * NR;
  packedA = scratch(packedA, mp * k);
  packedB = scratch(packedB, np * k);
  packA(layout === 'tn', m, k, a, aOff, packedA);
  packB(layout === 'nt', n, k, b, bOff, packedB);
  for (let j0 = 0; j0 < n; j0 += NR) {
    for (let i0 = 0; i0 < m; i0 += MR)
      tile(packedA, i0 * k, packedB, j0 * k, k, c, cOff, i0, j0, m, n, accumulate);
  }
};

/** op(A) into panels of MR rows: panel[p·MR + r] = op(A)[i0 + r, p], zero past the last row. */
function packA(trans: boolean, m: number, k: number, a: Data, off: number, dst: Float64Array): void {
  for (let i0 = 0; i0 < m; i0 += MR) {
    const base = i0 * k;
    for (let r = 0; r < MR; r++) {
      const i = i0 + r;
      if (i >= m) {
        for (let p = 0; p < k; p++) dst[base + p * MR + r] = 0;
      } else if (trans) {
        for (let p = 0; p < k; p++) dst[base + p * MR + r] = a[off + p * m + i]!;
      } else {
        const row = off + i * k;
        for (let p = 0; p < k; p++) dst[base + p * MR + r] = a[row + p]!;
      }
    }
  }
}

/** op(B) into panels of NR columns: panel[p·NR + q] = op(B)[p, j0 + q], zero past the last column. */
function packB(trans: boolean, n: number, k: number, b: Data, off: number, dst: Float64Array): void {
  for (let j0 = 0; j0 < n; j0 += NR) {
    const base = j0 * k;
    for (let q = 0; q < NR; q++) {
      const j = j0 + q;
      if (j >= n) {
        for (let p = 0; p < k; p++) dst[base + p * NR + q] = 0;
      } else if (trans) {
        const row = off + j * k;
        for (let p = 0; p < k; p++) dst[base + p * NR + q] = b[row + p]!;
      } else {
        for (let p = 0; p < k; p++) dst[base + p * NR + q] = b[off + p * n + j]!;
      }
    }
  }
}

/** One 4×4 tile over the whole shared dimension, sixteen accumulators kept in registers. */
function tile(
  pa: Float64Array,
  ia: number,
  pb: Float64Array,
  ib: number,
  k: number,
  c: Data,
  cOff: number,
  i0: number,
  j0: number,
  m: number,
  n: number,
  accumulate: boolean,
): void {
  let c00 = 0,
    c01 = 0,
    c02 = 0,
    c03 = 0,
    c10 = 0,
    c11 = 0,
    c12 = 0,
    c13 = 0,
    c20 = 0,
    c21 = 0,
    c22 = 0,
    c23 = 0,
    c30 = 0,
    c31 = 0,
    c32 = 0,
    c33 = 0;
  for (let p = 0; p < k; p++) {
    const a0 = pa[ia]!,
      a1 = pa[ia + 1]!,
      a2 = pa[ia + 2]!,
      a3 = pa[ia + 3]!;
    const b0 = pb[ib]!,
      b1 = pb[ib + 1]!,
      b2 = pb[ib + 2]!,
      b3 = pb[ib + 3]!;
    c00 += a0 * b0;
    c01 += a0 * b1;
    c02 += a0 * b2;
    c03 += a0 * b3;
    c10 += a1 * b0;
    c11 += a1 * b1;
    c12 += a1 * b2;
    c13 += a1 * b3;
    c20 += a2 * b0;
    c21 += a2 * b1;
    c22 += a2 * b2;
    c23 += a2 * b3;
    c30 += a3 * b0;
    c31 += a3 * b1;
    c32 += a3 * b2;
    c33 += a3 * b3;
    ia += MR;
    ib += NR;
  }
  const rows = Math.min(MR, m - i0),
    cols = Math.min(NR, n - j0);
  if (rows === MR && cols === NR) {
    let o = cOff + i0 * n + j0;
    store4(c, o, c00, c01, c02, c03, accumulate);
    o += n;
    store4(c, o, c10, c11, c12, c13, accumulate);
    o += n;
    store4(c, o, c20, c21, c22, c23, accumulate);
    o += n;
    store4(c, o, c30, c31, c32, c33, accumulate);
    return;
  }
  const t = edgeTile;
  t[0] = c00;
  t[1] = c01;
  t[2] = c02;
  t[3] = c03;
  t[4] = c10;
  t[5] = c11;
  t[6] = c12;
  t[7] = c13;
  t[8] = c20;
  t[9] = c21;
  t[10] = c22;
  t[11] = c23;
  t[12] = c30;
  t[13] = c31;
  t[14] = c32;
  t[15] = c33;
  for (let r = 0; r < rows; r++) {
    const o = cOff + (i0 + r) * n + j0;
    for (let q = 0; q < cols; q++) c[o + q] = (accumulate ? c[o + q]! : 0) + t[r * NR + q]!;
  }
}

const edgeTile = new Float64Array(MR * NR);

function store4(c: Data, o: number, v0: number, v1: number, v2: number, v3: number, acc: boolean): void {
  if (acc) {
    c[o] = c[o]! + v0;
    c[o + 1] = c[o + 1]! + v1;
    c[o + 2] = c[o + 2]! + v2;
    c[o + 3] = c[o + 3]! + v3;
  } else {
    c[o] = v0;
    c[o + 1] = v1;
    c[o + 2] = v2;
    c[o + 3] = v3;
  }
}

/** Unpacked loops in the order that keeps the innermost access contiguous. */
export const gemmDirect: Gemm = (layout, m, n, k, a, aOff, b, bOff, c, cOff, accumulate) => {
  if (layout === 'nt') {
    // Row of A against row of B: a dot product per output.
    for (let i = 0; i < m; i++) {
      const ar = aOff + i * k;
      const cr = cOff + i * n;
      for (let j = 0; j < n; j++) {
        const br = bOff + j * k;
        let s = 0;
        for (let p = 0; p < k; p++) s += a[ar + p]! * b[br + p]!;
        c[cr + j] = accumulate ? c[cr + j]! + s : s;
      }
    }
    return;
  }
  if (!accumulate) c.fill(0, cOff, cOff + m * n);
  const tn = layout === 'tn';
  for (let i = 0; i < m; i++) {
    const cr = cOff + i * n;
    for (let p = 0; p < k; p++) {
      const av = tn ? a[aOff + p * m + i]! : a[aOff + i * k + p]!;
      if (av === 0) continue;
      const br = bOff + p * n;
      for (let j = 0; j < n; j++) c[cr + j] = c[cr + j]! + av * b[br + j]!;
    }
  }
};
