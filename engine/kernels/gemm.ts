/**
 * The matrix product every dense op calls: C (m×n) = or += op(A)·op(B), row-major, with the three
 * layouts forward and backward passes need ('nn' A·B, 'tn' Aᵀ·B, 'nt' A·Bᵀ; see gemm-ts.ts).
 * Float32 products large enough to amortise the copy go to the WebAssembly SIMD kernel when the
 * runtime has it; everything else runs the TypeScript kernels. Offsets are in elements.
 */
import type { Data } from '../tensor/tensor.js';
import { gemmTs, type Gemm, type GemmLayout } from './gemm-ts.js';
import { WasmGemm } from './wasm/instance.js';

export type { Gemm, GemmLayout } from './gemm-ts.js';

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

/** A kernel's float32 array as a program's data (see Float32Kernels). */
type OverData<T> = T extends Float32Array ? Data : T;

/**
 * The WebAssembly kernels as the ops call them: each float32 array a kernel takes is typed as a
 * program's data. wasmFloat32 hands them out only for float32 data, and a program has one dtype,
 * so every array an op then passes is float32; wasmFloat32 says so once, instead of a cast at
 * every argument of every call.
 */
export type Float32Kernels = {
  [M in keyof WasmGemm]: WasmGemm[M] extends (...args: infer A) => infer R
    ? (...args: { [K in keyof A]: OverData<A[K]> }) => R
    : WasmGemm[M];
};

/**
 * The WebAssembly kernels (dense layers, direct convolutions, activations, gathers) when `data`
 * is float32 and the backend is 'auto', else null: the caller runs its TypeScript path.
 */
export function wasmFloat32(data: Data): Float32Kernels | null {
  if (backend !== 'auto' || !(data instanceof Float32Array)) return null;
  // The program's other arrays share data's dtype (above): float32, as the kernels need.
  return (wasm === undefined ? wasmGemm() : wasm) as Float32Kernels | null;
}

export const gemm: Gemm = (layout, m, n, k, a, aOff, b, bOff, c, cOff, accumulate) => {
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
};

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
