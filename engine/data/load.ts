/**
 * From a document's dataset configuration to a Dataset. Reading a CSV file is injected
 * (`readText`), so the engine stays free of Node: the CLI passes a file reader resolving paths
 * beside the graph, the extension one reading the workspace.
 */
import type { DatasetConfig } from '../graph/document.js';
import type { Dataset } from './dataset.js';
import { classCount, classificationDataset, isClassificationKind, regressionDataset } from './synthetic.js';
import { digitsDataset, DIGIT_SIZE } from './digits.js';
import { csvDataset } from './csv.js';

export interface LoadOptions {
  /** Reads a CSV file named in the configuration (relative to the graph document). */
  readText?: (path: string) => string;
}

export function loadDataset(config: DatasetConfig, opts: LoadOptions = {}): Dataset {
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
    case 'csv': {
      if (!opts.readText) throw new Error(`dataset csv: no file reader here to read '${config.path}'`);
      return csvDataset(opts.readText(config.path), { ...config, source: config.path });
    }
  }
}

/**
 * What a dataset configuration feeds without generating it: the shape of one sample, and the
 * number of classes (null for regression or when only the file knows).
 */
export function datasetSignature(config: DatasetConfig): { sample: number[]; classes: number | null } {
  switch (config.kind) {
    case 'csv':
      return { sample: [config.features.length], classes: null };
    case 'digits':
      return { sample: [1, DIGIT_SIZE, DIGIT_SIZE], classes: 10 };
    default:
      if (isClassificationKind(config.kind))
        return {
          sample: [2],
          classes: classCount(config.kind, 'classes' in config ? config.classes : undefined),
        };
      return { sample: [1], classes: null };
  }
}
