/**
 * Eigenvalues and eigenvectors of a small dense symmetric matrix by the cyclic Jacobi method
 * (rotations that zero one off-diagonal pair at a time until the off-diagonal mass is negligible).
 * Slow for large n (O(n³) per sweep) but simple, accurate to a few ulps, and enough for what the
 * engine needs it for: dense Hessians of small models (the `hessian` reference case, the analysis
 * cross-check) and the tridiagonal matrices of Lanczos.
 */

export interface SymmetricEigen {
  /** Ascending. */
  values: Float64Array;
  /** Column j (vectors[i·n + j], i = 0..n-1) is the unit eigenvector of values[j]. */
  vectors: Float64Array;
}

/**
 * `a` is n×n row-major and must be symmetric (only the upper triangle is read). Not modified.
 * Throws if it has not converged after `maxSweeps` sweeps (never seen for symmetric input).
 */
export function symmetricEigen(a: ArrayLike<number>, n: number, maxSweeps = 100): SymmetricEigen {
  if (a.length !== n * n) throw new Error(`symmetricEigen: ${n}×${n} needs ${n * n} values, got ${a.length}`);
  const m = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = i; j < n; j++) {
      const v = a[i * n + j]!;
      if (!Number.isFinite(v)) throw new Error(`symmetricEigen: entry (${i}, ${j}) is ${v}`);
      m[i * n + j] = v;
      m[j * n + i] = v;
    }
  const vecs = new Float64Array(n * n);
  for (let i = 0; i < n; i++) vecs[i * n + i] = 1;

  let scale = 0;
  for (let i = 0; i < n * n; i++) scale += m[i]! * m[i]!;
  const tol = 1e-30 * Math.max(scale, Number.MIN_VALUE);
  let converged = n < 2;
  for (let sweep = 0; sweep < maxSweeps && !converged; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += m[p * n + q]! * m[p * n + q]!;
    if (off <= tol) {
      converged = true;
      break;
    }
    for (let p = 0; p < n - 1; p++)
      for (let q = p + 1; q < n; q++) {
        const apq = m[p * n + q]!;
        if (apq === 0) continue;
        const app = m[p * n + p]!,
          aqq = m[q * n + q]!;
        // The rotation angle that zeros (p, q): tan(2θ) = 2 a_pq / (a_qq - a_pp), smaller root.
        const theta = (aqq - app) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1),
          s = t * c;
        for (let k = 0; k < n; k++) {
          const mkp = m[k * n + p]!,
            mkq = m[k * n + q]!;
          m[k * n + p] = c * mkp - s * mkq;
          m[k * n + q] = s * mkp + c * mkq;
        }
        for (let k = 0; k < n; k++) {
          const mpk = m[p * n + k]!,
            mqk = m[q * n + k]!;
          m[p * n + k] = c * mpk - s * mqk;
          m[q * n + k] = s * mpk + c * mqk;
        }
        m[p * n + q] = 0;
        m[q * n + p] = 0;
        for (let k = 0; k < n; k++) {
          const vkp = vecs[k * n + p]!,
            vkq = vecs[k * n + q]!;
          vecs[k * n + p] = c * vkp - s * vkq;
          vecs[k * n + q] = s * vkp + c * vkq;
        }
      }
  }
  if (!converged) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += m[p * n + q]! * m[p * n + q]!;
    if (off > tol) throw new Error(`symmetricEigen: no convergence after ${maxSweeps} sweeps`);
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => m[i * n + i]! - m[j * n + j]!);
  const values = Float64Array.from(order, (i) => m[i * n + i]!);
  const vectors = new Float64Array(n * n);
  order.forEach((src, dst) => {
    for (let k = 0; k < n; k++) vectors[k * n + dst] = vecs[k * n + src]!;
  });
  return { values, vectors };
}
