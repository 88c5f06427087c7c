/**
 * From a document's dataset configuration to a Dataset. Reading a CSV file is injected
 * (`readText`), so the engine stays free of Node: the CLI passes a file reader resolving paths
 * beside the graph, the extension one reading the workspace.
 */
import type { DatasetConfig } from '../graph/document.js';
import { withInputs, type Dataset } from './dataset.js';
import {
  classCount,
  classificationDataset,
  CLASSIFICATION_SAMPLES,
  isClassificationKind,
  regressionDataset,
  REGRESSION_SAMPLES,
} from './synthetic.js';
import { digitsDataset, DIGIT_SAMPLES, DIGIT_SIZE } from './digits.js';
import { csvDataset, CsvError } from './csv.js';
import { mnistDataset, MNIST_SAMPLES, type ReadBundled } from './mnist.js';
import { IRIS_FEATURES, IRIS_SPECIES, irisDataset } from './iris.js';
import { IRIS_ROWS } from './iris-table.js';
import { PHRASE_CLASSES, PHRASE_FEATURES, PHRASE_LENGTH, phrases, phrasesDataset } from './phrases.js';
import { MNIST_SIDE } from './idx.js';
import { REVERSE_DEFAULTS, reverseDataset, reverseSignature } from './sequences.js';
import { fileProblem, UserError, userMessage } from '../errors/user-error.js';

type CsvConfig = Extract<DatasetConfig, { kind: 'csv' }>;

/** What to do about a dataset that can't be used, said the same way in every place. */
export const DATASET_CHOICE = 'Choose a CSV beside the graph, or a built-in dataset (training.dataset.kind).';

/** A CSV dataset with no file chosen (an imported model): which columns the file needs. */
export function noDatasetMessage(config: CsvConfig): string {
  const columns = [...config.features, config.target];
  const list =
    columns.length > 6
      ? `${columns.slice(0, 3).join(', ')}, …, ${columns.slice(-3).join(', ')}`
      : columns.join(', ');
  return `No dataset is known for this network (training.dataset.path names no file): it needs a CSV with the columns ${list}. ${DATASET_CHOICE}`;
}

/**
 * Why a CSV dataset can't be used, in words: the file's problem (missing, unreadable) or its
 * content's (by line), naming the setting and what to do.
 */
export function datasetProblem(config: CsvConfig, e: unknown): string {
  const file = `'${config.path ?? ''}'`;
  const fs = fileProblem(e);
  if (fs) return `The dataset file ${file} (training.dataset.path) ${fs.reason}. ${DATASET_CHOICE}`;
  if (e instanceof CsvError) {
    const lines = e.problems
      .slice(0, 3)
      .map((p) => (p.line > 0 ? `line ${p.line}: ${p.message}` : p.message));
    const more = e.problems.length > 3 ? ` (and ${e.problems.length - 3} more)` : '';
    return `The dataset file ${file} (training.dataset) can't be used: ${lines.join('; ')}${more}. Fix the file or the columns in training.dataset, or choose another dataset.`;
  }
  if (e instanceof UserError) return e.message;
  return `The dataset file ${file} (training.dataset.path) can't be read: ${userMessage(e)}. ${DATASET_CHOICE}`;
}

export interface LoadOptions {
  /** Reads a CSV file named in the configuration (relative to the graph document). */
  readText?: (path: string) => string;
  /** Reads a data file that ships with Backprop Studio (MNIST), un-gzipped: engine/io/bundled-data.ts. */
  readBundled?: ReadBundled;
}

