/** Comparing generated-module results with the engine's: the largest normwise relative error. */

/** max |a - b| / max(max |b|, tiny): relative to the size of the reference tensor. */
export function relError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let scale = 0;
  let diff = 0;
  for (let i = 0; i < b.length; i++) {
    scale = Math.max(scale, Math.abs(b[i]!));
    diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
  }
  if (Number.isNaN(diff)) return Infinity;
  return diff / Math.max(scale, 1e-300);
}

export function flat(rows: readonly (readonly number[])[]): number[] {
  return rows.flatMap((r) => [...r]);
}

/** Rows of `width` from a flat array. */
export function rows(data: ArrayLike<number>, width: number): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < data.length; i += width)
    out.push(Array.from({ length: width }, (_, k) => data[i + k]!));
  return out;
}
