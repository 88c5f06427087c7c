/** A gradient check's per-tensor results folded into what the editor shows per node. */
import type { TensorGradCheck } from '../autodiff/gradcheck.js';
import type { GradCheckNode } from './protocol.js';

/** Who a checked slot belongs to: a node's parameter, or (null) a graph input named by the slot. */
export type SlotOwner = { node: string; param: string } | null;

/**
 * Per node, the worst error over its tensors whose gradients reach `floor` (or are not finite:
 * a NaN gradient is always a finding); a node none of whose tensors does is `resolved: false`.
 * `worst` is the resolved node with the largest error.
 */
export function gradCheckByNode(
  results: readonly TensorGradCheck[],
  ownerOf: (slot: number) => SlotOwner,
  floor: number,
): { nodes: GradCheckNode[]; worst: GradCheckNode | null } {
  const byNode = new Map<string, GradCheckNode>();
  for (const r of results) {
    const owner = ownerOf(r.slot);
    const node = owner?.node ?? r.name;
    const where = owner?.param ?? 'output';
    const resolved = r.scale >= floor || !Number.isFinite(r.error);
    const error = !resolved ? 0 : Number.isFinite(r.error) ? r.error : Number.MAX_VALUE;
    const prev = byNode.get(node) ?? { node, worstRelError: 0, where, resolved: false, checked: 0, kinks: 0 };
    const worse = resolved && (!prev.resolved || error > prev.worstRelError);
    byNode.set(node, {
      node,
      worstRelError: worse ? error : prev.worstRelError,
      where: worse ? where : prev.where,
      resolved: prev.resolved || resolved,
      checked: prev.checked + r.checked,
      kinks: prev.kinks + r.kinks,
    });
  }
  const nodes = [...byNode.values()];
  const worst = nodes.reduce<GradCheckNode | null>(
    (w, n) => (n.resolved && (!w || n.worstRelError > w.worstRelError) ? n : w),
    null,
  );
  return { nodes, worst };
}
