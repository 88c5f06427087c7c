/**
 * How an op is declared: everything true of it side by side (DESIGN.md "One op, one object").
 *
 * Kernels work on preallocated tensors so that a compiled training step allocates nothing:
 * - forward  writes the output (overwrite);
 * - vjp      ACCUMULATES (+=) the gradient of each differentiable input into `gx[i]`
 *            (null where no gradient is wanted), so fan-out needs no extra buffers;
 * - jvp      writes the tangent of the output (overwrite); a null input tangent means zero;
 * - secondOrder says how to differentiate the VJP itself (forward over reverse, used for
 *   Hessian-vector products): 'linear' ops (given what forward saved) reuse vjp on the
 *   output-gradient tangent; 'bilinear' ops also swap in the other operand's tangent; anything
 *   else supplies its own `vjpJvp`.
 * Inputs are the op's data ports followed by its parameters, in declared order. Forward and vjp
 * read them as xs[i] and gx[i], not by destructuring ([x, w]): unoptimised code, where the kernels
 * of a network with few, large steps a second may run for minutes, allocates an iterator for each
 * destructuring, and a training step is to allocate nothing.
 *
 * Adding an op:
 * 1. one object, `defineOp({...})`, in the engine/ops module of its family;
 * 2. one row in the registry (engine/ops/registry.ts), under its name: the key type `OpName`
 *    follows from that table;
 * 3. one row in test/engine/ops/op-specs.ts (shapes, attributes, bad calls; the op tests check
 *    forward, VJP, JVP, the second-order rule, shape and flops from it);
 * 4. the rows the compiler then asks for. Facts about an op that other parts of the program own
 *    live beside their consumer in tables keyed by `OpName`, so that a row for an op that does
 *    not exist does not compile, and a table that must cover every op does not compile until
 *    the new op has its row:
 *    - engine/codegen/emitters/index.ts `EMITTERS` (every op): its TypeScript export, or null;
 *    - engine/onnx/export.ts `EXPORT_ROWS` (every op): its ONNX nodes, or null;
 *    - engine/pytorch/forms.ts `PYTORCH_FORMS` (every op): its torch.nn module and call, or null;
 *    - engine/analysis/linear-regions.ts `PIECEWISE` (every op): kinked, affine or nonlinear;
 *    - engine/onnx/import-ops.ts `IMPORT_ROWS` (by ONNX op type; each row names the OpName it
 *      produces) and engine/nn/init.ts `GAINS` (activations with a torch gain): where they apply.
 *    These tables stay out of the op object so that the webview bundle, which imports the
 *    registry for its metadata, never pulls in code emitters or ONNX rows.
 */
import { Shape, Tensor } from '../tensor/tensor.js';

export type OpCategory = 'data' | 'layers' | 'activations' | 'math' | 'shape' | 'losses';

/**
 * An attribute without a default is required unless `optional` (then it stays absent when not
 * given, e.g. `sum.axis`: all axes when absent).
 */
export type AttrSpec = (
  | { type: 'number'; default?: number; min?: number; max?: number; doc: string }
  | { type: 'integer'; default?: number; min?: number; max?: number; doc: string }
  | { type: 'boolean'; default?: boolean; doc: string }
  | { type: 'enum'; values: readonly string[]; default?: string; doc: string }
  | { type: 'ints'; default?: readonly number[]; doc: string }
  /** One axis or a list of axes (negative counts from the end), as torch's `dim` takes them. */
  | { type: 'axes'; default?: number | readonly number[]; doc: string }
  | { type: 'string'; default?: string; doc: string }
  | {
      /**
       * Sizes along a window's axes, as PyTorch takes them: one whole number (the same for every
       * axis or side), a list of one of `lengths` whole numbers, or one of `words` ('same').
       */
      type: 'sizes';
      lengths: readonly number[];
      min?: number;
      words?: readonly string[];
      default?: number | readonly number[] | string;
      doc: string;
    }
) & {
  /** May be left out with no default (e.g. `input` takes `features` or `shape`); the op's shape says which. */
  optional?: boolean;
};

export type AttrValue = number | boolean | string | readonly number[];
export type Attrs = Record<string, AttrValue>;

/**
 * How a parameter starts before training; the trainer maps these to initialisers. 'slope' is a
 * PReLU slope: 0.25, as torch.nn.PReLU starts; 'table' an embedding's rows: N(0, 1) by default, as
 * torch.nn.Embedding starts.
 */
export type ParamRole = 'weight' | 'bias' | 'ones' | 'zeros' | 'slope' | 'table';

