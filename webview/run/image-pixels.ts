/**
 * Numbers as pictures for the Images tab: grey images from bytes, feature maps and filters over
 * their own range, and signed maps (saliency: ∂loss/∂pixel) in two colours around zero.
 */

/** RGBA bytes of a width × height picture. */
export type Rgba = Uint8ClampedArray;

/** Bytes 0-255 as grey (white ink on black, as MNIST is stored). */
export function greyPixels(bytes: ArrayLike<number>, offset: number, count: number): Rgba {
  const out = new Uint8ClampedArray(count * 4);
  for (let i = 0; i < count; i++) {
    const v = bytes[offset + i]!;
    out[4 * i] = out[4 * i + 1] = out[4 * i + 2] = v;
    out[4 * i + 3] = 255;
  }
  return out;
}

/** Values over their own range [min, max] as grey (a constant map is mid-grey). */
export function rangePixels(values: ArrayLike<number>, offset: number, count: number): Rgba {
  let lo = Infinity,
    hi = -Infinity;
  for (let i = 0; i < count; i++) {
    lo = Math.min(lo, values[offset + i]!);
    hi = Math.max(hi, values[offset + i]!);
  }
  const out = new Uint8ClampedArray(count * 4);
  const span = hi - lo;
  for (let i = 0; i < count; i++) {
    const v = span > 0 ? ((values[offset + i]! - lo) / span) * 255 : 128;
    out[4 * i] = out[4 * i + 1] = out[4 * i + 2] = v;
    out[4 * i + 3] = 255;
  }
  return out;
}

/**
 * Signed values scaled by the largest magnitude: positive orange, negative blue, zero black
 * (saliency: pixels that would raise the loss, and those that would lower it).
 */
export function signedPixels(values: ArrayLike<number>, offset: number, count: number): Rgba {
  let max = 0;
  for (let i = 0; i < count; i++) max = Math.max(max, Math.abs(values[offset + i]!));
  const out = new Uint8ClampedArray(count * 4);
  for (let i = 0; i < count; i++) {
    const v = max > 0 ? values[offset + i]! / max : 0;
    const a = Math.sqrt(Math.abs(v)) * 255; // a square root so faint structure still shows
    out[4 * i] = v > 0 ? a : 0.25 * a;
    out[4 * i + 1] = v > 0 ? 0.55 * a : 0.55 * a;
    out[4 * i + 2] = v > 0 ? 0.1 * a : a;
    out[4 * i + 3] = 255;
  }
  return out;
}
