/**
 * What the trainer needs of a compiled graph: the fields of CompiledGraph (engine/graph/compile.ts)
 * it uses, so that anything compiled to this shape (a graph document, a hand-built Program in a
 * test) trains the same way.
 */
import type { Program } from '../autodiff/program.js';

export interface TrainableParam {
  readonly node: string;
  readonly name: string;
  readonly slot: number;
}

export interface Trainable {
  readonly program: Program;
  readonly batchSize: number;
  /** Node ids in topological order. */
  readonly order: readonly string[];
  /** The slot holding each node's output. */
  readonly nodeSlot: ReadonlyMap<string, number>;
  /** Slot fed with a batch of features [B, ...sample]. */
  readonly input: number;
  /** Slot fed with a batch of targets ([B] class indices or [B, k] values); null if none. */
  readonly target: number | null;
  /** Scalar loss slot. */
  readonly loss: number;
  /** The slot feeding the loss's first port (logits or predictions). */
  readonly prediction: number;
  readonly params: readonly TrainableParam[];
  /** The same parameters and state with buffers for another batch size. */
  withBatchSize(n: number): Trainable;
}
