/**
 * The Lanczos method for the extreme eigenvalues of a symmetric operator known only through
 * matrix-vector products (a Hessian through Hessian-vector products): k products build an
 * orthonormal basis Q of the Krylov space span{q, Aq, ..., A^(k-1) q} in which A is the tridiagonal
 * T = QᵀAQ; the eigenvalues of T (Ritz values) approach A's extreme eigenvalues first.
 *
 * Every new basis vector is re-orthogonalised against all previous ones (full
 * reorthogonalisation, twice: "twice is enough"), which costs O(k·n) memory and O(k²·n) time but
 * prevents the ghost copies of converged eigenvalues that plain Lanczos produces in floating point.
 * That is the right trade for the small k (tens) used here.
 */
import { Rng } from '../tensor/random.js';
import { symmetricEigen } from './symmetric-eigen.js';
import { runTask, type Task } from '../task/task.js';

export interface LanczosOptions {
  /** Krylov dimension k (capped at n). */
  steps: number;
  /** Seed of the random start vector. */
  seed?: number;
}

export interface RitzPair {
  value: number;
  /** Unit vector of length n. */
  vector: Float64Array;
  /** |β_k · s_k|: the residual ‖A y − θ y‖ of this Ritz pair, an error bound on θ. */
  residual: number;
}

export interface LanczosResult {
  /** Products actually taken (fewer than requested when an invariant subspace is found). */
  steps: number;
  /** All Ritz values, ascending. */
  ritzValues: Float64Array;
  /** The largest and the smallest Ritz pairs. */
  top: RitzPair;
  bottom: RitzPair;
  /** The tridiagonal: diagonal α and off-diagonal β. */
  alpha: Float64Array;
  beta: Float64Array;
}

/** `matvec(v)` returns A·v for a vector of length n (a new array; v must not be modified). */
export function lanczos(
  matvec: (v: Float64Array) => Float64Array,
  n: number,
  opts: LanczosOptions,
): LanczosResult {
  return runTask(lanczosSteps(matvec, n, opts));
}

/** Lanczos as a task: yields after every product ("Lanczos 12/40"). */
export function* lanczosSteps(
  matvec: (v: Float64Array) => Float64Array,
  n: number,
  opts: LanczosOptions,
): Task<LanczosResult> {
  if (n < 1) throw new Error('lanczos: the operator has no dimensions');
  const k = Math.max(1, Math.min(opts.steps, n));
  const rng = new Rng(opts.seed ?? 1);
  const basis: Float64Array[] = [];
  const alpha: number[] = [];
  const beta: number[] = [];
  let q: Float64Array = new Float64Array(n);
  for (let i = 0; i < n; i++) q[i] = rng.normal();
  scale(q, 1 / norm(q));
  let scaleEstimate = 0;
  for (let j = 0; j < k; j++) {
    basis.push(q);
    const w = matvec(q);
    if (w.length !== n) throw new Error(`lanczos: matvec returned ${w.length} values, expected ${n}`);
    for (let i = 0; i < n; i++)
      if (!Number.isFinite(w[i]!))
        throw new Error(`lanczos: product ${j + 1} has a non-finite entry at ${i}`);
    const a = dot(q, w);
    alpha.push(a);
    for (let pass = 0; pass < 2; pass++) for (const b of basis) axpy(-dot(b, w), b, w);
    const bnorm = norm(w);
    scaleEstimate = Math.max(scaleEstimate, Math.abs(a), bnorm);
    yield { done: j + 1, total: k, label: `Lanczos ${j + 1}/${k}` };
    if (j === k - 1) {
      beta.push(bnorm);
      break;
    }
    // An invariant subspace: the Ritz values are exact eigenvalues; stop.
    if (bnorm <= 1e-12 * Math.max(scaleEstimate, Number.MIN_VALUE)) {
      beta.push(0);
      break;
    }
    beta.push(bnorm);
    q = w;
    scale(q, 1 / bnorm);
  }
  const m = alpha.length;
  const t = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    t[i * m + i] = alpha[i]!;
    if (i + 1 < m) t[i * m + i + 1] = t[(i + 1) * m + i] = beta[i]!;
  }
  const eig = symmetricEigen(t, m);
  const ritz = (col: number): RitzPair => {
    const y = new Float64Array(n);
    for (let i = 0; i < m; i++) axpy(eig.vectors[i * m + col]!, basis[i]!, y);
    scale(y, 1 / norm(y));
    return {
      value: eig.values[col]!,
      vector: y,
      residual: Math.abs(beta[m - 1]! * eig.vectors[(m - 1) * m + col]!),
    };
  };
  return {
    steps: m,
    ritzValues: eig.values,
    top: ritz(m - 1),
    bottom: ritz(0),
    alpha: Float64Array.from(alpha),
    beta: Float64Array.from(beta.slice(0, m - 1)),
  };
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

function norm(a: Float64Array): number {
  return Math.sqrt(dot(a, a));
}

function scale(a: Float64Array, s: number): void {
  for (let i = 0; i < a.length; i++) a[i]! *= s;
}

/** y += s·x */
function axpy(s: number, x: Float64Array, y: Float64Array): void {
  for (let i = 0; i < y.length; i++) y[i]! += s * x[i]!;
}
