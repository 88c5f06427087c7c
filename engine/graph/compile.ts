/**
 * GraphDoc → CompiledGraph: a Program (engine/autodiff/program.ts) with every buffer allocated
 * once, parameters initialised from the graph's seed (engine/nn/init.ts) or loaded from a weights
 * file, and the slots the trainer needs (input, target, loss, prediction) named.
 */
import type { GraphDoc, NodeId } from './document.js';
import {
  analyzeGraph,
  forwardPath,
  sourceKeys,
  valueKey,
  type ResolvedNode,
  type SymbolicShape,
} from './check.js';
import { applyWeights, type Weights } from './weights.js';
import { GraphError } from './graph-error.js';
import { Program, ProgramBuilder, ProgramError } from '../autodiff/program.js';
import type { ParamRole } from '../ops/define.js';
import { INIT_KINDS, type InitKind } from '../ops/init-kinds.js';
import { fans, initialize, type Fans } from '../nn/init.js';
import { Rng } from '../tensor/random.js';
import type { DType, Tensor } from '../tensor/tensor.js';

export { GraphError };

export interface CompileOptions {
  batchSize: number;
  dtype?: DType;
  /** Seed for initial weights and dropout; default the document's training.seed, else 0. */
  seed?: number;
  /** Trained weights to start from instead of the initialisers. */
  weights?: Weights;
  /**
   * Compile only what a forward pass needs (see forwardPath): the prediction and the nodes it
   * depends on. Errors elsewhere (the dataset, the loss, an unconnected node) don't stop it. The
   * result has no target, and its `loss` slot is the prediction's: it is for inference, not training.
   */
  inference?: boolean;
}

export interface CompiledParam {
  node: NodeId;
  name: string;
  slot: number;
  role: ParamRole;
}

export interface CompiledGraph {
  readonly doc: GraphDoc;
  readonly program: Program;
  readonly batchSize: number;
  /** Node ids in execution order. */
  readonly order: NodeId[];
  /** Shapes by value key (check.ts valueKey: a node's id, or `id:port` for one of several outputs). */
  readonly shapes: Map<NodeId, SymbolicShape>;
  /** Output slots by value key; a node with several outputs is also listed by its id (its first output). */
  readonly nodeSlot: Map<NodeId, number>;
  /** Slot of the first `input` node's batch. */
  readonly input: number;
  /** Every `input` node and the slot of its batch, in graph order (a graph may have several). */
  readonly inputs: readonly { node: NodeId; slot: number }[];
  /** Slot of the `target` node's batch, null when the graph has none. */
  readonly target: number | null;
  /** Slot of the scalar loss (the prediction's in an `inference` compile, which has no loss). */
  readonly loss: number;
  /** Slot feeding the loss's first port (logits or prediction). */
  readonly prediction: number;
  readonly params: CompiledParam[];
  /**
   * The same parameter and state tensors (shared, not copied) in buffers for another batch size;
   * `differentiableInput`: the input gets a gradient too (∂loss/∂input, for saliency maps).
   */
  withBatchSize(n: number, opts?: { differentiableInput?: boolean }): CompiledGraph;
}

export function compileGraph(doc: GraphDoc, opts: CompileOptions): CompiledGraph {
  if (!(Number.isInteger(opts.batchSize) && opts.batchSize >= 1))
    throw new GraphError([
      {
        severity: 'error',
        code: 'bad-batch-size',
        message: `The batch size must be a whole number ≥ 1; got ${opts.batchSize}.`,
      },
    ]);
  const analysis = analyzeGraph(doc);
  let order = analysis.order;
  let slots: Analysis = analysis;
  if (opts.inference) {
    const path = forwardPath(doc, analysis);
    if (path.errors.length) throw new GraphError(path.errors);
    order = order.filter((r) => path.nodes.has(r.node.id));
    slots = { ...analysis, target: null, loss: null, prediction: path.prediction };
  } else if (analysis.hasErrors)
    throw new GraphError(analysis.diagnostics.filter((d) => d.severity === 'error'));
  const seed = opts.seed ?? doc.training.seed ?? 0;
  const compiled = build(doc, order, slots, opts.batchSize, opts.dtype ?? 'float32', seed, null, false);
  initializeParams(compiled, order, seed);
  if (opts.weights) applyWeights(compiled, opts.weights);
  return compiled;
}

interface Analysis {
  shapes: Map<NodeId, SymbolicShape>;
  input: NodeId | null;
  inputs: NodeId[];
  target: NodeId | null;
  loss: NodeId | null;
  /** Set for an inference compile (no loss): the node whose output is the prediction. */
  prediction?: NodeId | null;
}

