import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { symmetricEigen } from '../../../engine/linalg/symmetric-eigen.js';
import { Rng } from '../../../engine/tensor/random.js';

function randomSymmetric(n: number, seed: number): Float64Array {
  const rng = new Rng(seed);
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = i; j < n; j++) a[i * n + j] = a[j * n + i] = rng.normal();
  return a;
}

for (const n of [1, 2, 5, 12, 30]) {
  test(`symmetricEigen: A v = λ v with orthonormal v, ascending λ, trace preserved (n = ${n})`, () => {
    const a = randomSymmetric(n, n);
    const { values, vectors } = symmetricEigen(a, n);
    let trace = 0;
    for (let i = 0; i < n; i++) trace += a[i * n + i]!;
    assert.ok(Math.abs(values.reduce((s, v) => s + v, 0) - trace) < 1e-10 * n);
    for (let j = 0; j < n; j++) {
      if (j > 0) assert.ok(values[j - 1]! <= values[j]!);
      for (let i = 0; i < n; i++) {
        let av = 0;
        for (let k = 0; k < n; k++) av += a[i * n + k]! * vectors[k * n + j]!;
        assert.ok(Math.abs(av - values[j]! * vectors[i * n + j]!) < 1e-10, `residual at (${i}, ${j})`);
      }
      for (let l = 0; l < n; l++) {
        let dot = 0;
        for (let k = 0; k < n; k++) dot += vectors[k * n + j]! * vectors[k * n + l]!;
        assert.ok(Math.abs(dot - (j === l ? 1 : 0)) < 1e-12);
      }
    }
  });
}

test('symmetricEigen reproduces the eigenvalues of the PyTorch reference Hessian', () => {
  const ref = JSON.parse(
    readFileSync(resolve(__dirname, '../../../../shared/reference/pytorch-reference.json'), 'utf8'),
  ) as {
    cases: {
      kind: string;
      hessian?: { shape: number[]; data: number[] };
      eigenvalues?: { data: number[] };
    }[];
  };
  const c = ref.cases.find((x) => x.kind === 'hessian')!;
  const n = c.hessian!.shape[0]!;
  const { values } = symmetricEigen(c.hessian!.data, n);
  c.eigenvalues!.data.forEach((want, i) =>
    assert.ok(Math.abs(values[i]! - want) < 1e-10, `λ${i}: ${values[i]} vs ${want}`),
  );
});

test('symmetricEigen names a non-finite entry', () => {
  assert.throws(() => symmetricEigen([1, NaN, NaN, 1], 2), /entry \(0, 1\) is NaN/);
});
