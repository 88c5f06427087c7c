/** `network` cases: an MLP's output, loss, the gradient of every parameter, and one HVP. */
import type { Tensor } from '../../tensor/tensor.js';
import { numberField, tensorsField, toTensor, CaseError } from '../case.js';
import { Comparisons, type CaseHandler } from '../result.js';
import { mlpOfCase } from './mlp-case.js';

export const runNetworkCase: CaseHandler = (c, { dtype }) => {
  const { program, output, loss, params } = mlpOfCase(c, dtype);
  const slotOf = (name: string, field: string): number => {
    const s = params.get(name);
    if (s === undefined) throw new CaseError(`${field}.${name} is not a parameter of the network`);
    return s;
  };
  const cmp = new Comparisons();
  program.forward();
  cmp.add('output', program.value(output).data, toTensor(c.output, dtype, 'output').data);
  cmp.add('loss', program.value(loss).data, [numberField(c, 'loss_value')]);
  program.backward(loss);
  for (const [name, expected] of tensorsField(c, 'grads', dtype))
    cmp.add(`grads.${name}`, program.grad(slotOf(name, 'grads'))!.data, expected.data);
  if (c.hvp !== undefined) {
    const v = new Map<number, Tensor>();
    for (const [name, t] of tensorsField(c, 'hvp_vector', dtype)) v.set(slotOf(name, 'hvp_vector'), t);
    const hv = program.hvp(loss, v);
    for (const [name, expected] of tensorsField(c, 'hvp', dtype))
      cmp.add(`hvp.${name}`, hv.get(slotOf(name, 'hvp'))!.data, expected.data);
  }
  return cmp.list;
};
