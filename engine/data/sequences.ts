/**
 * A toy sequence task for attention: reverse a short sequence of digits. Each sample is `length`
 * tokens; token t is a one-hot float row [digit one-hot (symbols) | position one-hot (length)], so a
 * network without embeddings still knows where each token sits. The target is the reversed
 * sequence as class indices per position, [length] per sample (cross_entropy takes the logits as
 * [N, symbols, length], torch's class axis 1).
 */
import { Tensor } from '../tensor/tensor.js';
import { Rng } from '../tensor/random.js';
import type { Dataset } from './dataset.js';

export interface ReverseOptions {
  samples?: number;
  /** Tokens per sequence (default 5). */
  length?: number;
  /** Distinct digits (default 10). */
  symbols?: number;
  seed?: number;
}

export const REVERSE_DEFAULTS = { samples: 2000, length: 5, symbols: 10 } as const;

/** The shape of one sample and of its labels, and the number of classes. */
export function reverseSignature(opts: ReverseOptions): {
  sample: number[];
  labels: number[];
  classes: number;
} {
  const length = opts.length ?? REVERSE_DEFAULTS.length;
  const symbols = opts.symbols ?? REVERSE_DEFAULTS.symbols;
  return { sample: [length, symbols + length], labels: [length], classes: symbols };
}

export function reverseDataset(opts: ReverseOptions = {}): Dataset {
  const n = opts.samples ?? REVERSE_DEFAULTS.samples;
  const length = opts.length ?? REVERSE_DEFAULTS.length;
  const symbols = opts.symbols ?? REVERSE_DEFAULTS.symbols;
  for (const [name, v, least] of [
    ['samples', n, 1],
    ['length', length, 2],
    ['symbols', symbols, 2],
  ] as const)
    if (!Number.isInteger(v) || v < least)
      throw new Error(`dataset reverse: ${name} must be an integer >= ${least}, got ${v}`);
  const rng = new Rng(opts.seed ?? 0);
  const width = symbols + length;
  const x = Tensor.zeros([n, length, width], 'float64');
  const y = Tensor.zeros([n, length], 'float64');
  for (let i = 0; i < n; i++)
    for (let t = 0; t < length; t++) {
      const digit = rng.int(symbols);
      const row = (i * length + t) * width;
      x.data[row + digit] = 1;
      x.data[row + symbols + t] = 1;
      y.data[i * length + (length - 1 - t)] = digit;
    }
  return {
    name: `reverse: ${n} sequences of ${length} digits (0-${symbols - 1})`,
    task: 'classification',
    x,
    y,
    classes: symbols,
  };
}
