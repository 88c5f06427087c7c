/** What running one reference case found. */
import type { DType } from '../tensor/tensor.js';
import type { CaseJson } from './case.js';
import { relativeError } from '../tensor/compare.js';

export interface Comparison {
  /** What was compared, e.g. `output`, `vjp.weight`, `hvp.W1`, `eigenvalues`. */
  what: string;
  /** Normwise relative error (engine/tensor/compare.ts). */
  error: number;
}

export interface CaseResult {
  name: string;
  kind: string;
  passed: boolean;
  /** The largest error over the comparisons (Infinity when the case could not run). */
  worst: number;
  /** What the worst error was in, or why the case could not run. */
  detail: string;
  comparisons: Comparison[];
}

/** Runs one case of a kind; returns its comparisons or throws (CaseError, ShapeError, ...). */
export type CaseHandler = (c: CaseJson, opts: { dtype: DType }) => Comparison[];

/** Collects comparisons while a handler runs. */
export class Comparisons {
  readonly list: Comparison[] = [];
  add(what: string, actual: ArrayLike<number>, expected: ArrayLike<number>): void {
    this.list.push({ what, error: relativeError(actual, expected) });
  }
}
