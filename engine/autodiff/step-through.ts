/**
 * Backprop like a debugger, on one mini-batch already written into a Program's input slots: the
 * batch each input node is fed (a step each, computing nothing), the forward pass node by node,
 * then reverse mode node by node in reverse topological order, showing at each step what the node
 * computed (forward) or received and passed on (backward). Every step runs the Program's own
 * kernels (forwardNode / seedBackward / backwardNode), so stepping to the end leaves exactly the
 * gradients of Program.backward.
 *
 * Stepping back replays from the start: the random stream (dropout masks) and the nodes' state
 * (running statistics) are restored to where they were when the stepper was made, so a replay
 * computes the same numbers. end() puts them back, so stepping never perturbs training.
 */
import type { Program } from './program.js';
import { inputPorts, type Grads } from '../ops/define.js';
import { ELEMENTWISE_OPS } from '../ops/elementwise.js';
import { Tensor } from '../tensor/tensor.js';

/** A copy of a tensor's values, safe to post to another thread or keep after later steps. */
export interface TensorView {
  shape: number[];
  data: Float32Array | Float64Array;
}

/** The rule a node applies on the way back, in words. */
export interface LocalRule {
  /** The op's one-line formula and derivative (its `doc`). */
  doc: string;
  /** The Jacobian's structure and the vector-Jacobian product it gives, where there is a known form. */
  jacobian: string | null;
}

export interface ForwardStep {
  phase: 'forward';
  /** Index of the node in the Program (execution order); -1 for an input node's fed batch (`fed`). */
  index: number;
  /** Set on an input node's step: its output is the batch fed to it, nothing is computed. */
  fed?: true;
  node: string;
  /** The output port this step computes, for a node with several outputs (split: out0, out1, …). */
  port?: string;
  op: string;
  /** Names (node ids, `${node}.${param}`, input names) of the values the node read. */
  inputs: string[];
  output: TensorView;
}

export interface PassedGradient {
  /** The op's port name, or the parameter's name. */
  port: string;
  /** The slot it flows into: a node id, `${node}.${param}` or an input name. */
  slot: string;
  kind: 'input' | 'param' | 'node';
  /** This node's share of the slot's gradient (the VJP alone). */
  contribution: TensorView;
  /** The slot's gradient after this step (the sum over the consumers processed so far). */
  accumulated: TensorView;
}

export interface BackwardStep {
  phase: 'backward';
  index: number;
  node: string;
  /** As ForwardStep.port: the output whose gradient this step passes back. */
  port?: string;
  op: string;
  rule: LocalRule;
  /** ∂L/∂(this node's output), complete: every consumer has already been processed. */
  incoming: TensorView;
  passed: PassedGradient[];
}

export type Step = ForwardStep | BackwardStep;

/** Where a step is: a node id and a phase. */
export interface StepTarget {
  node: string;
  phase: 'forward' | 'backward';
}

const ELEMENTWISE = new Set<string>(Object.keys(ELEMENTWISE_OPS));

/** The structure of an op's Jacobian where it has a simple one (else null: the op's doc says it). */
export function jacobianForm(opName: string): string | null {
  if (opName === 'linear')
    return 'per sample y = Wφ + b: ∂y/∂vec(W) = φᵀ ⊗ I, so the VJP is ∂L/∂W = G φᵀ (summed over the batch: Gᵀ·X); ∂y/∂φ = W, so ∂L/∂φ = Wᵀ G; ∂L/∂b = Σ G';
  if (ELEMENTWISE.has(opName))
    return 'elementwise: the Jacobian is diagonal, diag(f′(x)), so the VJP is g ⊙ f′(x)';
  return null;
}

function view(t: Tensor): TensorView {
  return { shape: t.shape.slice(), data: t.data.slice() };
}

/** An input node and the slot its batch is fed into. */
export interface FedInput {
  node: string;
  slot: number;
}

export class StepThrough {
  /** Node indices in the order the backward phase visits them (those a gradient reaches). */
  private readonly backwardOrder: number[];
  private readonly randomState: number;
  private readonly stateSnapshot: { live: Tensor; saved: Tensor }[];
  private steps = 0;
  private last: Step | null = null;

  constructor(
    readonly program: Program,
    /** The scalar slot the backward phase starts from (the loss). */
    readonly loss: number,
    /**
     * The input nodes, each shown as a first step with the batch fed to it (several inputs are
     * each fed their own columns); the forward pass's node steps follow.
     */
    readonly fed: readonly FedInput[] = [],
  ) {
    const seed = program.grad(loss);
    if (!seed || seed.size !== 1)
      throw new Error(
        `step-through: '${program.slots[loss]!.name}' is not a scalar that depends on a parameter`,
      );
    this.backwardOrder = [];
    for (let i = program.nodes.length - 1; i >= 0; i--)
      if (program.grad(program.nodes[i]!.output)) this.backwardOrder.push(i);
    this.randomState = program.randomState;
    this.stateSnapshot = program.nodes.flatMap((n) =>
      Object.values(n.ctx.state).map((live) => ({ live, saved: live.clone() })),
    );
  }

