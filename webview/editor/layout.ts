/**
 * Auto-layout in the editor: the engine's layout (engine/graph/layout.ts, the same one the
 * importer and the examples use) with the nodes' measured sizes, for the canvas as it is.
 */
import type { GraphDoc, NodeId } from '../../engine/graph/document.js';
import type { Position } from '../../engine/graph/edits.js';
import { layoutGraph, NODE_WIDTH, type Size } from '../../engine/graph/layout.js';
import { graphArea, OPENING_PADDING } from './opening-view.js';

export { NODE_WIDTH };
export const NODE_HEIGHT = 60;

export function autoLayout(
  doc: GraphDoc,
  size: (id: NodeId) => Size,
  canvas?: Size,
): { id: NodeId; position: Position }[] {
  const area = canvas ? graphArea(canvas) : undefined;
  const frame = area
    ? { width: area.width - 2 * OPENING_PADDING, height: area.height - 2 * OPENING_PADDING }
    : undefined;
  const positions = layoutGraph(
    doc.nodes.map((n) => n.id),
    doc.edges,
    { size, ...(frame ? { frame } : {}) },
  );
  return doc.nodes.map((n) => ({ id: n.id, position: positions.get(n.id)! }));
}
