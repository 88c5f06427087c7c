/**
 * A graph document made ready to train: its dataset loaded and split, the graph compiled at the
 * document's batch size, and a Trainer built from the document's training settings. The CLI, the
 * demo and the editor's engine worker all start a run here, so they train the same way.
 *
 * One seed (the `seed` option, else training.seed, else 0) sets the initial weights, the dropout
 * masks, the validation split and the batch order; the dataset's own seed sets the data.
 */
import type { GraphDoc } from '../graph/document.js';
import { compileGraph, type CompiledGraph } from '../graph/compile.js';
import type { Weights } from '../graph/weights.js';
import type { DType } from '../tensor/tensor.js';
import { loadDataset, type LoadOptions } from '../data/load.js';
import { splitDataset, type Dataset } from '../data/dataset.js';
import { Trainer, type TrainerOptions } from './trainer.js';

export interface SessionOptions extends LoadOptions {
  epochs?: number;
  seed?: number;
  dtype?: DType;
  /** Start from these weights instead of the initialisers. */
  weights?: Weights;
  /** Events, cancellation and statistics (see TrainerOptions). */
  events?: Pick<TrainerOptions, 'signal' | 'onStep' | 'onEpoch' | 'onStats' | 'statsEvery' | 'histogramBins'>;
}

export interface TrainingSession {
  compiled: CompiledGraph;
  trainer: Trainer;
  /** The whole dataset, and its training and validation parts. */
  dataset: Dataset;
  train: Dataset;
  validation: Dataset | null;
  epochs: number;
  seed: number;
}

export function prepareTraining(doc: GraphDoc, opts: SessionOptions = {}): TrainingSession {
  const t = doc.training;
  const seed = opts.seed ?? t.seed ?? 0;
  const epochs = opts.epochs ?? t.epochs;
  const dataset = loadDataset(t.dataset, opts);
  const { train, validation } = splitDataset(dataset, t.validationSplit ?? 0, seed);
  const compiled = compileGraph(doc, {
    batchSize: t.batchSize,
    dtype: opts.dtype ?? 'float32',
    seed,
    weights: opts.weights,
  });
  const trainer = new Trainer(
    compiled,
    { train, validation },
    {
      optimizer: t.optimizer,
      schedule: t.schedule,
      epochs,
      seed,
      clipGradNorm: t.clipGradNorm,
      earlyStopping: t.earlyStopping,
      ...opts.events,
    },
  );
  return { compiled, trainer, dataset, train, validation, epochs, seed };
}