export interface ParamSpec<A> {
  name: string;
  role: ParamRole;
  /** Shape from the data inputs' shapes (params excluded) and the attributes. */
  shape: (inputs: Shape[], attrs: A) => Shape;
  /**
   * Whether the node has this parameter (e.g. `bias: false` drops a layer's bias). Absent
   * parameters must come last: kernels see fewer inputs.
   */
  present?: (attrs: A) => boolean;
}

export interface StateSpec<A> {
  name: string;
  initial: number;
  shape: (inputs: Shape[], attrs: A) => Shape;
}

/** Per-node execution context, built once at compile time and reused every step. */
export interface KernelCtx<A = Attrs, P = unknown> {
  readonly attrs: A;
  /** True while training (dropout active, batch_norm uses and updates batch statistics). */
  training: boolean;
  /** Scratch kept from forward to backward (masks, statistics, argmax indices). */
  readonly saved: Record<string, Tensor>;
  /** Persistent non-trainable buffers (batch_norm running statistics). */
  readonly state: Record<string, Tensor>;
  /** Precomputed, shape-dependent plan (broadcast index tables, loop bounds). */
  readonly plan: P;
  /** Uniform [0, 1) from a seeded generator (dropout). */
  readonly random: () => number;
  /**
   * Which output this application computes (0 for an op with one output). An op with several
   * outputs (split) runs once per output port: each run writes that output alone, and the VJPs
   * accumulate into the shared input gradients as fan-out does.
   */
  readonly output: number;
}

export type Grads = (Tensor | null)[];
export type Tangents = (Tensor | null)[];

export interface OpSpec<A extends Attrs = Attrs, P = unknown> {
  name: string;
  category: OpCategory;
  /** Data input ports, in order (a variadic op: the ports at its default attributes). */
  inputs: readonly string[];
  /**
   * The data ports when their number follows from the attributes (a variadic op: concat and
   * stack of `count` tensors). Read them with `inputPorts`, never `inputs`, where attributes are known.
   */
  ports?: (attrs: A) => readonly string[];
  /**
   * The output ports of an op with several outputs (split), from its attributes; absent for the
   * usual single, unnamed output. `shape` and the kernels are then asked about one output at a
   * time (`output`, `ctx.output`); such an op has no parameters or state.
   */
  outputs?: (attrs: A) => readonly string[];
  /** Inputs that never receive a gradient (class labels, regression targets). */
  nondiff?: readonly string[];
  params?: readonly ParamSpec<A>[];
  state?: readonly StateSpec<A>[];
  attrs: { [K in keyof A]: AttrSpec };
  /**
   * Attributes that always follow from the shapes of the inputs and parameters, by name (linear
   * `units` from `weight`): used where a layer arrives with its weights (reference cases, imports).
   */
  deriveAttrs?: (shapes: Record<string, Shape>, given: Partial<A>) => Partial<A>;
  /**
   * Output shape from input shapes (data inputs, then params); throws ShapeError. `output` is the
   * output port's index for an op with several outputs (else 0).
   */
  shape: (inputs: Shape[], attrs: A, output?: number) => Shape;
  /** Forward-pass floating point operations. */
  flops: (inputs: Shape[], attrs: A) => number;
  saved?: (inputs: Shape[], attrs: A) => Record<string, Shape>;
  plan?: (inputs: Shape[], attrs: A) => P;
  forward: (ctx: KernelCtx<A, P>, xs: Tensor[], out: Tensor) => void;
  vjp: (ctx: KernelCtx<A, P>, xs: Tensor[], out: Tensor, g: Tensor, gx: Grads) => void;
  jvp: (ctx: KernelCtx<A, P>, xs: Tensor[], out: Tensor, tx: Tangents, tout: Tensor) => void;
  secondOrder?: SecondOrder<A, P>;
  /** One line: the formula and its derivative. */
  doc: string;
  /**
   * Palette entries that add this op with set attributes under a familiar name (clip as relu6
   * and hardtanh). The node is the op itself: the document says `clip` with min 0, max 6.
   */
  presets?: readonly OpPreset<A>[];
}

export interface OpPreset<A extends Attrs = Attrs> {
  name: string;
  attrs: Partial<A>;
  doc: string;
}

/**
 * The tangent of the VJP (forward over reverse). `tout` is the output's tangent, `tg` the
 * tangent of the incoming gradient; the rule accumulates the tangent of each input's gradient.
 */
export type VjpJvp<A, P> = (
  ctx: KernelCtx<A, P>,
  xs: Tensor[],
  out: Tensor,
  g: Tensor,
  tx: Tangents,
  tout: Tensor,
  tg: Tensor,
  tgx: Grads,
) => void;

