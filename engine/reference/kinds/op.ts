/**
 * `op` cases: one op on given inputs; its output, the VJP of a cotangent for every differentiable
 * input (`inputs`; `const` ones get none), and the JVP along `tangents`. A variadic op (concat,
 * stack) takes the ports its attributes give it; an op with several outputs (split) is checked at
 * the output port `outputPort` (default 0).
 */
import { ProgramBuilder } from '../../autodiff/program.js';
import { requireOp } from '../../ops/registry.js';
import { inputPorts } from '../../ops/define.js';
import { resolveAttrs } from '../../ops/attrs.js';
import type { Shape, Tensor } from '../../tensor/tensor.js';
import { CaseError, isObject, objectField, stringField, tensorsField, toTensor } from '../case.js';
import { Comparisons, type CaseHandler } from '../result.js';

/** Keys of a case's `attrs` that document the case rather than configure the op. */
const DOC_KEYS = ['note', 'layout'];

export const runOpCase: CaseHandler = (c, { dtype }) => {
  const op = requireOp(stringField(c, 'op'));
  const given = { ...objectField(c, 'attrs') };
  const training = given.training ?? true;
  if (typeof training !== 'boolean') throw new CaseError('attrs.training must be true or false');
  delete given.training;
  const inputs = tensorsField(c, 'inputs', dtype);
  const consts = tensorsField(c, 'const', dtype);
  const valueOf = (name: string): Tensor => {
    const t = inputs.get(name) ?? consts.get(name);
    if (!t) throw new CaseError(`${op.name} needs '${name}' in inputs or const`);
    return t;
  };
  const output = given.outputPort ?? 0;
  if (typeof output !== 'number' || !Number.isInteger(output) || output < 0)
    throw new CaseError('attrs.outputPort must be a whole number');
  delete given.outputPort;
  const shapes: Record<string, Shape> = {};
  for (const [k, t] of [...inputs, ...consts]) shapes[k] = t.shape;
  const attrs = { ...op.deriveAttrs?.(shapes, given), ...given };
  const ports = inputPorts(op, resolveAttrs(op, attrs, DOC_KEYS));
  const allInputs = [...ports, ...(op.params ?? []).map((p) => p.name)];
  for (const name of [...inputs.keys(), ...consts.keys()])
    if (!allInputs.includes(name))
      throw new CaseError(`${op.name} has no input '${name}'; its inputs are ${allInputs.join(', ')}`);
  const paramNames = (op.params ?? []).map((p) => p.name).filter((n) => inputs.has(n) || consts.has(n));
  if (op.params?.some((p) => p.name === 'bias') && !paramNames.includes('bias') && 'bias' in op.attrs)
    attrs.bias = false;

  const b = new ProgramBuilder(dtype);
  const slots = new Map<string, number>();
  for (const port of ports)
    slots.set(
      port,
      b.input(port, valueOf(port).shape, { value: valueOf(port), differentiable: inputs.has(port) }),
    );
  const params: Record<string, Tensor> = {};
  for (const p of paramNames) params[p] = valueOf(p);
  const out = b.node(
    'op',
    op.name,
    ports.map((p) => slots.get(p)!),
    attrs,
    { params, ignoreAttrs: DOC_KEYS, output },
  );
  const program = b.build();
  program.setTraining(training);
  for (const p of paramNames) slots.set(p, program.slot(`op.${p}`));

  const cmp = new Comparisons();
  program.forward();
  cmp.add('output', program.value(out).data, toTensor(c.output, dtype, 'output').data);
  if (isObject(c.vjp)) {
    program.backwardFrom(out, toTensor(c.cotangent, dtype, 'cotangent'));
    for (const [name, expected] of tensorsField(c, 'vjp', dtype)) {
      const g = slots.has(name) ? program.grad(slots.get(name)!) : null;
      if (!g) throw new CaseError(`${op.name} gives no gradient for '${name}'`);
      cmp.add(`vjp.${name}`, g.data, expected.data);
    }
  }
  if (c.jvp !== undefined) {
    const seeds = new Map<number, Tensor>();
    for (const [name, t] of tensorsField(c, 'tangents', dtype)) {
      if (!slots.has(name)) throw new CaseError(`tangents.${name}: ${op.name} has no such input`);
      seeds.set(slots.get(name)!, t);
    }
    const t = program.jvp(seeds);
    cmp.add('jvp', t[out]!.data, toTensor(c.jvp, dtype, 'jvp').data);
  }
  return cmp.list;
};
