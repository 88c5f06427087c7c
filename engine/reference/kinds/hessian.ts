/**
 * `hessian` cases: the dense Hessian of an MLP's loss over its flattened parameters (in
 * `param_order`, each row-major), built column by column from Hessian-vector products, and its
 * eigenvalues.
 */
import { symmetricEigen } from '../../linalg/symmetric-eigen.js';
import { Tensor } from '../../tensor/tensor.js';
import { CaseError, field, numberField, toTensor, type CaseJson } from '../case.js';
import { Comparisons, type CaseHandler } from '../result.js';
import { mlpOfCase } from './mlp-case.js';
import type { Program } from '../../autodiff/program.js';

/** H (n×n, row-major) of `loss` over the given parameter slots, one HVP per column. */
export function denseHessian(program: Program, loss: number, slots: readonly number[]): Float64Array {
  const sizes = slots.map((s) => program.value(s).size);
  const n = sizes.reduce((a, b) => a + b, 0);
  const h = new Float64Array(n * n);
  const v = new Map(slots.map((s) => [s, Tensor.zeros(program.value(s).shape, program.dtype)]));
  let col = 0;
  slots.forEach((s, k) => {
    for (let e = 0; e < sizes[k]!; e++, col++) {
      v.get(s)!.data[e] = 1;
      const hv = program.hvp(loss, v);
      v.get(s)!.data[e] = 0;
      let row = 0;
      for (const r of slots) for (const x of hv.get(r)!.data) h[row++ * n + col] = x;
    }
  });
  return h;
}

export const runHessianCase: CaseHandler = (c: CaseJson, { dtype }) => {
  const { program, loss, params } = mlpOfCase(c, dtype);
  const order = field(c, 'param_order');
  if (!Array.isArray(order) || !order.every((x) => typeof x === 'string' && params.has(x)))
    throw new CaseError(`param_order must list parameters of the network (${[...params.keys()].join(', ')})`);
  const slots = (order as string[]).map((name) => params.get(name)!);
  const cmp = new Comparisons();
  program.forward();
  cmp.add('loss', program.value(loss).data, [numberField(c, 'loss_value')]);
  const h = denseHessian(program, loss, slots);
  cmp.add('hessian', h, toTensor(c.hessian, 'float64', 'hessian').data);
  if (c.eigenvalues !== undefined) {
    const n = Math.round(Math.sqrt(h.length));
    // Symmetrise: in float32 the two triangles of H differ by rounding.
    for (let i = 0; i < n; i++)
      for (let j = i + 1; j < n; j++) h[i * n + j] = h[j * n + i] = 0.5 * (h[i * n + j]! + h[j * n + i]!);
    const expected = Float64Array.from(toTensor(c.eigenvalues, 'float64', 'eigenvalues').data).sort();
    cmp.add('eigenvalues', symmetricEigen(h, n).values, expected);
  }
  return cmp.list;
};
