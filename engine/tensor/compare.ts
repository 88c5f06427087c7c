/** How far apart two arrays of numbers are; the one measure used by reference checks and gradcheck. */

/**
 * Normwise relative error max|a - b| / max(max|a|, max|b|): scale-free, and meaningful where single
 * elements are near zero (an elementwise ratio there measures rounding noise, not a bug).
 * 0 when both are all zero; Infinity when lengths differ or anything is NaN.
 */
export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let diff = 0,
    scale = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!,
      y = b[i]!;
    if (Number.isNaN(x) || Number.isNaN(y)) return Infinity;
    diff = Math.max(diff, Math.abs(x - y));
    scale = Math.max(scale, Math.abs(x), Math.abs(y));
  }
  return scale === 0 ? 0 : diff / scale;
}
