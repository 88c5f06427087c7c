/**
 * A Program is a straight-line list of op applications over numbered value slots, with every
 * buffer (values, gradients, tangents, saved scratch) allocated once when it is built. It runs
 * the forward pass, reverse mode (VJP), forward mode (JVP) and forward-over-reverse
 * Hessian-vector products. The graph compiler and the tests both build Programs with
 * ProgramBuilder; nothing else executes ops.
 */
import {
  AnyOp,
  Grads,
  KernelCtx,
  Tangents,
  differentiableInputs,
  inputPorts,
  outputPorts,
  presentParams,
} from '../ops/define.js';
import { requireOp } from '../ops/registry.js';
import { resolveAttrs } from '../ops/attrs.js';
import { DType, Shape, Tensor, sameShape, shapeToString } from '../tensor/tensor.js';
import { Rng } from '../tensor/random.js';

export type SlotKind = 'input' | 'param' | 'node';

export interface Slot {
  /** Input name, node id, or `${nodeId}.${paramName}` for parameters. */
  readonly name: string;
  readonly kind: SlotKind;
  readonly shape: Shape;
  readonly value: Tensor;
  /** Allocated where a gradient can flow (params, differentiable inputs, nodes downstream of them). */
  readonly grad: Tensor | null;
  /** Parameters: the owning node and the parameter's name and role. */
  readonly owner?: { node: string; param: string; role: string };
}

export interface ProgramNode {
  readonly id: string;
  readonly op: AnyOp;
  readonly ctx: KernelCtx;
  /** Slots of the op's inputs: data ports then parameters. */
  readonly inputs: readonly number[];
  readonly output: number;
  /** The output port this application computes, for an op with several outputs (split). */
  readonly port?: string;
  /** For each of `inputs`, whether a gradient can flow into it. */
  readonly differentiable: readonly boolean[];
  /** Prebound tensors so that a step allocates nothing. */
  readonly xs: Tensor[];
  readonly gx: Grads;
}

/**
 * Data a node's kernel refused while running (a RangeError, as the kernels throw it, so callers
 * that stop a run on bad data keep catching it), with the node's id in front of the kernel's words.
 */
export class NodeDataError extends RangeError {
  constructor(
    readonly node: string,
    message: string,
  ) {
    super(`node '${node}': ${message}`);
    this.name = 'NodeDataError';
  }
}

/** An error in building a program, naming the node (and port or attribute) it concerns. */
export class ProgramError extends Error {
  constructor(
    message: string,
    readonly node?: string,
    readonly detail?: { port?: string; attr?: string },
  ) {
    super(message);
    this.name = 'ProgramError';
  }
}

export interface NodeOptions {
  /** Initial parameter values by parameter name (else zeros; the trainer initialises). */
  params?: Record<string, Tensor>;
  /** Attribute keys to ignore (documentation notes in reference files). */
  ignoreAttrs?: readonly string[];
  /**
   * State tensors to use as they are (by state name), e.g. the running statistics of the same
   * node in another Program over the same parameters (another batch size).
   */
  state?: Record<string, Tensor>;
  /** For an op with several outputs: which output port this application computes (default 0). */
  output?: number;
}

export class ProgramBuilder {
  private readonly slots: Slot[] = [];
  private readonly nodes: Omit<ProgramNode, 'gx'>[] = [];
  private readonly diffInputs = new Set<number>();
  private readonly rng: Rng;

  constructor(
    readonly dtype: DType,
    seed = 0,
  ) {
    this.rng = new Rng(seed);
  }

  /** A value fed from outside (features, labels). `differentiable` inputs get gradients. */
  input(name: string, shape: Shape, opts: { differentiable?: boolean; value?: Tensor } = {}): number {
    const value = opts.value ? this.adopt(opts.value, shape, name) : Tensor.zeros(shape, this.dtype);
    const slot = this.push({ name, kind: 'input', shape: value.shape, value, grad: null });
    if (opts.differentiable) this.diffInputs.add(slot);
    return slot;
  }

  shapeOf(slot: number): Shape {
    return this.slots[slot]!.shape;
  }

