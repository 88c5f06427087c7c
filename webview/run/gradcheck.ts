/**
 * How a gradient check result reads: autodiff against central finite differences in float64 agrees
 * to about 1e-8, so a worst relative error above GRADCHECK_OK means a wrong gradient somewhere.
 */
import type { GradCheckNode } from '../../engine/run/protocol.js';
import { formatMagnitude } from './overlay-scale.js';

export const GRADCHECK_OK = 1e-4;

export function gradCheckOk(n: GradCheckNode): boolean {
  return n.worstRelError <= GRADCHECK_OK;
}

/** "3.1e-9 at h1.weight" */
export function describeGradCheck(n: GradCheckNode): string {
  return `${formatMagnitude(n.worstRelError)} at ${n.node}${n.where === 'output' ? '' : `.${n.where}`}`;
}
