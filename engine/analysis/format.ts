/**
 * How the analyses' numbers are written for people, the same in the CLI's report and in the
 * editor's Analyses view: six significant digits, exponents only for very large or very small
 * magnitudes, byte counts in KiB / MiB.
 */

/** A measured or modelled quantity: 6 significant digits, or an exponent beyond [1e-3, 1e5). */
export function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  return Math.abs(v) >= 1e5 || (Math.abs(v) < 1e-3 && v !== 0)
    ? v.toExponential(3)
    : String(+v.toPrecision(6));
}

/**
 * A number someone wrote (an attribute, a setting) as people read it: six significant digits at
 * most, no float noise (0.09999999999999998 reads 0.1, 1.0000000474974513e-3 reads 0.001).
 */
export function readableNumber(v: number): string {
  return Number.isInteger(v) || !Number.isFinite(v) ? String(v) : String(+v.toPrecision(6));
}

/** A measured time: three significant digits (the next ones are the machine's noise). */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  return ms >= 1000 ? Math.round(ms).toLocaleString('en-US') : String(+ms.toPrecision(3));
}

/** A count (directions, flops, parameters) with thousands separators. */
export function formatCount(v: number): string {
  return Math.round(v).toLocaleString('en-US');
}

export function formatBytes(b: number): string {
  return b >= 1 << 20
    ? `${(b / (1 << 20)).toFixed(1)} MiB`
    : b >= 1024
      ? `${(b / 1024).toFixed(1)} KiB`
      : `${b} B`;
}
