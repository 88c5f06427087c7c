/** Reading the MLP that `network` and `hessian` cases describe. */
import { buildMlp, Mlp } from '../../nn/mlp.js';
import type { DType } from '../../tensor/tensor.js';
import { CaseError, numbersField, stringField, tensorsField, toTensor, type CaseJson } from '../case.js';

export function mlpOfCase(c: CaseJson, dtype: DType): Mlp {
  const x = toTensor(c.x, dtype, 'x');
  const y = toTensor(c.y, dtype, 'y');
  const reduction = c.reduction ?? 'mean';
  if (reduction !== 'mean' && reduction !== 'sum') throw new CaseError("reduction must be 'mean' or 'sum'");
  const params = Object.fromEntries(tensorsField(c, 'params', dtype));
  const layers = numbersField(c, 'layers');
  const mlp = buildMlp({
    layers,
    activation: stringField(c, 'activation'),
    loss: stringField(c, 'loss'),
    reduction,
    batch: x.shape[0] ?? 0,
    dtype,
    params,
    classTargets: y.shape.length === 1,
  });
  for (const name of Object.keys(params))
    if (!mlp.params.has(name))
      throw new CaseError(`params.${name} is not a parameter of a ${layers.join('-')} MLP`);
  mlp.program.value(mlp.input).data.set(x.data);
  mlp.program.value(mlp.target).data.set(y.data);
  return mlp;
}
