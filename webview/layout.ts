/** Layered auto-layout (dagre, left to right): the positions for one `moveNodes` edit. */
import dagre from '@dagrejs/dagre';
import type { GraphDoc, NodeId } from '../engine/graph/document.js';
import type { Position } from '../engine/graph/edits.js';

export const NODE_WIDTH = 170;
export const NODE_HEIGHT = 80;

export function autoLayout(
  doc: GraphDoc,
  size: (id: NodeId) => { width: number; height: number } = () => ({
    width: NODE_WIDTH,
    height: NODE_HEIGHT,
  }),
): { id: NodeId; position: Position }[] {
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: 'LR', nodesep: 40, ranksep: 70, marginx: 20, marginy: 20 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of doc.nodes) g.setNode(n.id, size(n.id));
  for (const e of doc.edges) if (g.hasNode(e.from) && g.hasNode(e.to)) g.setEdge(e.from, e.to);
  dagre.layout(g);
  return doc.nodes.map((n) => {
    const p = g.node(n.id);
    // dagre gives centres; the document stores top-left corners.
    return { id: n.id, position: { x: Math.round(p.x - p.width / 2), y: Math.round(p.y - p.height / 2) } };
  });
}
