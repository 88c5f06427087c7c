/**
 * The positions the canvas shows, and how a gesture's edit reaches the host with them.
 *
 * A document whose nodes have no positions (or all the same one) is laid out by the view once its
 * nodes are measured: shown, and written to the file only with the user's first edit (`commit`
 * puts the shown layout in the file first, a move merged into it, so what the user sees is what
 * is saved) or Auto-layout (`layOut`, which writes the layout for the canvas as it is).
 */
import React from 'react';
import { useNodesInitialized, useReactFlow } from 'reactflow';
import type { GraphDoc, NodeId } from '../../engine/graph/document.js';
import type { GraphEdit, Position } from '../../engine/graph/edits.js';
import { isPiled } from '../../engine/graph/layout.js';
import type { OpFlowNode } from './graph-view.js';
import { autoLayout, NODE_HEIGHT, NODE_WIDTH } from './layout.js';

export interface ViewLayout {
  /** The view's own positions for a piled document; null when the document's positions are shown. */
  shown: ReadonlyMap<NodeId, Position> | null;
  /** False while a piled document waits for its layout (the opening view waits with it). */
  placed: boolean;
  /** Sends a gesture's edit (with the shown layout first, when there is one). */
  commit: (edit: GraphEdit) => void;
  /** Auto-layout: the whole graph laid out for the canvas, as one edit. */
  layOut: () => void;
}

export function useViewLayout(
  doc: GraphDoc,
  pane: React.RefObject<HTMLElement>,
  setNodes: React.Dispatch<React.SetStateAction<OpFlowNode[]>>,
  onEdit: (edit: GraphEdit) => void,
): ViewLayout {
  const rf = useReactFlow();
  const measured = useNodesInitialized();
  const [viewLayout, setViewLayout] = React.useState<ReadonlyMap<NodeId, Position> | null>(null);
  const piled = React.useMemo(() => isPiled(doc.nodes), [doc]);
  const shown = piled ? viewLayout : null;

  /** The engine's layout with the nodes' measured sizes, for the canvas as it is now. */
  const layoutNow = React.useCallback(() => {
    const size = (id: string) => {
      const n = rf.getNode(id);
      return { width: n?.width ?? NODE_WIDTH, height: n?.height ?? NODE_HEIGHT };
    };
    const box = pane.current?.getBoundingClientRect();
    return autoLayout(doc, size, box && box.width > 0 ? box : undefined);
  }, [doc, rf, pane]);

  // A piled document, once its nodes are measured: lay it out for the view (the file is unchanged).
  React.useEffect(() => {
    if (!piled || viewLayout !== null || !measured) return;
    const layout = new Map(layoutNow().map((m) => [m.id, m.position]));
    // In the same render as the flag the opening view waits for, so it fits the laid-out nodes.
    setNodes((ns) => ns.map((n) => ({ ...n, position: layout.get(n.id) ?? n.position })));
    setViewLayout(layout);
  }, [piled, viewLayout, measured, layoutNow, setNodes]);

  const commit = React.useCallback(
    (edit: GraphEdit) => {
      if (!shown) return onEdit(edit);
      const moved = new Map(edit.kind === 'moveNodes' ? edit.moves.map((m) => [m.id, m.position]) : []);
      const moves = doc.nodes.map((n) => ({
        id: n.id,
        position: roundPosition(moved.get(n.id) ?? shown.get(n.id) ?? n.position),
      }));
      onEdit({ kind: 'moveNodes', moves });
      if (edit.kind !== 'moveNodes') onEdit(edit);
    },
    [shown, doc, onEdit],
  );

  const layOut = React.useCallback(() => {
    onEdit({ kind: 'moveNodes', moves: layoutNow() });
    window.setTimeout(() => rf.fitView({ duration: 200, maxZoom: 1 }), 100);
  }, [layoutNow, rf, onEdit]);

  return { shown, placed: !piled || shown !== null, commit, layOut };
}

/** Positions as the file keeps them: whole pixels. */
export function roundPosition(p: Position): Position {
  return { x: Math.round(p.x), y: Math.round(p.y) };
}
