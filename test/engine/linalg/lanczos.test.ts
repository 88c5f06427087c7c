import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lanczos } from '../../../engine/linalg/lanczos.js';
import { symmetricEigen } from '../../../engine/linalg/symmetric-eigen.js';
import { Rng } from '../../../engine/tensor/random.js';

function dense(a: Float64Array, n: number) {
  return (v: Float64Array) => {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) out[i]! += a[i * n + j]! * v[j]!;
    return out;
  };
}

function randomSymmetric(n: number, seed: number): Float64Array {
  const rng = new Rng(seed);
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = i; j < n; j++) a[i * n + j] = a[j * n + i] = rng.normal();
  return a;
}

test('lanczos with k = n finds every eigenvalue of a dense symmetric matrix', () => {
  const n = 16;
  const a = randomSymmetric(n, 3);
  const exact = symmetricEigen(a, n).values;
  const r = lanczos(dense(a, n), n, { steps: n });
  assert.equal(r.ritzValues.length, n);
  exact.forEach((v, i) =>
    assert.ok(Math.abs(r.ritzValues[i]! - v) < 1e-9, `λ${i}: ${r.ritzValues[i]} vs ${v}`),
  );
});

test('lanczos with k ≪ n finds well-separated extremes, and its residual bounds the error', () => {
  // A diagonal operator in a random orthonormal basis would do too; the spectrum is what matters.
  const n = 300;
  const diag = Float64Array.from({ length: n }, (_, i) => (i === 0 ? -40 : i === n - 1 ? 90 : i / 30));
  const op = (v: Float64Array) => v.map((x, i) => diag[i]! * x);
  const r = lanczos(op, n, { steps: 30, seed: 5 });
  assert.equal(r.steps, 30);
  assert.ok(Math.abs(r.top.value - 90) < 1e-8, `top ${r.top.value}`);
  assert.ok(Math.abs(r.bottom.value + 40) < 1e-8, `bottom ${r.bottom.value}`);
  assert.ok(Math.abs(r.top.value - 90) <= r.top.residual + 1e-9);
  // The top Ritz vector is the last coordinate axis.
  assert.ok(Math.abs(Math.abs(r.top.vector[n - 1]!) - 1) < 1e-8);
  const res = op(r.top.vector).map((x, i) => x - r.top.value * r.top.vector[i]!);
  assert.ok(Math.hypot(...res) <= r.top.residual * 1.01 + 1e-10);
});

test('lanczos stops early on an invariant subspace (a matrix with two distinct eigenvalues)', () => {
  const n = 10;
  const op = (v: Float64Array) => v.map((x, i) => (i % 2 ? 3 : -1) * x);
  const r = lanczos(op, n, { steps: 8 });
  assert.equal(r.steps, 2);
  assert.ok(Math.abs(r.top.value - 3) < 1e-12 && Math.abs(r.bottom.value + 1) < 1e-12);
});

test('lanczos names a non-finite product', () => {
  assert.throws(() => lanczos(() => Float64Array.from([NaN, 0]), 2, { steps: 2 }), /non-finite entry at 0/);
});
