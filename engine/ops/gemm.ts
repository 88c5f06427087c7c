/**
 * Plain row-major matrix products for the matmul, linear and (via their tangents) second-order
 * kernels. Each computes C (+)= op(A)·op(B) with the loop order that keeps the innermost loop
 * contiguous; `acc` accumulates instead of overwriting (VJPs accumulate).
 */
import type { Data } from '../tensor/tensor.js';

/** C[m,n] (+)= A[m,k] · B[k,n] */
export function mmNN(c: Data, a: Data, b: Data, m: number, k: number, n: number, acc: boolean): void {
  if (!acc) c.fill(0, 0, m * n);
  for (let i = 0; i < m; i++) {
    const ci = i * n;
    for (let p = 0; p < k; p++) {
      const av = a[i * k + p]!;
      if (av === 0) continue;
      const bp = p * n;
      for (let j = 0; j < n; j++) c[ci + j]! += av * b[bp + j]!;
    }
  }
}

/** C[m,n] (+)= A[m,k] · B[n,k]ᵀ */
export function mmNT(c: Data, a: Data, b: Data, m: number, k: number, n: number, acc: boolean): void {
  for (let i = 0; i < m; i++) {
    const ai = i * k;
    for (let j = 0; j < n; j++) {
      const bj = j * k;
      let s = 0;
      for (let p = 0; p < k; p++) s += a[ai + p]! * b[bj + p]!;
      c[i * n + j] = acc ? c[i * n + j]! + s : s;
    }
  }
}

/** C[m,n] (+)= A[k,m]ᵀ · B[k,n] */
export function mmTN(c: Data, a: Data, b: Data, m: number, k: number, n: number, acc: boolean): void {
  if (!acc) c.fill(0, 0, m * n);
  for (let p = 0; p < k; p++) {
    const bp = p * n;
    for (let i = 0; i < m; i++) {
      const av = a[p * m + i]!;
      if (av === 0) continue;
      const ci = i * n;
      for (let j = 0; j < n; j++) c[ci + j]! += av * b[bp + j]!;
    }
  }
}
