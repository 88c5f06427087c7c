/**
 * What the code generator works from: the graph's compute nodes in execution order with their
 * resolved attributes, symbolic shapes ('N' marks the batch dimension), parameter and state
 * values, and where gradients flow. Built from a compiled graph (see fromCompiled) so that shapes,
 * defaults and parameter layouts are the engine's, never recomputed here.
 */
import type { Attrs, ParamRole } from '../ops/define.js';
import type { NodeId, TrainingConfig } from '../graph/document.js';

/** A dimension: a fixed size, or 'N' for the batch size chosen at call time. */
export type Dim = number | 'N';
export type SymShape = readonly Dim[];

export interface CodegenInput {
  /** The data port this input feeds (e.g. 'x', 'a', 'logits', 'target'). */
  port: string;
  /** The node whose output is read. */
  from: NodeId;
  shape: SymShape;
  /** Whether the backward pass needs this input's gradient. */
  needsGrad: boolean;
}

export interface CodegenTensor {
  name: string;
  shape: readonly number[];
  /** Row-major values (float64). */
  data: Float64Array;
}

export interface CodegenParam extends CodegenTensor {
  role: ParamRole;
}

export interface CodegenNode {
  id: NodeId;
  op: string;
  /** Resolved attributes (defaults filled in). */
  attrs: Attrs;
  inputs: readonly CodegenInput[];
  shape: SymShape;
  params: readonly CodegenParam[];
  /** Non-trainable buffers (batch_norm running statistics). */
  state: readonly CodegenTensor[];
  /**
   * For one output of an op with several (split): which. Such a node is written once per output,
   * each computing its own piece, with the id `<node>:<port>`.
   */
  output?: number;
}

export interface CodegenGraph {
  input: { id: NodeId; shape: SymShape };
  /**
   * Every input, in order, where the graph has several: a sample's row holds their values side by
   * side (each flattened row-major), which the exported module cuts apart.
   */
  inputs?: readonly { id: NodeId; shape: SymShape }[];
  /** The target node: class indices ([N]) or regression values ([N, features]). */
  target: { id: NodeId; shape: SymShape } | null;
  /** Compute nodes in execution order (no input/target). */
  nodes: readonly CodegenNode[];
  /** The node feeding the loss's first port: what `forward` returns. */
  prediction: NodeId;
  loss: NodeId;
  training: TrainingConfig;
}

export function sizeOfStatic(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function showShape(shape: SymShape): string {
  return `[${shape.join(', ')}]`;
}
