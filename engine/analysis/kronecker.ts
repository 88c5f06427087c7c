/**
 * The matrix-calculus view of a linear layer (the lecture's "stacking and Kronecker products").
 *
 * Conventions. Matrices are dense, row-major, float64. `vec` stacks COLUMNS (the lecture's and
 * the textbook convention), so vec(A)[j·rows + i] = A[i, j]. The engine's `linear` op computes
 * Y = X Wᵀ + b with X [N, in], W [out, in], Y [N, out] (PyTorch layout). In the lecture's column
 * view that is F = W Φ with Φ = Xᵀ (one example per column) and F = Yᵀ, so
 *
 *   vec(F) = vec(I · W · Φ) = (Φᵀ ⊗ I_out) vec(W)      (the vec(GEF) = (Fᵀ ⊗ G) vec(E) rule)
 *
 * and the Jacobian ∂vec(F)/∂vec(W) = Φᵀ ⊗ I_out = X ⊗ I_out, an (N·out) × (out·in) matrix that
 * is mostly zeros. Reverse mode never forms it: for an output gradient G = ∂L/∂F (out × N),
 *
 *   vec(∂L/∂W) = (Φᵀ ⊗ I)ᵀ vec(G) = (Φ ⊗ I) vec(G) = vec(G Φᵀ),
 *
 * so the VJP is the small product G Φᵀ (= gYᵀ X in the engine's row layout).
 */

/** A dense row-major float64 matrix. Plain data, so it serialises to the webview as is. */
export interface Matrix {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float64Array;
}

export function matrix(rows: number, cols: number, values?: ArrayLike<number>): Matrix {
  const data = new Float64Array(rows * cols);
  if (values) {
    if (values.length !== rows * cols)
      throw new Error(`matrix: ${rows}×${cols} needs ${rows * cols} values, got ${values.length}`);
    data.set(values);
  }
  return { rows, cols, data };
}

/** A matrix from nested rows (tests and small literal examples). */
export function fromRows(rows: readonly (readonly number[])[]): Matrix {
  const cols = rows[0]?.length ?? 0;
  if (rows.some((r) => r.length !== cols)) throw new Error('fromRows: rows of different lengths');
  return matrix(rows.length, cols, rows.flat());
}

/** Nested rows, for display and JSON. */
export function toRows(a: Matrix): number[][] {
  return Array.from({ length: a.rows }, (_, i) => Array.from(a.data.subarray(i * a.cols, (i + 1) * a.cols)));
}

export function identity(n: number): Matrix {
  const m = matrix(n, n);
  for (let i = 0; i < n; i++) m.data[i * n + i] = 1;
  return m;
}

export function transpose(a: Matrix): Matrix {
  const t = matrix(a.cols, a.rows);
  for (let i = 0; i < a.rows; i++)
    for (let j = 0; j < a.cols; j++) t.data[j * a.rows + i] = a.data[i * a.cols + j]!;
  return t;
}

export function matmul(a: Matrix, b: Matrix): Matrix {
  if (a.cols !== b.rows) throw new Error(`matmul: ${a.rows}×${a.cols} times ${b.rows}×${b.cols}`);
  const c = matrix(a.rows, b.cols);
  for (let i = 0; i < a.rows; i++) {
    for (let k = 0; k < a.cols; k++) {
      const aik = a.data[i * a.cols + k]!;
      if (aik === 0) continue;
      for (let j = 0; j < b.cols; j++) c.data[i * b.cols + j]! += aik * b.data[k * b.cols + j]!;
    }
  }
  return c;
}

/** The Kronecker product: block (i, j) of A ⊗ B is A[i, j]·B. */
export function kron(a: Matrix, b: Matrix): Matrix {
  const k = matrix(a.rows * b.rows, a.cols * b.cols);
  for (let i = 0; i < a.rows; i++)
    for (let j = 0; j < a.cols; j++) {
      const aij = a.data[i * a.cols + j]!;
      for (let p = 0; p < b.rows; p++)
        for (let q = 0; q < b.cols; q++)
          k.data[(i * b.rows + p) * k.cols + j * b.cols + q] = aij * b.data[p * b.cols + q]!;
    }
  return k;
}

/** Column stacking: vec(A)[j·rows + i] = A[i, j]. */
export function vec(a: Matrix): Float64Array {
  return transpose(a).data.slice();
}

/** The inverse of vec. */
export function unvec(v: ArrayLike<number>, rows: number, cols: number): Matrix {
  return transpose(matrix(cols, rows, v));
}

export function matvec(a: Matrix, v: ArrayLike<number>): Float64Array {
  if (v.length !== a.cols) throw new Error(`matvec: ${a.rows}×${a.cols} times a vector of ${v.length}`);
  const out = new Float64Array(a.rows);
  for (let i = 0; i < a.rows; i++) {
    let s = 0;
    for (let j = 0; j < a.cols; j++) s += a.data[i * a.cols + j]! * v[j]!;
    out[i] = s;
  }
  return out;
}

/**
 * ∂vec(F)/∂vec(W) for F = W Φ, given the layer's input X = Φᵀ ([N, in]) and its output width:
 * Φᵀ ⊗ I_out, of size (N·out) × (out·in).
 */
export function linearWeightJacobian(x: Matrix, outFeatures: number): Matrix {
  return kron(x, identity(outFeatures));
}

/** The efficient VJP for W: G Φᵀ with G = gYᵀ (out × N) and Φᵀ = X, i.e. gYᵀ X ([out, in]). */
export function linearWeightVjp(gy: Matrix, x: Matrix): Matrix {
  if (gy.rows !== x.rows) throw new Error(`linearWeightVjp: ${gy.rows} output rows vs ${x.rows} input rows`);
  return matmul(transpose(gy), x);
}

/** The two views of one linear layer's weight gradient, side by side (plain data for display). */
export interface KroneckerView {
  /** Φ = Xᵀ: the layer's input, one example per column ([in, N]). */
  phi: number[][];
  /** G = ∂L/∂F: the gradient at the layer's output, one example per column ([out, N]). */
  g: number[][];
  /** ∂vec(F)/∂vec(W) = Φᵀ ⊗ I_out, explicit ((N·out) × (out·in)). */
  jacobian: number[][];
  /** Jᵀ vec(G), reshaped to [out, in]: what multiplying by the explicit Jacobian gives. */
  viaJacobian: number[][];
  /** G Φᵀ ([out, in]): what the engine computes. */
  vjp: number[][];
  /** max |viaJacobian − vjp|. */
  maxDifference: number;
  /** Multiplications: the explicit product Jᵀ vec(G) against G Φᵀ. */
  flops: { viaJacobian: number; vjp: number };
}

export function kroneckerView(x: Matrix, gy: Matrix): KroneckerView {
  const out = gy.cols;
  const jac = linearWeightJacobian(x, out);
  const viaJ = unvec(matvec(transpose(jac), vec(transpose(gy))), out, x.cols);
  const direct = linearWeightVjp(gy, x);
  let maxDifference = 0;
  for (let i = 0; i < direct.data.length; i++)
    maxDifference = Math.max(maxDifference, Math.abs(direct.data[i]! - viaJ.data[i]!));
  return {
    phi: toRows(transpose(x)),
    g: toRows(transpose(gy)),
    jacobian: toRows(jac),
    viaJacobian: toRows(viaJ),
    vjp: toRows(direct),
    maxDifference,
    flops: { viaJacobian: jac.rows * jac.cols, vjp: out * x.cols * x.rows },
  };
}