/** The Program for one batch size; with `from`, reusing its parameter and state tensors. */
function build(
  doc: GraphDoc,
  order: ResolvedNode[],
  analysis: Analysis,
  batchSize: number,
  dtype: DType,
  seed: number,
  from: CompiledGraph | null,
  differentiableInput: boolean,
): CompiledGraph {
  const builder = new ProgramBuilder(dtype, seed);
  const nodeSlot = new Map<NodeId, number>();
  const reuse = from ? sharedTensors(from) : null;
  try {
    for (const r of order) {
      const id = r.node.id;
      if (r.op.category === 'data' && r.op.inputs.length === 0) {
        const differentiable = differentiableInput && id === analysis.input;
        nodeSlot.set(id, builder.input(id, [batchSize, ...r.op.shape([], r.attrs)], { differentiable }));
        continue;
      }
      const shared = reuse?.get(id) ?? {};
      const inputs = sourceKeys(r).map((s) => nodeSlot.get(s)!);
      if (!r.outputs) nodeSlot.set(id, builder.node(id, r.op.name, inputs, r.attrs, shared));
      else
        r.outputs.forEach((port, output) => {
          const slot = builder.node(id, r.op.name, inputs, r.attrs, { ...shared, output });
          nodeSlot.set(valueKey(id, port), slot);
          if (output === 0) nodeSlot.set(id, slot);
        });
    }
  } catch (e) {
    // analyzeGraph already ran every shape function; this is a safety net, never a crash.
    if (!(e instanceof ProgramError)) throw e;
    throw new GraphError([
      { severity: 'error', code: 'compile-error', message: e.message, ...(e.node ? { node: e.node } : {}) },
    ]);
  }
  const program = builder.build();
  const params: CompiledParam[] = program.params().map((slot) => {
    const owner = program.slots[slot]!.owner!;
    return { node: owner.node, name: owner.param, slot, role: owner.role as ParamRole };
  });
  const lossNode = order.find((r) => r.node.id === analysis.loss);
  const predictionId = lossNode ? sourceKeys(lossNode)[0]! : analysis.prediction!;
  const compiled: CompiledGraph = {
    doc,
    program,
    batchSize,
    order: order.map((r) => r.node.id),
    shapes: analysis.shapes,
    nodeSlot,
    input: nodeSlot.get(analysis.input!)!,
    inputs: analysis.inputs
      .filter((id) => nodeSlot.has(id))
      .map((id) => ({ node: id, slot: nodeSlot.get(id)! })),
    target: analysis.target !== null ? nodeSlot.get(analysis.target)! : null,
    loss: nodeSlot.get(lossNode?.node.id ?? predictionId)!,
    prediction: nodeSlot.get(predictionId)!,
    params,
    withBatchSize: (n, opts) => {
      if (!(Number.isInteger(n) && n >= 1))
        throw new RangeError(`withBatchSize: batch size must be a whole number ≥ 1, got ${n}`);
      return build(doc, order, analysis, n, dtype, seed, compiled, opts?.differentiableInput ?? false);
    },
  };
  return compiled;
}

/** The parameter and state tensors of every node of an already compiled graph, by node id. */
function sharedTensors(
  from: CompiledGraph,
): Map<NodeId, { params: Record<string, Tensor>; state: Record<string, Tensor> }> {
  const out = new Map<NodeId, { params: Record<string, Tensor>; state: Record<string, Tensor> }>();
  for (const n of from.program.nodes) out.set(n.id, { params: {}, state: { ...n.ctx.state } });
  for (const p of from.params) out.get(p.node)!.params[p.name] = from.program.value(p.slot);
  return out;
}

/**
 * Every parameter from its node's `init` attribute (PyTorch's default when absent), in program
 * order from one generator seeded with `seed`, so the same graph and seed give the same weights.
 */
function initializeParams(compiled: CompiledGraph, order: ResolvedNode[], seed: number): void {
  const rng = new Rng(seed);
  const consumers = new Map<NodeId, ResolvedNode[]>();
  for (const r of order)
    for (const s of r.sources) (consumers.get(s) ?? consumers.set(s, []).get(s)!).push(r);
  const byNode = new Map<NodeId, CompiledParam[]>();
  for (const p of compiled.params) (byNode.get(p.node) ?? byNode.set(p.node, []).get(p.node)!).push(p);
  const byId = new Map(order.map((r) => [r.node.id, r]));
  for (const [node, params] of byNode) {
    const r = byId.get(node)!;
    const init = r.attrs['init'];
    const kind: InitKind =
      typeof init === 'string' && (INIT_KINDS as readonly string[]).includes(init)
        ? (init as InitKind)
        : 'default';
    const next = consumers.get(node) ?? [];
    const activation =
      next.length === 1 && next[0]!.op.category === 'activations' ? next[0]!.op.name : undefined;
    const weight = params.find((p) => p.role === 'weight');
    const layerFans = weight ? fansOf(compiled.program.value(weight.slot).shape) : { fanIn: 1, fanOut: 1 };
    for (const p of params)
      initialize(
        compiled.program.value(p.slot),
        kind,
        p.role,
        { fans: layerFans, ...(activation ? { activation } : {}) },
        rng,
      );
  }
}

/** torch's fans for weights of rank ≥ 2; a vector weight counts its length both ways. */
function fansOf(shape: readonly number[]): Fans {
  if (shape.length >= 2) return fans(shape);
  const n = shape[0] ?? 1;
  return { fanIn: n, fanOut: n };
}
