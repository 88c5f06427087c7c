/**
 * What the trainer needs of a compiled graph: the fields of CompiledGraph (engine/graph/compile.ts)
 * it uses, so that anything compiled to this shape (a graph document, a hand-built Program in a
 * test) trains the same way.
 */
import type { Program } from '../autodiff/program.js';
import type { Dataset } from '../data/dataset.js';
import { sizeOf, type Tensor } from '../tensor/tensor.js';

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
  /** Slot fed with a batch of features [B, ...sample] (the first input's, in a graph with several). */
  readonly input: number;
  /** Every input node's slot, where the graph has several (each fed its own columns: inputFeeds). */
  readonly inputs?: readonly { readonly node: string; readonly slot: number }[];
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

/**
 * The dataset tensor each input slot is fed from: x for a graph with one input, else each input
 * node's own columns (Dataset.inputs, from training.dataset.inputs). Throws naming an input the
 * dataset doesn't feed, or one whose samples don't fit.
 */
export function inputFeeds(g: Trainable, ds: Dataset): { node: string | null; slot: number; x: Tensor }[] {
  const several = g.inputs && (g.inputs.length > 1 || ds.inputs);
  const feeds = several
    ? g.inputs!.map(({ node, slot }) => {
        const x = ds.inputs?.[node];
        if (!x)
          throw new Error(
            `input '${node}' is not fed by the dataset: name its features in training.dataset.inputs`,
          );
        return { node, slot, x };
      })
    : [{ node: null, slot: g.input, x: ds.x }];
  for (const { node, slot, x } of feeds) {
    const sample = g.program.slots[slot]!.shape.slice(1);
    const given = x.shape.slice(1);
    if (sizeOf(sample) !== sizeOf(given) || sample.length !== given.length)
      throw new Error(
        `the input${node ? ` '${node}'` : ''} takes samples of shape [${sample.join(', ')}] but the dataset has [${given.join(', ')}]`,
      );
  }
  return feeds;
}
