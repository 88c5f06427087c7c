/**
 * `optimiser` cases: a small MLP (`network`: layers, activation, loss) trained full-batch from
 * `params0` on `x`, `y` with a torch.optim optimiser (`optimiser`, `config` in PyTorch's argument
 * names); the loss before each step and every parameter after each step are compared.
 */
import type { OptimizerConfig } from '../../graph/document.js';
import { buildMlp } from '../../nn/mlp.js';
import { createOptimizer } from '../../optim/optimizers.js';
import {
  CaseError,
  field,
  isObject,
  numbersField,
  objectField,
  stringField,
  tensorsField,
  toTensor,
} from '../case.js';
import { Comparisons, type CaseHandler } from '../result.js';

/** PyTorch's argument names to ours (the rest are the same). */
const ARGUMENT_NAMES: Readonly<Record<string, string>> = { weight_decay: 'weightDecay' };
const KINDS: readonly OptimizerConfig['kind'][] = ['sgd', 'adam', 'adamw', 'rmsprop', 'adagrad'];

/** A torch.optim constructor's name and keyword arguments as an OptimizerConfig. */
export function optimizerConfigOf(name: string, args: unknown): OptimizerConfig {
  const kind = KINDS.find((k) => k === name);
  if (!kind) throw new CaseError(`optimiser '${name}' is not one of ${KINDS.join(', ')}`);
  if (!isObject(args)) throw new CaseError(`field 'config' must be an object`);
  const config: Record<string, unknown> = { kind };
  for (const [k, v] of Object.entries(args)) config[ARGUMENT_NAMES[k] ?? k] = v;
  if (typeof config.lr !== 'number') throw new CaseError(`config.lr must be a number`);
  return config as OptimizerConfig;
}

export const runOptimiserCase: CaseHandler = (c, { dtype }) => {
  const config = optimizerConfigOf(stringField(c, 'optimiser'), field(c, 'config'));
  const net = objectField(c, 'network');
  const x = toTensor(c.x, dtype, 'x');
  const y = toTensor(c.y, dtype, 'y');
  const params = Object.fromEntries(tensorsField(c, 'params0', dtype));
  const mlp = buildMlp({
    layers: numbersField(net, 'layers'),
    activation: stringField(net, 'activation'),
    loss: stringField(net, 'loss'),
    batch: x.shape[0] ?? 0,
    dtype,
    params,
    classTargets: y.shape.length === 1,
  });
  const names = [...mlp.params.keys()];
  for (const name of Object.keys(params))
    if (!mlp.params.has(name)) throw new CaseError(`params0.${name} is not a parameter of the network`);
  const p = mlp.program;
  p.value(mlp.input).data.set(x.data);
  p.value(mlp.target).data.set(y.data);
  const slots = names.map((n) => mlp.params.get(n)!);
  const opt = createOptimizer(
    config,
    slots.map((s) => ({ param: p.value(s), grad: p.grad(s)! })),
  );
  const losses = numbersField(c, 'losses_before_each_step');
  const after = field(c, 'params_after_each_step');
  if (!Array.isArray(after) || after.length !== losses.length)
    throw new CaseError('params_after_each_step must be a list as long as losses_before_each_step');
  const cmp = new Comparisons();
  const seen: number[] = [];
  after.forEach((expected, step) => {
    p.forward();
    seen.push(p.value(mlp.loss).data[0]!);
    p.backward(mlp.loss);
    opt.step();
    if (!isObject(expected))
      throw new CaseError(`params_after_each_step[${step}] must be an object of tensors`);
    for (const [name, t] of tensorsField({ params: expected }, 'params', dtype)) {
      const s = mlp.params.get(name);
      if (s === undefined) throw new CaseError(`params_after_each_step[${step}].${name} is not a parameter`);
      cmp.add(`step ${step + 1} ${name}`, p.value(s).data, t.data);
    }
  });
  cmp.add('losses_before_each_step', seen, losses);
  return cmp.list;
};
