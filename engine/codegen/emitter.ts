/**
 * How one op becomes code. An emitter writes the bodies of two functions for a node: the forward
 * pass and its backward pass (the op's vector-Jacobian product written out). The module assembler
 * (typescript.ts) wraps the bodies in functions named after the node, chooses their parameters
 * from what the bodies use, and calls them in order (forward) and reverse order (backward).
 *
 * Conventions inside the bodies:
 * - data inputs are named after the op's ports (`x`, `a`, `b`, `logits`, `target`, …), each a
 *   row-major Float64Array; `n` is the batch size; `training` is true in gradients()/trainStep();
 * - the forward body ends by returning the output;
 * - the backward body sees the inputs, the output `y` and its gradient `dy`, declares `d<port>` for
 *   every input whose gradient is needed (the assembler returns them) and ADDS parameter gradients
 *   into `grad.<param>` (zeroed by the caller).
 */
import type { Attrs } from '../ops/define.js';
import type { OpName } from '../ops/registry.js';
import type { CodegenNode, SymShape } from './ir.js';
import type { HelperName } from './helpers.js';

export interface EmitCtx {
  readonly node: CodegenNode;
  readonly attrs: Attrs;
  /** Names of the data inputs inside the functions (the op's ports, sanitised). */
  readonly inputs: readonly string[];
  readonly inShapes: readonly SymShape[];
  readonly outShape: SymShape;
  /** Per data input: whether the backward body must produce its gradient. */
  readonly needsGrad: readonly boolean[];
  /** The expression for a parameter's array, e.g. `params.h1.weight`. */
  param(name: string): string;
  /** The expression for a state buffer's array, e.g. `state.bn.runningMean`. */
  state(name: string): string;
  /** Marks a runtime helper as used and returns its name. */
  helper(name: HelperName): string;
}

export interface LayerCode {
  /** One line for the doc comment: the formula. */
  doc: string;
  forward: string[];
  /** Empty when nothing upstream needs a gradient. */
  backward: string[];
  /**
   * A random mask the layer uses while training (dropout): an expression, in terms of `n`, that
   * draws it. The caller draws it before the forward call and passes it to both functions as
   * `mask` (null in evaluation mode), so the backward pass sees the same mask.
   */
  mask?: string;
}

export interface OpEmitter {
  emit(c: EmitCtx): LayerCode;
}

/** The number of elements of a shape as an expression: '16', 'n * 16', 'n'. */
export function sizeExpr(shape: SymShape): string {
  let fixed = 1;
  let batch = 0;
  for (const d of shape) {
    if (d === 'N') batch++;
    else fixed *= d;
  }
  const parts = [...Array<string>(batch).fill('n'), ...(fixed !== 1 || batch === 0 ? [String(fixed)] : [])];
  return parts.join(' * ');
}

/** The product of the dimensions from `from` to the end, as an expression. */
export function sizeFrom(shape: SymShape, from: number): string {
  return sizeExpr(shape.slice(from));
}

/** The name of a port's gradient inside a backward body: `x` → `dx`. */
export function gradName(port: string): string {
  return `d${port}`;
}

/** One emitter per row of a table of op rows, under the same op names. */
export function emittersFrom<K extends OpName, R>(
  rows: Readonly<Record<K, R>>,
  emitter: (row: R) => OpEmitter,
): Record<K, OpEmitter> {
  const out = {} as Record<K, OpEmitter>;
  for (const name of Object.keys(rows) as K[]) out[name] = emitter(rows[name]);
  return out;
}

/**
 * Loops over broadcast batch axes (torch.matmul's rule), for products of matrices batch by batch:
 * `operands` are each operand's batch axes and matrix shape. Returns the loops' opening and closing
 * lines, the indent inside them, and where each operand's matrix starts (an expression in the loop
 * variables b0, b1, …: Σ index · stride over the axes the operand has, none along an axis of size 1
 * it is broadcast along); the output's batch is the last of `starts`, batch by batch in order.
 * `padded`: each operand's batch axes with 1s in front, to the loops' rank.
 */
export function batchLoops(
  operands: { batch: SymShape; matrix: SymShape }[],
  outMatrix: SymShape,
): { open: string[]; close: string[]; indent: string; starts: string[]; padded: SymShape[] } {
  const rank = Math.max(0, ...operands.map((o) => o.batch.length));
  const pad = (s: SymShape): SymShape => [...new Array<1>(rank - s.length).fill(1), ...s];
  const padded = operands.map((o) => pad(o.batch));
  const batch = Array.from({ length: rank }, (_, i) => padded.map((p) => p[i]!).find((d) => d !== 1) ?? 1);
  const start = (own: SymShape, matrix: SymShape): string => {
    const terms = own.flatMap((d, i) => {
      if (d === 1 && batch[i] !== 1) return [];
      const stride = sizeExpr([...own.slice(i + 1), ...matrix]);
      return [stride === '1' ? `b${i}` : `b${i} * ${stride}`];
    });
    return terms.length ? terms.join(' + ') : '0';
  };
  const dim = (d: SymShape[number]): string => (d === 'N' ? 'n' : String(d));
  return {
    open: batch.map((d, i) => `${'  '.repeat(i)}for (let b${i} = 0; b${i} < ${dim(d)}; b${i}++) {`),
    close: batch.map((_, i) => `${'  '.repeat(batch.length - 1 - i)}}`),
    indent: '  '.repeat(batch.length),
    starts: [...operands.map((o, k) => start(padded[k]!, o.matrix)), start(batch, outMatrix)],
    padded,
  };
}