  /** Applies `opName` to the data-input slots; creates its parameter slots; returns the output slot. */
  node(
    id: string,
    opName: string,
    inputs: number[],
    attrs: Record<string, unknown> = {},
    opts: NodeOptions = {},
  ): number {
    let op: AnyOp;
    try {
      op = requireOp(opName);
    } catch (e) {
      throw new ProgramError(`node '${id}': ${(e as Error).message}`, id);
    }
    let resolved;
    try {
      resolved = resolveAttrs(op, attrs, opts.ignoreAttrs);
    } catch (e) {
      const err = e as Error & { attr?: string };
      throw new ProgramError(`node '${id}': ${err.message}`, id, { attr: err.attr });
    }
    const ports = inputPorts(op, resolved);
    if (inputs.length !== ports.length) {
      throw new ProgramError(
        `node '${id}' (${op.name}) takes ${ports.length} input(s) (${ports.join(', ')}), got ${inputs.length}`,
        id,
      );
    }
    const outputs = outputPorts(op, resolved);
    const output = opts.output ?? 0;
    if (outputs ? !(output >= 0 && output < outputs.length) : output !== 0)
      throw new ProgramError(`node '${id}' (${op.name}) has no output ${output}`, id);
    const port = outputs?.[output];
    const dataShapes = inputs.map((s) => this.slots[s]!.shape);
    const present = presentParams(op, resolved);
    const paramSlots = present.map((p) => {
      const shape = this.guard(id, op, () => p.shape(dataShapes, resolved));
      const given = opts.params?.[p.name];
      const value = given ? this.adopt(given, shape, `${id}.${p.name}`) : Tensor.zeros(shape, this.dtype);
      return this.push({
        name: `${id}.${p.name}`,
        kind: 'param',
        shape,
        value,
        grad: null,
        owner: { node: id, param: p.name, role: p.role },
      });
    });
    const all = [...inputs, ...paramSlots];
    const allShapes = all.map((s) => this.slots[s]!.shape);
    const outShape = this.guard(id, op, () => op.shape(allShapes, resolved, output));
    const out = this.push({
      name: port === undefined ? id : `${id}:${port}`,
      kind: 'node',
      shape: outShape,
      value: Tensor.zeros(outShape, this.dtype),
      grad: null,
    });
    const saved: Record<string, Tensor> = {};
    for (const [k, s] of Object.entries(op.saved?.(allShapes, resolved) ?? {}))
      saved[k] = Tensor.zeros(s, this.dtype);
    const state: Record<string, Tensor> = {};
    for (const s of op.state ?? []) {
      const shape = this.guard(id, op, () => s.shape(dataShapes, resolved));
      const given = opts.state?.[s.name];
      state[s.name] = given
        ? this.adopt(given, shape, `${id}.${s.name}`)
        : Tensor.zeros(shape, this.dtype).fill(s.initial);
    }
    const ctx: KernelCtx = {
      attrs: resolved,
      training: true,
      saved,
      state,
      plan: op.plan?.(allShapes, resolved),
      random: this.rng.next,
      output,
    };
    this.nodes.push({
      id,
      op,
      ctx,
      inputs: all,
      output: out,
      ...(port !== undefined ? { port } : {}),
      differentiable: differentiableInputs(op, resolved),
      xs: all.map((s) => this.slots[s]!.value),
    });
    return out;
  }

  /** Allocates gradients where they can flow and returns the runnable Program. */
  build(): Program {
    const needs = this.slots.map((s, i) => s.kind === 'param' || this.diffInputs.has(i));
    for (const n of this.nodes) {
      if (n.inputs.some((s, i) => n.differentiable[i] && needs[s])) needs[n.output] = true;
    }
    const slots: Slot[] = this.slots.map((s, i) => ({
      ...s,
      grad: needs[i] ? Tensor.zeros(s.shape, this.dtype) : null,
    }));
    const nodes: ProgramNode[] = this.nodes.map((n) => ({
      ...n,
      gx: n.inputs.map((s, i) => (n.differentiable[i] ? slots[s]!.grad : null)),
    }));
    return new Program(this.dtype, slots, nodes, this.rng);
  }

  private push(slot: Slot): number {
    this.slots.push(slot);
    return this.slots.length - 1;
  }

