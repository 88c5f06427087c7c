/**
 * Whether some node is outside the view: then (only) the minimap is worth its corner. Derived from
 * React Flow's own store (viewport, measured nodes, canvas size) on every change, so it can never
 * go stale: a flag computed at one moment of the opening (before the fit, or before the nodes'
 * final sizes) once left the minimap over a graph that fitted.
 */
import { getRectOfNodes, useStore, type ReactFlowState } from 'reactflow';
import { graphArea } from './opening-view.js';

function someNodeOutside(s: ReactFlowState): boolean {
  if (s.width === 0 || s.height === 0 || s.nodeInternals.size === 0) return false;
  const area = graphArea({ width: s.width, height: s.height });
  const [x, y, zoom] = s.transform;
  const r = getRectOfNodes(Array.from(s.nodeInternals.values()));
  return (
    r.x * zoom + x < 0 ||
    r.y * zoom + y < 0 ||
    (r.x + r.width) * zoom + x > area.width ||
    (r.y + r.height) * zoom + y > area.height
  );
}

export function useMinimapWanted(): boolean {
  return useStore(someNodeOutside);
}
