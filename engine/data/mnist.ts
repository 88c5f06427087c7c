/**
 * MNIST: 10,000 real handwritten digits, 28×28 grey images [N, 1, 28, 28] with labels 0-9, from
 * the files in media/data/ (see media/data/NOTICE.md). The files are read through the injected
 * `readBundled` (engine/io/bundled-data.ts on Node), decoded once per process and kept; a
 * configuration's dataset is kept too, so reopening, previewing and training share one copy.
 *
 * Pixels p (0-255) become x = (p / 255 - mean) / std in float32 (what networks run in by default;
 * half the memory of float64): normalize "standard" uses MNIST's usual mean 0.1307 and standard
 * deviation 0.3081 (those of its 60,000 training images), "unit" keeps p / 255 in [0, 1].
 */
import { Tensor } from '../tensor/tensor.js';
import { UserError } from '../errors/user-error.js';
import type { Dataset } from './dataset.js';
import { decodeIdx, MNIST_FILES, MNIST_SIDE, type BundledFile } from './idx.js';

export type ReadBundled = (file: BundledFile) => Uint8Array;

export type MnistNormalize = 'standard' | 'unit';

export interface MnistOptions {
  /** How many of the 10,000 digits (the first ones of the stored shuffled order); default all. */
  samples?: number;
  normalize?: MnistNormalize;
}

/** MNIST's customary normalisation constants (torchvision's examples use the same). */
export const MNIST_MEAN = 0.1307;
export const MNIST_STD = 0.3081;

export const MNIST_SAMPLES = 10000;

/** The decoded files per reader (a WeakMap: a test's reader doesn't keep its data alive). */
const decoded = new WeakMap<ReadBundled, { images: Uint8Array; labels: Uint8Array }>();
/** The last dataset made, by configuration and reader. */
let last: { key: string; read: ReadBundled; dataset: Dataset } | null = null;

function mnistBytes(read: ReadBundled): { images: Uint8Array; labels: Uint8Array } {
  const known = decoded.get(read);
  if (known) return known;
  const images = decodeIdx(read(MNIST_FILES.images), `media/data/${MNIST_FILES.images}`);
  const labels = decodeIdx(read(MNIST_FILES.labels), `media/data/${MNIST_FILES.labels}`);
  const n = labels.shape[0]!;
  if (
    images.shape.length !== 3 ||
    images.shape[0] !== n ||
    images.shape[1] !== MNIST_SIDE ||
    images.shape[2] !== MNIST_SIDE ||
    labels.shape.length !== 1
  )
    throw new UserError(
      `The MNIST files in media/data don't match: images [${images.shape.join(', ')}], labels [${labels.shape.join(', ')}]. Reinstall Backprop Studio.`,
    );
  const bytes = { images: images.values, labels: labels.values };
  decoded.set(read, bytes);
  return bytes;
}

/** The mean and standard deviation a normalisation subtracts and divides by. */
export function mnistScaling(normalize: MnistNormalize = 'standard'): { mean: number; std: number } {
  return normalize === 'unit' ? { mean: 0, std: 1 } : { mean: MNIST_MEAN, std: MNIST_STD };
}

export function mnistDataset(opts: MnistOptions, read: ReadBundled | undefined): Dataset {
  const n = opts.samples ?? MNIST_SAMPLES;
  if (!Number.isInteger(n) || n < 1 || n > MNIST_SAMPLES)
    throw new UserError(
      `dataset mnist: samples must be an integer from 1 to ${MNIST_SAMPLES}, got ${n}. Fix training.dataset.samples.`,
    );
  const normalize = opts.normalize ?? 'standard';
  if (normalize !== 'standard' && normalize !== 'unit')
    throw new UserError(
      `dataset mnist: normalize must be "standard" or "unit", got ${JSON.stringify(normalize)}. Fix training.dataset.normalize.`,
    );
  if (!read)
    throw new UserError(
      'The MNIST digits ship with Backprop Studio but can’t be read here (no access to its data files).',
    );
  const key = JSON.stringify([n, normalize]);
  if (last && last.key === key && last.read === read) return last.dataset;
  const { images, labels } = mnistBytes(read);
  if (n > labels.length)
    throw new UserError(`dataset mnist: samples must be at most ${labels.length}, got ${n}.`);
  const pixels = MNIST_SIDE * MNIST_SIDE;
  const { mean, std } = mnistScaling(normalize);
  const x = Tensor.zeros([n, 1, MNIST_SIDE, MNIST_SIDE], 'float32');
  const y = Tensor.zeros([n], 'float64');
  for (let i = 0; i < n * pixels; i++) x.data[i] = (images[i]! / 255 - mean) / std;
  for (let i = 0; i < n; i++) y.data[i] = labels[i]!;
  const dataset: Dataset = {
    name: `MNIST handwritten digits (28×28): ${n} samples, ${normalize === 'unit' ? 'pixels in [0, 1]' : `normalised (mean ${mean}, std ${std})`}`,
    task: 'classification',
    x,
    y,
    classes: 10,
    classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
    pixels: { mean, std },
  };
  last = { key, read, dataset };
  return dataset;
}
