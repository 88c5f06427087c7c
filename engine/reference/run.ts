/**
 * Runs every case of a reference file (already parsed JSON) through its kind's handler and judges
 * it against the tolerance for the dtype. Pure: reading the file is the CLI's job.
 */
import type { DType } from '../tensor/tensor.js';
import { CaseError, isObject, type CaseJson } from './case.js';
import type { CaseHandler, CaseResult } from './result.js';
import { CASE_HANDLERS } from './kinds/index.js';

/** Normwise relative error a case may have: float64 agrees with PyTorch's float64 to ~1e-10. */
export const TOLERANCE: Readonly<Record<DType, number>> = { float64: 1e-10, float32: 1e-5 };

export interface ReferenceReport {
  results: CaseResult[];
  passed: number;
  failed: number;
}

export interface RunOptions {
  dtype: DType;
  /** Defaults to TOLERANCE[dtype]. */
  tolerance?: number;
  handlers?: Readonly<Record<string, CaseHandler>>;
}

/** The cases of a reference file, or a CaseError saying what is wrong with its top level. */
export function referenceCases(json: unknown): CaseJson[] {
  if (!isObject(json) || !Array.isArray(json.cases))
    throw new CaseError('a reference file is an object with a "cases" list');
  return json.cases.map((c, i) => {
    if (!isObject(c)) throw new CaseError(`cases[${i}] is not an object`);
    return c;
  });
}

export function runCase(c: CaseJson, index: number, opts: RunOptions): CaseResult {
  const tolerance = opts.tolerance ?? TOLERANCE[opts.dtype];
  const kind = typeof c.kind === 'string' ? c.kind : '(no kind)';
  const name = typeof c.name === 'string' ? c.name : `cases[${index}]`;
  const handler = (opts.handlers ?? CASE_HANDLERS)[kind];
  const failed = (detail: string): CaseResult => ({
    name,
    kind,
    passed: false,
    worst: Infinity,
    detail,
    comparisons: [],
  });
  if (!handler) return failed(`no handler for case kind '${kind}' yet`);
  let comparisons;
  try {
    comparisons = handler(c, { dtype: opts.dtype });
  } catch (e) {
    return failed(`could not run: ${(e as Error).message}`);
  }
  if (comparisons.length === 0) return failed('the case compared nothing');
  const worst = comparisons.reduce((w, x) => (x.error > w.error || Number.isNaN(x.error) ? x : w));
  return {
    name,
    kind,
    passed: comparisons.every((x) => x.error <= tolerance),
    worst: worst.error,
    detail: worst.what,
    comparisons,
  };
}

export function runReference(json: unknown, opts: RunOptions): ReferenceReport {
  const results = referenceCases(json).map((c, i) => runCase(c, i, opts));
  const passed = results.filter((r) => r.passed).length;
  return { results, passed, failed: results.length - passed };
}