  private adopt(t: Tensor, shape: Shape, name: string): Tensor {
    if (!sameShape(t.shape, shape)) {
      throw new ProgramError(
        `${name}: expected shape ${shapeToString(shape)}, got ${shapeToString(t.shape)}`,
      );
    }
    return t.dtype === this.dtype ? t : t.to(this.dtype);
  }

  private guard<T>(id: string, op: AnyOp, f: () => T): T {
    try {
      return f();
    } catch (e) {
      throw new ProgramError(`node '${id}' (${op.name}): ${(e as Error).message}`, id);
    }
  }
}

export class Program {
  /** Tangent buffers, allocated on first use of forward mode. */
  private tangents: Tensor[] | null = null;
  private tangentGrads: (Tensor | null)[] | null = null;

  constructor(
    readonly dtype: DType,
    readonly slots: readonly Slot[],
    readonly nodes: readonly ProgramNode[],
    private readonly rng: Rng,
  ) {}

  slot(name: string): number {
    const i = this.slots.findIndex((s) => s.name === name);
    if (i < 0) throw new Error(`program has no value '${name}'`);
    return i;
  }

  value(slot: number): Tensor {
    return this.slots[slot]!.value;
  }

  grad(slot: number): Tensor | null {
    return this.slots[slot]!.grad;
  }

  /** Parameter slots in creation order. */
  params(): number[] {
    return this.slots.flatMap((s, i) => (s.kind === 'param' ? [i] : []));
  }

  setTraining(training: boolean): void {
    for (const n of this.nodes) n.ctx.training = training;
  }

  /** The random stream's position; restoring it replays the same dropout masks. */
  get randomState(): number {
    return this.rng.state;
  }
  set randomState(s: number) {
    this.rng.state = s;
  }

  /** The forward pass; with `upTo`, it stops once that slot is written (e.g. a prediction, without the loss). */
  forward(upTo = -1): void {
    const nodes = this.nodes;
    for (let i = 0; i < nodes.length; i++) {
      this.forwardNode(i);
      if (nodes[i]!.output === upTo) return;
    }
  }

  /** Runs node `i` alone (its inputs must be computed): one step of the forward pass. */
  forwardNode(i: number): void {
    const n = this.nodes[i]!;
    try {
      n.op.forward(n.ctx, n.xs, this.slots[n.output]!.value);
    } catch (e) {
      // A kernel refusing its data (an index beyond a table, a class label out of range) says
      // which node it is: the kernel itself only knows its op.
      if (e instanceof RangeError && !(e instanceof NodeDataError)) throw new NodeDataError(n.id, e.message);
      throw e;
    }
  }

  /** Reverse mode from a scalar slot (after forward): fills every allocated gradient. */
  backward(loss: number): void {
    const seed = this.slots[loss]!.grad;
    if (seed && seed.size !== 1)
      throw new Error(`backward: '${this.slots[loss]!.name}' is not a scalar (${shapeToString(seed.shape)})`);
    this.backwardFrom(loss, null);
  }

  /**
   * Reverse mode from any slot (after forward) with the given cotangent of its value (null: 1 for
   * a scalar): the vector-Jacobian product, filling every allocated gradient.
   */
  backwardFrom(slot: number, cotangent: Tensor | null): void {
    this.seedBackward(slot, cotangent);
    for (let i = this.nodes.length - 1; i >= 0; i--) this.backwardNode(i);
  }

  /**
   * The start of reverse mode: zeroes every gradient and seeds `slot`'s with `cotangent` (null: 1).
   * backwardNode(i) for i from the last node down to 0 then completes what backwardFrom does.
   */
  seedBackward(slot: number, cotangent: Tensor | null): void {
    const slots = this.slots;
    for (let i = 0; i < slots.length; i++) slots[i]!.grad?.data.fill(0);
    const seed = slots[slot]!.grad;
    if (!seed) throw new Error(`backward: '${slots[slot]!.name}' does not depend on any parameter or input`);
    if (cotangent) {
      if (!sameShape(cotangent.shape, seed.shape))
        throw new Error(
          `backward: cotangent of '${slots[slot]!.name}' must have shape ${shapeToString(seed.shape)}, got ${shapeToString(cotangent.shape)}`,
        );
      seed.data.set(cotangent.data);
    } else seed.fill(1);
  }

