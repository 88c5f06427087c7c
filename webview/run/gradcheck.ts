/**
 * How a gradient check result reads: autodiff against fourth-order central differences in float64
 * agrees to about 1e-8, so a worst relative error above GRADCHECK_OK means a wrong gradient
 * somewhere. A node whose gradients are all below what differences resolve has no verdict.
 */
import type { GradCheckNode } from '../../engine/run/protocol.js';
import { formatMagnitude } from './overlay-scale.js';

export const GRADCHECK_OK = 1e-4;

export type GradCheckVerdict = 'ok' | 'bad' | 'unresolved';

export function gradCheckVerdict(n: GradCheckNode): GradCheckVerdict {
  if (!n.resolved) return 'unresolved';
  return n.worstRelError <= GRADCHECK_OK ? 'ok' : 'bad';
}

/** "3.1e-9 at h1.weight" */
export function describeGradCheck(n: GradCheckNode): string {
  return `${formatMagnitude(n.worstRelError)} at ${n.node}${n.where === 'output' ? '' : `.${n.where}`}`;
}

/** The badge's tooltip: the number, where, and what was left out. */
export function gradCheckTitle(n: GradCheckNode, floor: number): string {
  const kinks = n.kinks > 0 ? `; ${n.kinks} of ${n.checked + n.kinks} elements left out at ReLU kinks` : '';
  if (!n.resolved)
    return `Gradient check: every gradient here is below ${floor.toExponential(0)}, too small for finite differences to check${kinks}`;
  return `Gradient check: worst relative error ${n.worstRelError.toExponential(2)} (${n.where}), ${n.checked} elements compared${kinks}`;
}
