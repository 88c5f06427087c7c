/**
 * `init` cases: the bounds and standard deviations of torch.nn.init's Xavier/Glorot and
 * He/Kaiming initialisers, PyTorch's Linear default and two gains, for a weight of
 * [fan_out, fan_in]. The formulas are engine/nn/init.ts's; a drawn weight is also checked to stay
 * within its uniform bound.
 */
import { Tensor } from '../../tensor/tensor.js';
import { Rng } from '../../tensor/random.js';
import {
  activationGain,
  fans,
  initialize,
  kaimingNormalStd,
  kaimingUniformBound,
  torchDefaultBound,
  xavierNormalStd,
  xavierUniformBound,
} from '../../nn/init.js';
import { numberField } from '../case.js';
import { Comparisons, type CaseHandler } from '../result.js';

export const runInitCase: CaseHandler = (c, { dtype }) => {
  const fanIn = numberField(c, 'fan_in');
  const fanOut = numberField(c, 'fan_out');
  const f = fans([fanOut, fanIn]);
  const relu = activationGain('relu');
  const cmp = new Comparisons();
  const expect = (what: string, actual: number) => {
    if (c[what] !== undefined) cmp.add(what, [actual], [numberField(c, what)]);
  };
  expect('xavier_uniform_bound', xavierUniformBound(f));
  expect('xavier_normal_std', xavierNormalStd(f));
  expect('kaiming_uniform_relu_bound', kaimingUniformBound(f, relu));
  expect('kaiming_normal_relu_std', kaimingNormalStd(f, relu));
  expect('torch_linear_default_bound', torchDefaultBound(f));
  expect('gain_tanh', activationGain('tanh'));
  expect('gain_relu', relu);
  // A drawn default-initialised weight stays inside the reference's bound and nearly reaches it.
  if (c.torch_linear_default_bound !== undefined) {
    const bound = numberField(c, 'torch_linear_default_bound');
    const w = Tensor.zeros([fanOut, fanIn], dtype);
    initialize(w, 'default', 'weight', { fans: f }, new Rng(1));
    let max = 0;
    for (const v of w.data) max = Math.max(max, Math.abs(v));
    cmp.add('default weight: max |w| within the bound', [Math.min(max, bound)], [max]);
  }
  return cmp.list;
};
