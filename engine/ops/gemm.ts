/**
 * The matrix products the matmul and linear kernels (and their tangents) call, in the argument
 * order those kernels use: C (+)= op(A)·op(B) with C [m, n]; `acc` accumulates instead of
 * overwriting (VJPs accumulate). They delegate to engine/kernels/gemm.ts, which picks the
 * WebAssembly SIMD kernel or the packed TypeScript one.
 */
import type { Data } from '../tensor/tensor.js';
import { gemm } from '../kernels/gemm.js';

/** C[m,n] (+)= A[m,k] · B[k,n] */
export function mmNN(c: Data, a: Data, b: Data, m: number, k: number, n: number, acc: boolean): void {
  gemm('nn', m, n, k, a, 0, b, 0, c, 0, acc);
}

/** C[m,n] (+)= A[m,k] · B[n,k]ᵀ */
export function mmNT(c: Data, a: Data, b: Data, m: number, k: number, n: number, acc: boolean): void {
  gemm('nt', m, n, k, a, 0, b, 0, c, 0, acc);
}

/** C[m,n] (+)= A[k,m]ᵀ · B[k,n] */
export function mmTN(c: Data, a: Data, b: Data, m: number, k: number, n: number, acc: boolean): void {
  gemm('tn', m, n, k, a, 0, b, 0, c, 0, acc);
}
