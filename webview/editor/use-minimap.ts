/** Whether some node is outside the view: then (only) the minimap is worth its corner. */
import React from 'react';
import { getRectOfNodes, useReactFlow } from 'reactflow';
import { graphArea } from './opening-view.js';

export function useMinimapWanted(pane: React.RefObject<HTMLElement>): {
  wanted: boolean;
  /** Looks again (after a move, or when the nodes change). */
  update: () => void;
} {
  const rf = useReactFlow();
  const [wanted, setWanted] = React.useState(false);
  const update = React.useCallback(() => {
    const box = pane.current?.getBoundingClientRect();
    if (!box || box.width === 0) return;
    const area = graphArea(box);
    const { x, y, zoom } = rf.getViewport();
    const r = getRectOfNodes(rf.getNodes());
    setWanted(
      r.x * zoom + x < 0 ||
        r.y * zoom + y < 0 ||
        (r.x + r.width) * zoom + x > area.width ||
        (r.y + r.height) * zoom + y > area.height,
    );
  }, [pane, rf]);
  return { wanted, update };
}
