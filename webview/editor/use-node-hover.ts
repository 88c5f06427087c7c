/**
 * The node under the pointer, for its run statistics card: placed beside the pointer and kept
 * inside the canvas. Dragging a node hides it.
 */
import React from 'react';
import type { OpFlowNode } from './graph-view.js';

/** The card's size (webview/run/NodeStatsCard.tsx), to keep it inside the canvas. */
const CARD_WIDTH = 340;
const CARD_HEIGHT = 260;
/** From the pointer to the card's corner. */
const OFFSET = 16;

export interface NodeHover {
  hover: { id: string; left: number; top: number } | null;
  onNodeMouseEnter: (e: React.MouseEvent, node: OpFlowNode) => void;
  onNodeMouseLeave: () => void;
}

export function useNodeHover(pane: React.RefObject<HTMLElement>): NodeHover {
  const [hover, setHover] = React.useState<NodeHover['hover']>(null);
  const onNodeMouseEnter = React.useCallback(
    (e: React.MouseEvent, node: OpFlowNode) => {
      const box = pane.current?.getBoundingClientRect();
      if (!box) return;
      const x = e.clientX - box.left;
      const y = e.clientY - box.top;
      setHover({
        id: node.id,
        left: Math.max(4, Math.min(x + OFFSET, box.width - CARD_WIDTH)),
        top: y + CARD_HEIGHT > box.height ? Math.max(4, y - CARD_HEIGHT) : y + OFFSET,
      });
    },
    [pane],
  );
  const onNodeMouseLeave = React.useCallback(() => setHover(null), []);
  return { hover, onNodeMouseEnter, onNodeMouseLeave };
}
