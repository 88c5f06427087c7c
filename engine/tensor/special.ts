/** Special functions the standard library lacks, accurate to double precision. */

const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

/**
 * The error function. For |x| < 6, the everywhere-positive series (Abramowitz & Stegun 7.1.6)
 * erf(x) = 2/√π · e^(-x²) · Σ (2x²)^n x / (1·3·…·(2n+1)) has no cancellation, so the absolute
 * error stays at a few ulps; beyond, erf(x) = ±1 to double precision (erfc(6) ≈ 2e-17).
 */
export function erf(x: number): number {
  const ax = Math.abs(x);
  if (ax >= 6) return x > 0 ? 1 : -1;
  const x2 = ax * ax;
  let term = ax,
    sum = ax;
  for (let n = 0; term > 1e-17 * sum; n++) {
    term *= (2 * x2) / (2 * n + 3);
    sum += term;
  }
  const r = TWO_OVER_SQRT_PI * Math.exp(-x2) * sum;
  return x < 0 ? -r : r;
}