  /** Steps in all: one per input fed, one per node forward, one per gradient-carrying node backward. */
  get length(): number {
    return this.fed.length + this.program.nodes.length + this.backwardOrder.length;
  }

  /** How many steps have run (0: none, length: done). */
  get position(): number {
    return this.steps;
  }

  get done(): boolean {
    return this.steps === this.length;
  }

  /** The last step taken (null before the first). */
  get current(): Step | null {
    return this.last;
  }

  /** Runs the next step and describes it; null when the backward pass is complete. */
  step(): Step | null {
    if (this.done) return null;
    this.last = this.execute(this.steps++, true);
    return this.last;
  }

  /** Undoes the last step by replaying the ones before it; returns the step now current. */
  back(): Step | null {
    return this.seek(Math.max(0, this.steps - 1));
  }

  /** Back to before the first step (the same random state and running statistics). */
  restart(): void {
    this.seek(0);
  }

  /** Runs forward or backward (replaying if it is behind) until `target`'s step has run. */
  runTo(target: StepTarget): Step {
    const k = this.indexOf(target);
    if (k < 0) throw new Error(`step-through: no ${target.phase} step for node '${target.node}'`);
    return this.seek(k + 1)!;
  }

  /** Goes to exactly `position` steps done (replaying from the start when going back). */
  seek(position: number): Step | null {
    if (!(Number.isInteger(position) && position >= 0 && position <= this.length))
      throw new RangeError(`step-through: position must be 0..${this.length}, got ${position}`);
    if (position < this.steps) {
      this.rewind();
      this.steps = 0;
      this.last = null;
    }
    while (this.steps < position) {
      const k = this.steps++;
      // Only the step that ends up current needs its description (the copies cost time).
      const step = this.execute(k, this.steps === position);
      if (step) this.last = step;
    }
    return this.last;
  }

  /** Puts the random stream and running statistics back as they were before stepping. */
  end(): void {
    this.rewind();
  }

  /**
   * The position of a node's forward or backward step (-1 if it has none). A node with several
   * outputs (split) has a step per output in each phase: its last one, where the node is done
   * (every output computed; every output's gradient passed back).
   */
  indexOf(target: StepTarget): number {
    const nodes = this.program.nodes;
    const forward = target.phase === 'forward';
    const phase = forward ? nodes.map((_, i) => i) : this.backwardOrder;
    const offset = this.fed.length + (forward ? 0 : nodes.length);
    for (let k = phase.length - 1; k >= 0; k--) if (nodes[phase[k]!]!.id === target.node) return offset + k;
    return forward ? this.fed.findIndex((f) => f.node === target.node) : -1;
  }

  private rewind(): void {
    this.program.randomState = this.randomState;
    for (const s of this.stateSnapshot) s.live.data.set(s.saved.data);
  }

  private execute(step: number, describe: boolean): Step | null {
    const p = this.program;
    const nodes = p.nodes;
    if (step < this.fed.length) {
      // The batch is already in the slot: this step only shows it.
      if (!describe) return null;
      const { node, slot } = this.fed[step]!;
      return {
        phase: 'forward',
        index: -1,
        fed: true,
        node,
        op: 'input',
        inputs: [],
        output: view(p.value(slot)),
      };
    }
    const k = step - this.fed.length;
    if (k < nodes.length) {
      p.forwardNode(k);
      if (!describe) return null;
      const n = nodes[k]!;
      return {
        phase: 'forward',
        index: k,
        node: n.id,
        ...(n.port !== undefined ? { port: n.port } : {}),
        op: n.op.name,
        inputs: n.inputs.map((s) => p.slots[s]!.name),
        output: view(p.value(n.output)),
      };
    }
    const b = k - nodes.length;
    if (b === 0) p.seedBackward(this.loss, null);
    const i = this.backwardOrder[b]!;
    const n = nodes[i]!;
    // This node's share alone, from the same kernel into zeroed buffers, BEFORE the real step so
    // that the real accumulation is exactly the one Program.backward performs.
    const share: Grads | null = describe
      ? n.gx.map((g) => (g ? Tensor.zeros(g.shape, g.dtype) : null))
      : null;
    if (share) p.backwardNode(i, share);
    p.backwardNode(i);
    if (!share) return null;
    const ports = [...inputPorts(n.op, n.ctx.attrs)];
    const passed: PassedGradient[] = [];
    n.inputs.forEach((s, j) => {
      const contribution = share[j];
      const slot = p.slots[s]!;
      if (!contribution || !slot.grad) return;
      passed.push({
        port: ports[j] ?? slot.owner?.param ?? slot.name,
        slot: slot.name,
        kind: slot.kind,
        contribution: view(contribution),
        accumulated: view(slot.grad),
      });
    });
    return {
      phase: 'backward',
      index: i,
      node: n.id,
      ...(n.port !== undefined ? { port: n.port } : {}),
      op: n.op.name,
      rule: { doc: n.op.doc, jacobian: jacobianForm(n.op.name) },
      incoming: view(p.grad(n.output)!),
      passed,
    };
  }
}
