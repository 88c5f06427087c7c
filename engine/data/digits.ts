/**
 * A synthetic 8×8 digits image set for the CNN example, made here so nothing is downloaded:
 * each image draws a digit from a 5×7 bitmap font at a random offset, with random stroke
 * thickness, slant, intensity, missing pixels and background noise, all from one seed.
 * It is not handwriting (unlike MNIST or UCI's optdigits); it is a small, honest stand-in that a
 * small CNN can learn and that still needs translation-tolerant features.
 * Images are [N, 1, 8, 8] with values in [0, 1]; labels are the digits 0-9. With `size` above 8
 * the same images are scaled up bilinearly (28 gives MNIST's shape for LeNet-5-sized networks).
 */
import { Tensor } from '../tensor/tensor.js';
import { Rng } from '../tensor/random.js';
import type { Dataset } from './dataset.js';

/** The digits 0-9 in a 5×7 bitmap font, one string per row, '#' = ink. */
const FONT: readonly (readonly string[])[] = [
  ['.###.', '#...#', '#..##', '#.#.#', '##..#', '#...#', '.###.'],
  ['..#..', '.##..', '..#..', '..#..', '..#..', '..#..', '.###.'],
  ['.###.', '#...#', '....#', '...#.', '..#..', '.#...', '#####'],
  ['#####', '...#.', '..#..', '...#.', '....#', '#...#', '.###.'],
  ['...#.', '..##.', '.#.#.', '#..#.', '#####', '...#.', '...#.'],
  ['#####', '#....', '####.', '....#', '....#', '#...#', '.###.'],
  ['..##.', '.#...', '#....', '####.', '#...#', '#...#', '.###.'],
  ['#####', '....#', '...#.', '..#..', '.#...', '.#...', '.#...'],
  ['.###.', '#...#', '#...#', '.###.', '#...#', '#...#', '.###.'],
  ['.###.', '#...#', '#...#', '.####', '....#', '...#.', '.##..'],
];

export const DIGIT_SIZE = 8;

export interface DigitsOptions {
  samples?: number;
  seed?: number;
  /** Standard deviation of the background noise (default 0.1). */
  noise?: number;
  /** Side of the square images (default 8); larger images are the 8×8 ones scaled up. */
  size?: number;
}

export const DIGIT_MAX_SIZE = 64;
/** How many images are drawn unless `samples` says. */
export const DIGIT_SAMPLES = 1000;

export function digitsDataset(opts: DigitsOptions = {}): Dataset {
  const n = opts.samples ?? DIGIT_SAMPLES;
  if (!Number.isInteger(n) || n < 1)
    throw new Error(`dataset digits: samples must be an integer >= 1, got ${n}`);
  const noise = opts.noise ?? 0.1;
  const size = opts.size ?? DIGIT_SIZE;
  if (!Number.isInteger(size) || size < DIGIT_SIZE || size > DIGIT_MAX_SIZE)
    throw new Error(
      `dataset digits: size must be an integer from ${DIGIT_SIZE} to ${DIGIT_MAX_SIZE}, got ${size}`,
    );
  const rng = new Rng(opts.seed ?? 0);
  const S = DIGIT_SIZE;
  const x = Tensor.zeros([n, 1, size, size], 'float64');
  const y = Tensor.zeros([n], 'float64');
  const small = new Float64Array(S * S);
  for (let i = 0; i < n; i++) {
    const digit = i % 10;
    y.data[i] = digit;
    small.fill(0);
    drawDigit(small, FONT[digit]!, rng, noise);
    scaleUp(small, S, x.data.subarray(i * size * size, (i + 1) * size * size), size);
  }
  return {
    name: `digits (synthetic ${size}×${size}${size !== S ? ` scaled up from ${S}×${S}` : ''}, from a bitmap font): ${n} samples, noise ${noise}`,
    task: 'classification',
    x,
    y,
    classes: 10,
    classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
  };
}

/** Bilinear resampling of an s×s image to t×t (pixel centres aligned, as align_corners=False). */
function scaleUp(src: Float64Array, s: number, dst: Float64Array | Float32Array, t: number): void {
  if (t === s) return void dst.set(src);
  const at = (i: number) => Math.min(s - 1, Math.max(0, ((i + 0.5) * s) / t - 0.5));
  for (let r = 0; r < t; r++) {
    const fy = at(r),
      y0 = Math.floor(fy),
      y1 = Math.min(s - 1, y0 + 1),
      wy = fy - y0;
    for (let c = 0; c < t; c++) {
      const fx = at(c),
        x0 = Math.floor(fx),
        x1 = Math.min(s - 1, x0 + 1),
        wx = fx - x0;
      const top = src[y0 * s + x0]! * (1 - wx) + src[y0 * s + x1]! * wx;
      const bottom = src[y1 * s + x0]! * (1 - wx) + src[y1 * s + x1]! * wx;
      dst[r * t + c] = top * (1 - wy) + bottom * wy;
    }
  }
}

function drawDigit(
  img: Float64Array | Float32Array,
  glyph: readonly string[],
  rng: Rng,
  noise: number,
): void {
  const S = DIGIT_SIZE;
  const ox = rng.int(S - 5 + 1); // 0..3: the glyph is 5 wide
  const oy = rng.int(S - 7 + 1); // 0..1: 7 high
  const thick = rng.next() < 0.35; // a second column of ink to the right
  const slant = rng.next() < 0.3 ? (rng.next() < 0.5 ? -1 : 1) : 0; // shift the top half sideways
  const ink = 0.75 + 0.25 * rng.next();
  for (let r = 0; r < 7; r++) {
    const shift = slant !== 0 && r < 3 ? slant : 0;
    for (let c = 0; c < 5; c++) {
      if (glyph[r]![c] !== '#' || rng.next() < 0.05) continue;
      const py = oy + r;
      for (let w = 0; w < (thick ? 2 : 1); w++) {
        const px = ox + c + shift + w;
        if (px < 0 || px >= S) continue;
        img[py * S + px] = Math.max(img[py * S + px]!, w === 0 ? ink : 0.6 * ink);
      }
    }
  }
  for (let k = 0; k < S * S; k++) {
    const v = img[k]! + (noise > 0 ? noise * Math.abs(rng.normal()) : 0);
    img[k] = Math.min(1, Math.max(0, v));
  }
}
