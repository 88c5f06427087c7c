/**
 * Small functions the generated module may need, emitted only when used (the module imports
 * nothing). Each is plain strict TypeScript over Float64Arrays.
 */

export const HELPERS = {
  fromRows: `/** Rows of numbers (one per sample) as one row-major array, checking each row's length. */
function fromRows(rows: readonly (readonly number[])[], width: number, what: string): Float64Array {
  const out = new Float64Array(rows.length * width);
  rows.forEach((row, i) => {
    if (row.length !== width)
      throw new Error(\`\${what}: row \${i} has \${row.length} values, expected \${width}\`);
    out.set(row, i * width);
  });
  return out;
}`,
  toRows: `/** A row-major array as rows of \`width\` numbers. */
function toRows(data: Float64Array, width: number): number[][] {
  const rows: number[][] = [];
  for (let i = 0; i < data.length; i += width) rows.push(Array.from(data.subarray(i, i + width)));
  return rows;
}`,
  fromLabels: `/** Class indices as an array, checking each is an integer in [0, classes). */
function fromLabels(labels: readonly number[], classes: number): Float64Array {
  labels.forEach((c, i) => {
    if (!Number.isInteger(c) || c < 0 || c >= classes)
      throw new Error(\`targets: label \${i} is \${c}, expected an integer in [0, \${classes})\`);
  });
  return Float64Array.from(labels);
}`,
  addInto: `/** into += from, elementwise (a value read by several layers sums their gradients). */
function addInto(into: Float64Array, from: Float64Array): void {
  for (let i = 0; i < into.length; i++) into[i] += from[i];
}`,
  erf: `/**
 * The error function to double precision: for |x| < 6 the everywhere-positive series
 * erf(x) = 2/√π · e^(-x²) · Σ (2x²)^k x / (1·3·…·(2k+1)) (Abramowitz & Stegun 7.1.6); ±1 beyond.
 */
function erf(x: number): number {
  const ax = Math.abs(x);
  if (ax >= 6) return x > 0 ? 1 : -1;
  const x2 = ax * ax;
  let term = ax;
  let sum = ax;
  for (let k = 0; term > 1e-17 * sum; k++) {
    term *= (2 * x2) / (2 * k + 3);
    sum += term;
  }
  const r = (2 / Math.sqrt(Math.PI)) * Math.exp(-x2) * sum;
  return x < 0 ? -r : r;
}`,
  random: `/** Seeded uniform numbers in [0, 1) (mulberry32) for dropout masks; setRandomSeed() restarts it. */
let randomState = 0;
export function setRandomSeed(seed: number): void {
  randomState = seed >>> 0;
}
function random(): number {
  let t = (randomState = (randomState + 0x6d2b79f5) >>> 0);
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}`,
  dropoutMask: `/** A dropout mask: each entry 0 with probability p, else 1 / (1 - p), drawn in order. */
function dropoutMask(size: number, p: number): Float64Array {
  const mask = new Float64Array(size);
  const keep = p < 1 ? 1 / (1 - p) : 0;
  for (let i = 0; i < size; i++) mask[i] = random() < p ? 0 : keep;
  return mask;
}`,
} as const;

export type HelperName = keyof typeof HELPERS;

/** Helpers in a fixed order, so the output is stable. */
export function helperSources(used: ReadonlySet<HelperName>): string[] {
  return (Object.keys(HELPERS) as HelperName[]).filter((h) => used.has(h)).map((h) => HELPERS[h]);
}