export type SecondOrder<A, P> =
  | { kind: 'linear' }
  | { kind: 'bilinear'; pair: readonly [string, string] }
  | { kind: 'custom'; vjpJvp: VjpJvp<A, P> };

export interface OpDef<A extends Attrs = Attrs, P = unknown> extends OpSpec<A, P> {
  /** All input names: data ports then params. */
  readonly allInputs: readonly string[];
  /** For each of allInputs, whether it can receive a gradient. */
  readonly differentiable: readonly boolean[];
  /** The derived or declared second-order rule, or undefined if the op has none. */
  readonly vjpJvp?: VjpJvp<A, P>;
}

/** A registry-erased op (attrs and plan untyped). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyOp = OpDef<any, any>;

/**
 * The members of an op that execute it (kernels and what only kernels use). The webview bundle
 * leaves them out (scripts/op-metadata-plugin.mjs reads this list): the editor needs an op's name,
 * ports, attributes, shape inference and doc, never its kernels.
 */
export const KERNEL_MEMBERS = [
  'forward',
  'vjp',
  'jvp',
  'secondOrder',
  'plan',
  'saved',
] as const satisfies readonly (keyof OpSpec)[];

/** What of an op the webview has: everything but the kernels. */
export type OpMetadata = Omit<AnyOp, (typeof KERNEL_MEMBERS)[number] | 'vjpJvp'>;

export function defineOp<A extends Attrs, P = unknown>(spec: OpSpec<A, P>): OpDef<A, P> {
  if (spec.outputs && (spec.params?.length || spec.state?.length))
    throw new Error(`defineOp(${spec.name}): an op with several outputs can't own parameters or state`);
  const allInputs = [...spec.inputs, ...(spec.params ?? []).map((p) => p.name)];
  const nondiff = new Set(spec.nondiff ?? []);
  const differentiable = allInputs.map((n) => !nondiff.has(n));
  return { ...spec, allInputs, differentiable, vjpJvp: deriveVjpJvp(spec, allInputs) };
}

function deriveVjpJvp<A extends Attrs, P>(spec: OpSpec<A, P>, allInputs: string[]): VjpJvp<A, P> | undefined {
  const so = spec.secondOrder;
  if (!so) return undefined;
  if (so.kind === 'custom') return so.vjpJvp;
  if (so.kind === 'linear') {
    // d/dt vjp(x, g + t·tg) = vjp(x, tg): the Jacobian does not depend on the inputs.
    return (ctx, xs, out, _g, _tx, _tout, tg, tgx) => spec.vjp(ctx, xs, out, tg, tgx);
  }
  const [a, b] = so.pair.map((n) => {
    const i = allInputs.indexOf(n);
    if (i < 0) throw new Error(`defineOp(${spec.name}): bilinear input '${n}' is not an input`);
    return i;
  }) as [number, number];
  return (ctx, xs, out, g, tx, _tout, tg, tgx) => {
    spec.vjp(ctx, xs, out, tg, tgx);
    // vjp_a depends linearly on x_b (and vice versa): swap in the tangent of the other operand.
    for (const [self, other] of [
      [a, b],
      [b, a],
    ] as const) {
      const t = tx[other];
      if (!t || !tgx[self]) continue;
      const swapped = xs.slice();
      swapped[other] = t;
      const only: Grads = tgx.map((_, i) => (i === self ? tgx[i]! : null));
      spec.vjp(ctx, swapped, out, g, only);
    }
  };
}

/** The parameters an op has with these attributes (e.g. no bias when `bias: false`). */
export function presentParams<A extends Attrs>(op: OpDef<A, unknown>, attrs: A): readonly ParamSpec<A>[] {
  return (op.params ?? []).filter((p) => p.present?.(attrs) ?? true);
}

/** The data ports of a node of `op` with these (resolved) attributes. */
export function inputPorts(op: AnyOp, attrs: Attrs): readonly string[] {
  return op.ports ? op.ports(attrs) : op.inputs;
}

/** The output ports of a node with several outputs; null for the usual single, unnamed output. */
export function outputPorts(op: AnyOp, attrs: Attrs): readonly string[] | null {
  return op.outputs ? op.outputs(attrs) : null;
}

/** For each data port then present parameter of a node, whether a gradient can flow into it. */
export function differentiableInputs(op: AnyOp, attrs: Attrs): boolean[] {
  if (!op.ports) return op.differentiable.slice();
  const nondiff = new Set(op.nondiff ?? []);
  return [...op.ports(attrs), ...presentParams(op, attrs).map((p) => p.name)].map((n) => !nondiff.has(n));
}