export function loadDataset(config: DatasetConfig, opts: LoadOptions = {}): Dataset {
  if (config.kind !== 'csv' && config.inputs)
    return withInputs(loadDataset({ ...config, inputs: undefined }, opts), config.inputs);
  switch (config.kind) {
    case 'spiral':
    case 'circles':
    case 'moons':
    case 'xor':
    case 'blobs':
    case 'checkerboard':
      return classificationDataset(config.kind, config);
    case 'sine':
    case 'sawtooth':
    case 'step':
    case 'polynomial':
      return regressionDataset(config.kind, config);
    case 'digits':
      return digitsDataset(config);
    case 'mnist':
      return mnistDataset(config, opts.readBundled);
    case 'iris':
      return irisDataset(config);
    case 'phrases':
      return phrasesDataset();
    case 'reverse':
      return reverseDataset(config);
    case 'csv': {
      const path = config.path;
      if (path === undefined) throw new UserError(noDatasetMessage(config));
      if (!opts.readText)
        throw new UserError(
          `The dataset file '${path}' can't be read here: save the graph in a folder first.`,
        );
      let text: string;
      try {
        text = opts.readText(path);
      } catch (e) {
        throw new UserError(datasetProblem(config, e));
      }
      return withInputs(csvDataset(text, { ...config, source: path }), config.inputs);
    }
  }
}

/**
 * The names of a flat dataset's features, which `training.dataset.inputs` hands out to input
 * nodes: CSV columns, iris' measurements, x1 and x2 for the two-feature built-ins, x for the
 * one-feature ones. Null for a dataset whose samples are whole tensors (digit images).
 */
export function datasetFeatures(config: DatasetConfig): string[] | null {
  switch (config.kind) {
    case 'csv':
      return config.features;
    case 'iris':
      return [...IRIS_FEATURES];
    case 'phrases':
      return [...PHRASE_FEATURES];
    case 'digits':
    case 'mnist':
    case 'reverse':
      return null;
    default:
      return isClassificationKind(config.kind) ? ['x1', 'x2'] : ['x'];
  }
}

/** The features that hold whole numbers (token indices): a CSV's `integers`, every word of phrases. */
export function integerFeatures(config: DatasetConfig): readonly string[] {
  if (config.kind === 'csv') return config.integers ?? [];
  return config.kind === 'phrases' ? PHRASE_FEATURES : [];
}

/**
 * What a dataset configuration feeds without generating it: the shape of one sample, and the
 * number of classes (null for regression or when only the file knows).
 */
export function datasetSignature(config: DatasetConfig): {
  sample: number[];
  classes: number | null;
  /** The shape of one sample's class labels when it is more than one label (a sequence's). */
  labels?: number[];
} {
  switch (config.kind) {
    case 'csv':
      return { sample: [config.features.length], classes: null };
    case 'digits':
      return { sample: [1, config.size ?? DIGIT_SIZE, config.size ?? DIGIT_SIZE], classes: 10 };
    case 'mnist':
      return { sample: [1, MNIST_SIDE, MNIST_SIDE], classes: 10 };
    case 'iris':
      return { sample: [IRIS_FEATURES.length], classes: IRIS_SPECIES.length };
    case 'phrases':
      return { sample: [PHRASE_LENGTH], classes: PHRASE_CLASSES.length };
    case 'reverse':
      return reverseSignature(config);
    default:
      if (isClassificationKind(config.kind))
        return {
          sample: [2],
          classes: classCount(config.kind, 'classes' in config ? config.classes : undefined),
        };
      return { sample: [1], classes: null };
  }
}

/**
 * How many samples a dataset configuration gives, known without generating the data: the
 * built-ins' `samples` or their default, iris' and phrases' fixed sizes. Null for a CSV (only its
 * file knows) and for a count the loader would refuse.
 */
export function datasetSampleCount(config: DatasetConfig): number | null {
  const n = ((): number => {
    switch (config.kind) {
      case 'csv':
        return NaN;
      case 'digits':
        return config.samples ?? DIGIT_SAMPLES;
      case 'mnist': {
        // More than ship is refused by the loader.
        const n = config.samples ?? MNIST_SAMPLES;
        return n <= MNIST_SAMPLES ? n : NaN;
      }
      case 'iris':
        return IRIS_ROWS.length;
      case 'phrases':
        return (phraseCount ??= phrases().length);
      case 'reverse':
        return config.samples ?? REVERSE_DEFAULTS.samples;
      default:
        return (
          config.samples ?? (isClassificationKind(config.kind) ? CLASSIFICATION_SAMPLES : REGRESSION_SAMPLES)
        );
    }
  })();
  return Number.isInteger(n) && n >= 1 ? n : null;
}

/** The built-in phrases are always the same: counted once. */
let phraseCount: number | undefined;
