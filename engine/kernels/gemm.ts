/**
 * The matrix product every dense op calls: C (m×n) = or += op(A)·op(B), row-major, with the three
 * layouts forward and backward passes need ('nn' A·B, 'tn' Aᵀ·B, 'nt' A·Bᵀ; see gemm-ts.ts).
 * Float32 products large enough to amortise the copy go to the WebAssembly SIMD kernel when the
 * runtime has it; everything else runs the TypeScript kernels. Offsets are in elements.
 */
import type { Data } from '../tensor/tensor.js';
import { gemmTs, GemmLayout } from './gemm-ts.js';
import { WasmGemm } from './wasm/instance.js';

export type { GemmLayout } from './gemm-ts.js';

/** 'auto' picks per call; 'ts' forces the TypeScript kernels (tests and benchmarks compare). */
export type GemmBackend = 'auto' | 'ts';

/**
 * Below this many multiply-adds the TypeScript loops are as fast as the copies into WebAssembly
 * memory; above it WebAssembly wins even on small products (a 32×16×2 one, 1,024 multiply-adds,
 * ran in half the time of the TypeScript loops).
 */
const WASM_MIN_MACS = 256;

let backend: GemmBackend = 'auto';
let wasm: WasmGemm | null | undefined;

export function setGemmBackend(b: GemmBackend): void {
  backend = b;
}

/** The WebAssembly kernel, instantiated on first use; null where unsupported. */
export function wasmGemm(): WasmGemm | null {
  if (wasm === undefined) wasm = WasmGemm.load();
  return wasm;
}

/**
 * The WebAssembly kernels (for its direct convolutions) when `data` is float32 and the backend
 * is 'auto', else null: the caller runs its TypeScript path.
 */
export function wasmFloat32(data: Data): WasmGemm | null {
  if (backend !== 'auto' || !(data instanceof Float32Array)) return null;
  return wasm === undefined ? wasmGemm() : wasm;
}

export function gemm(
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
): void {
  if (
    backend === 'auto' &&
    m * n * k >= WASM_MIN_MACS &&
    c instanceof Float32Array &&
    a instanceof Float32Array &&
    b instanceof Float32Array
  ) {
    const w = wasm === undefined ? wasmGemm() : wasm;
    if (w) {
      w.gemm(layout, m, n, k, a, aOff, b, bOff, c, cOff, accumulate);
      return;
    }
  }
  gemmTs(layout, m, n, k, a, aOff, b, bOff, c, cOff, accumulate);
}

/**
 * `count` products C_i = or += op(A_i)·op(B_i) (a batched matmul and its gradients): A_i at
 * element aAt[i] of a, B_i at bAt[i] of b, C_i at cAt[i] of c (i·m·n when null). Slices of c may
 * repeat only when accumulating. Float32 batches with enough work in all go to WebAssembly in
 * one trip (one copy in and out for the whole batch); the rest loop over gemm.
 */
export function gemmBatch(
  layout: GemmLayout,
  m: number,
  n: number,
  k: number,
  count: number,
  a: Data,
  aAt: Int32Array,
  b: Data,
  bAt: Int32Array,
  c: Data,
  cAt: Int32Array | null,
  accumulate: boolean,
): void {
  if (
    backend === 'auto' &&
    count * m * n * k >= WASM_MIN_MACS &&
    c instanceof Float32Array &&
    a instanceof Float32Array &&
    b instanceof Float32Array
  ) {
    const w = wasm === undefined ? wasmGemm() : wasm;
    if (w) {
      w.gemmBatch(layout, m, n, k, count, a, aAt, b, bAt, c, cAt, accumulate);
      return;
    }
  }
  const size = m * n;
  for (let i = 0; i < count; i++)
    gemm(layout, m, n, k, a, aAt[i]!, b, bAt[i]!, c, cAt === null ? i * size : cAt[i]!, accumulate);
}

/**
 * A float32 dense layer, y = x·wᵀ + bias (x [rows, inF], w [units, inF]), in one WebAssembly
 * trip when the backend is 'auto' and the data float32; false: the caller's products run.
 */
export function float32LinearForward(
  x: Data,
  w: Data,
  bias: Data | null,
  y: Data,
  rows: number,
  inF: number,
  units: number,
): boolean {
  const k = wasmFloat32(x);
  // A program has one dtype: float32 x means float32 weights and output.
  if (k)
    k.linearForward(
      x as Float32Array,
      w as Float32Array,
      bias as Float32Array | null,
      y as Float32Array,
      rows,
      inF,
      units,
    );
  return k !== null;
}

/** Its gradients, each added (null: not wanted): gx += g·w, gw += gᵀ·x, gb += Σ_rows g. */
export function float32LinearVjp(
  x: Data,
  w: Data,
  g: Data,
  gx: Data | null,
  gw: Data | null,
  gb: Data | null,
  rows: number,
  inF: number,
  units: number,
): boolean {
  const k = wasmFloat32(x);
  if (k)
    k.linearBackward(
      x as Float32Array,
      w as Float32Array,
      g as Float32Array,
      gx as Float32Array | null,
      gw as Float32Array | null,
      gb as Float32Array | null,
      rows,
      inF,
      units,
    );
  return k !== null;
}