  /**
   * One step of reverse mode: node `i`'s vector-Jacobian product, ACCUMULATED into `gx` (default:
   * the gradients of its input and parameter slots; pass zeroed buffers to see this node's share
   * alone). Returns false when no gradient reaches the node's output (nothing to do).
   */
  backwardNode(i: number, gx: Grads = this.nodes[i]!.gx): boolean {
    const n = this.nodes[i]!;
    const g = this.slots[n.output]!.grad;
    if (!g) return false;
    n.op.vjp(n.ctx, n.xs, this.slots[n.output]!.value, g, gx);
    return true;
  }

  /**
   * Forward mode (after forward): the tangent of every slot given tangents of some inputs and
   * parameters (others are zero). Returns the tangent buffers, indexed by slot.
   */
  jvp(seeds: ReadonlyMap<number, Tensor>): readonly Tensor[] {
    const t = (this.tangents ??= this.slots.map((s) => Tensor.zeros(s.shape, this.dtype)));
    const has = this.slots.map((_, i) => seeds.has(i));
    for (let i = 0; i < t.length; i++) {
      const seed = seeds.get(i);
      if (seed) t[i]!.data.set(seed.data);
      else t[i]!.data.fill(0);
    }
    for (const n of this.nodes) {
      const tx: Tangents = n.inputs.map((s) => (has[s] ? t[s]! : null));
      if (tx.some((x) => x)) {
        n.op.jvp(n.ctx, n.xs, this.slots[n.output]!.value, tx, t[n.output]!);
        has[n.output] = true;
      }
    }
    return t;
  }

  /**
   * Hessian-vector product of the scalar `loss` with respect to the parameters, along `v`
   * (a tangent per parameter slot): forward over reverse. Returns H·v per parameter slot (and
   * leaves gradients filled).
   */
  hvp(loss: number, v: ReadonlyMap<number, Tensor>): Map<number, Tensor> {
    const tg = this.forwardOverReverse(loss, null, null, v);
    const out = new Map<number, Tensor>();
    for (const p of this.params()) out.set(p, tg[p]!.clone());
    return out;
  }

  /**
   * The tangent of the whole reverse pass (forward over reverse): runs forward, the JVP along `v`
   * (tangents of some inputs/parameters), the VJP from `slot` with `cotangent` (null: 1 for a
   * scalar), then differentiates that VJP along `v` and along `cotangentTangent` (the tangent of
   * the cotangent; null means zero). Returns the tangent of every gradient, indexed by slot
   * (null where no gradient flows); the buffers are reused by the next call.
   */
  forwardOverReverse(
    slot: number,
    cotangent: Tensor | null,
    cotangentTangent: Tensor | null,
    v: ReadonlyMap<number, Tensor>,
  ): readonly (Tensor | null)[] {
    this.forward();
    const t = this.jvp(v);
    this.backwardFrom(slot, cotangent);
    const tg = (this.tangentGrads ??= this.slots.map((s) =>
      s.grad ? Tensor.zeros(s.shape, this.dtype) : null,
    ));
    for (const x of tg) x?.data.fill(0);
    if (cotangentTangent) tg[slot]?.data.set(cotangentTangent.data);
    const nonzero = this.slots.map((_, i) => v.has(i));
    for (const n of this.nodes) if (n.inputs.some((s) => nonzero[s])) nonzero[n.output] = true;
    for (let i = this.nodes.length - 1; i >= 0; i--) {
      const n = this.nodes[i]!;
      const g = this.slots[n.output]!.grad;
      const tgo = tg[n.output];
      if (!g || !tgo) continue;
      if (!n.op.vjpJvp)
        throw new Error(
          `Hessian-vector products: op '${n.op.name}' (node '${n.id}') has no second-order rule`,
        );
      const tx: Tangents = n.inputs.map((s) => (nonzero[s] ? t[s]! : null));
      const tgx: Grads = n.inputs.map((s, k) => (n.differentiable[k] ? tg[s]! : null));
      n.op.vjpJvp(n.ctx, n.xs, this.slots[n.output]!.value, g, tx, t[n.output]!, tgo, tgx);
    }
    return tg;
  }
}
