/**
 * A readable default layout for a graph that arrives without positions (imports, generated
 * graphs): left to right in topological layers, each node one column right of its furthest
 * source, nodes of a layer stacked top to bottom in the order given. Source nodes with no inputs
 * (data) sit one column left of their first consumer, so a target lands next to its loss.
 */
import type { NodeId } from './document.js';

/**
 * Columns wider than the editor's widest node (220 px, webview/styles.css) plus a gap for the
 * edge and its shape label, so that no two nodes of neighbouring layers overlap.
 */
export const LAYER_SPACING = { x: 270, y: 110 } as const;

export function layeredPositions(
  nodes: readonly NodeId[],
  edges: readonly { from: NodeId; to: NodeId }[],
): Map<NodeId, { x: number; y: number }> {
  const sources = new Map<NodeId, NodeId[]>(nodes.map((n) => [n, []]));
  const consumers = new Map<NodeId, NodeId[]>(nodes.map((n) => [n, []]));
  for (const e of edges) {
    sources.get(e.to)?.push(e.from);
    consumers.get(e.from)?.push(e.to);
  }
  const layer = new Map<NodeId, number>();
  const visiting = new Set<NodeId>();
  const depth = (n: NodeId): number => {
    const known = layer.get(n);
    if (known !== undefined) return known;
    if (visiting.has(n)) return 0; // a cycle: the checker reports it; place it somewhere
    visiting.add(n);
    const d = Math.max(-1, ...sources.get(n)!.map(depth)) + 1;
    visiting.delete(n);
    layer.set(n, d);
    return d;
  };
  nodes.forEach(depth);
  for (const n of nodes) {
    const outs = consumers.get(n)!;
    if (sources.get(n)!.length === 0 && outs.length > 0) {
      layer.set(n, Math.max(0, Math.min(...outs.map((c) => layer.get(c)!)) - 1));
    }
  }
  const rows = new Map<number, number>();
  const out = new Map<NodeId, { x: number; y: number }>();
  for (const n of nodes) {
    const l = layer.get(n)!;
    const row = rows.get(l) ?? 0;
    rows.set(l, row + 1);
    out.set(n, { x: l * LAYER_SPACING.x, y: row * LAYER_SPACING.y });
  }
  return out;
}
