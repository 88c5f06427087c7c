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

/** The document's dataset, split into training and validation with the run's seed. */
export function trainingData(
  doc: GraphDoc,
  seed: number,
  opts: LoadOptions = {},
): { dataset: Dataset; train: Dataset; validation: Dataset | null } {
  const dataset = loadDataset(doc.training.dataset, opts);
  return { dataset, ...splitDataset(dataset, doc.training.validationSplit ?? 0, seed) };
}

export function prepareTraining(doc: GraphDoc, opts: SessionOptions = {}): TrainingSession {
  const t = doc.training;
  const seed = opts.seed ?? t.seed ?? 0;
  const epochs = opts.epochs ?? t.epochs;
  const { dataset, train, validation } = trainingData(doc, seed, opts);
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
