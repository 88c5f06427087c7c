import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Matrix,
  fromRows,
  identity,
  kron,
  kroneckerView,
  linearWeightJacobian,
  linearWeightVjp,
  matmul,
  matrix,
  matvec,
  transpose,
  unvec,
  vec,
} from '../../../engine/analysis/kronecker.js';
import { Rng } from '../../../engine/tensor/random.js';
import { ProgramBuilder } from '../../../engine/autodiff/program.js';
import { Tensor } from '../../../engine/tensor/tensor.js';

const rng = new Rng(7);
function random(rows: number, cols: number): Matrix {
  return matrix(
    rows,
    cols,
    Array.from({ length: rows * cols }, () => rng.normal()),
  );
}

function assertClose(a: ArrayLike<number>, b: ArrayLike<number>, tol = 1e-12): void {
  assert.equal(a.length, b.length);
  for (let i = 0; i < a.length; i++)
    assert.ok(Math.abs(a[i]! - b[i]!) <= tol * (1 + Math.abs(b[i]!)), `index ${i}: ${a[i]} vs ${b[i]}`);
}

test('kron of small literal matrices has the block layout A[i,j]·B', () => {
  const k = kron(
    fromRows([[1, 2]]),
    fromRows([
      [0, 1],
      [1, 0],
    ]),
  );
  assert.deepEqual(Array.from(k.data), [0, 1, 0, 2, 1, 0, 2, 0]);
  assert.deepEqual([k.rows, k.cols], [2, 4]);
});

test('vec stacks columns and unvec inverts it', () => {
  const a = fromRows([
    [1, 2, 3],
    [4, 5, 6],
  ]);
  assert.deepEqual(Array.from(vec(a)), [1, 4, 2, 5, 3, 6]);
  assert.deepEqual(unvec(vec(a), 2, 3), a);
});

const shapes = [
  { a: [2, 3], b: [4, 2], c: [3, 2], d: [2, 5] },
  { a: [1, 4], b: [3, 3], c: [4, 1], d: [3, 2] },
  { a: [3, 3], b: [1, 2], c: [3, 4], d: [2, 2] },
];

for (const s of shapes) {
  test(`mixed product (A⊗B)(C⊗D) = AC⊗BD for A${s.a} B${s.b} C${s.c} D${s.d}`, () => {
    const [a, b, c, d] = [s.a, s.b, s.c, s.d].map(([r, k]) => random(r!, k!)) as [
      Matrix,
      Matrix,
      Matrix,
      Matrix,
    ];
    assertClose(matmul(kron(a, b), kron(c, d)).data, kron(matmul(a, c), matmul(b, d)).data);
  });

  test(`transpose (A⊗B)ᵀ = Aᵀ⊗Bᵀ for A${s.a} B${s.b}`, () => {
    const a = random(s.a[0]!, s.a[1]!),
      b = random(s.b[0]!, s.b[1]!);
    assertClose(transpose(kron(a, b)).data, kron(transpose(a), transpose(b)).data);
  });
}

for (const [g, e, f] of [
  [
    [2, 3],
    [3, 4],
    [4, 2],
  ],
  [
    [1, 2],
    [2, 2],
    [2, 5],
  ],
  [
    [4, 1],
    [1, 3],
    [3, 1],
  ],
] as const) {
  test(`vec(GEF) = (Fᵀ⊗G) vec(E) for G${g} E${e} F${f}`, () => {
    const G = random(g[0], g[1]),
      E = random(e[0], e[1]),
      F = random(f[0], f[1]);
    assertClose(vec(matmul(matmul(G, E), F)), matvec(kron(transpose(F), G), vec(E)));
  });
}

test('the explicit Jacobian Φᵀ⊗I maps vec(W) to vec(WΦ), and its transpose times vec(G) is G Φᵀ', () => {
  const n = 3,
    inF = 2,
    out = 4;
  const x = random(n, inF),
    w = random(out, inF),
    gy = random(n, out);
  const jac = linearWeightJacobian(x, out);
  assert.deepEqual([jac.rows, jac.cols], [n * out, out * inF]);
  // F = W Φ = (X Wᵀ)ᵀ, so J vec(W) must equal vec(W Xᵀ).
  assertClose(matvec(jac, vec(w)), vec(matmul(w, transpose(x))));
  const view = kroneckerView(x, gy);
  assert.ok(view.maxDifference < 1e-12, `difference ${view.maxDifference}`);
  assertClose(view.vjp.flat(), linearWeightVjp(gy, x).data);
  assert.ok(view.flops.viaJacobian > view.flops.vjp);
  assert.deepEqual(identity(2).data, Float64Array.from([1, 0, 0, 1]));
});

test("the explicit Jacobian's transpose times vec(G) equals the engine's linear-op VJP for W", () => {
  const n = 3,
    inF = 4,
    out = 2;
  const x = random(n, inF),
    w = random(out, inF),
    gy = random(n, out);
  const b = new ProgramBuilder('float64');
  const xs = b.input('x', [n, inF], { value: Tensor.from([n, inF], x.data, 'float64') });
  const y = b.node(
    'fc',
    'linear',
    [xs],
    { units: out },
    { params: { weight: Tensor.from([out, inF], w.data, 'float64') } },
  );
  const program = b.build();
  program.forward();
  program.backwardFrom(y, Tensor.from([n, out], gy.data, 'float64'));
  const engine = program.grad(program.slot('fc.weight'))!.data;
  const view = kroneckerView(x, gy);
  assertClose(engine, view.viaJacobian.flat());
  assertClose(engine, view.vjp.flat());
});
