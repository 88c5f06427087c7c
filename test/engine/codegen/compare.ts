/** Comparing generated-module results with the engine's: the largest normwise relative error. */

/** max |a - b| / max(max |b|, tiny): relative to the size of the reference tensor. */
export function relError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  return relErrorAll([[a, b]]);
}

/**
 * The same over several tensors taken as one vector (all of a model's gradients): a parameter
 * whose exact gradient is zero (a bias feeding batch_norm) then shows rounding noise at the scale
 * of the whole gradient, not divided by its own ~1e-17.
 */
export function relErrorAll(pairs: readonly (readonly [ArrayLike<number>, ArrayLike<number>])[]): number {
  let scale = 0;
  let diff = 0;
  for (const [a, b] of pairs) {
    if (a.length !== b.length) return Infinity;
    for (let i = 0; i < b.length; i++) {
      scale = Math.max(scale, Math.abs(b[i]!));
      diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
    }
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
