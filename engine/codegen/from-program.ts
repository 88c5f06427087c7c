/**
 * The code generator's view of a compiled graph: read off a Program (nodes, resolved attributes,
 * parameter and state values, which gradients flow) and a second build of the same graph at
 * another batch size (a dimension that changes with it is the batch dimension 'N').
 */
import type { Program } from '../autodiff/program.js';
import type { TrainingConfig } from '../graph/document.js';
import type { CodegenGraph, CodegenNode, Dim, SymShape } from './ir.js';
import { inputPorts } from '../ops/define.js';

export interface ProgramView {
  program: Program;
  /** The same graph built for a different batch size. */
  other: Program;
  /** Slots of the features, the targets (if any), the loss and the prediction. */
  input: number;
  /** Every input's slot where the graph has several, in order. */
  inputs?: readonly number[];
  target: number | null;
  loss: number;
  prediction: number;
  training: TrainingConfig;
}

function symbolic(a: readonly number[], b: readonly number[]): SymShape {
  return a.map((d, i): Dim => (d === b[i] ? d : 'N'));
}

const f64 = (d: ArrayLike<number>): Float64Array => Float64Array.from(d);

export function graphFromProgram(view: ProgramView): CodegenGraph {
  const { program, other } = view;
  if (program.slots.length !== other.slots.length)
    throw new Error('graphFromProgram: the two builds of the graph differ');
  const shapeOf = (slot: number): SymShape => symbolic(program.slots[slot]!.shape, other.slots[slot]!.shape);
  const idOf = (slot: number): string => program.slots[slot]!.name;
  const nodes: CodegenNode[] = [];
  for (const n of program.nodes) {
    if (n.op.category === 'data') continue;
    const ports = inputPorts(n.op, n.ctx.attrs);
    nodes.push({
      // One output of several (split) is its own node, named as its value is: `<node>:<port>`.
      id: n.port === undefined ? n.id : idOf(n.output),
      ...(n.port === undefined ? {} : { output: n.ctx.output }),
      op: n.op.name,
      attrs: { ...n.ctx.attrs },
      inputs: ports.map((port, i) => ({
        port,
        from: idOf(n.inputs[i]!),
        shape: shapeOf(n.inputs[i]!),
        needsGrad: n.gx[i] != null,
      })),
      shape: shapeOf(n.output),
      params: n.inputs.slice(ports.length).map((s) => {
        const slot = program.slots[s]!;
        return {
          name: slot.owner!.param,
          role: slot.owner!.role as CodegenNode['params'][number]['role'],
          shape: slot.shape.slice(),
          data: f64(slot.value.data),
        };
      }),
      state: Object.entries(n.ctx.state).map(([name, t]) => ({
        name,
        shape: t.shape.slice(),
        data: f64(t.data),
      })),
    });
  }
  return {
    input: { id: idOf(view.input), shape: shapeOf(view.input) },
    ...(view.inputs && view.inputs.length > 1
      ? { inputs: view.inputs.map((s) => ({ id: idOf(s), shape: shapeOf(s) })) }
      : {}),
    target: view.target === null ? null : { id: idOf(view.target), shape: shapeOf(view.target) },
    nodes,
    prediction: idOf(view.prediction),
    loss: idOf(view.loss),
    training: view.training,
  };
}
