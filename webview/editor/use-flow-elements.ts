/**
 * The nodes and edges React Flow is given: the host's document mapped by toFlow (graph-view.ts),
 * with the shown positions and the selection. Between a gesture's start and its end React Flow
 * moves them itself (a node being dragged); the gesture's end is an edit, and the host's answer
 * replaces them. Selection is the editor store's: React Flow reports it, the store keeps it.
 */
import React from 'react';
import {
  applyEdgeChanges,
  applyNodeChanges,
  useReactFlow,
  type Edge,
  type EdgeChange,
  type NodeChange,
  type OnSelectionChangeParams,
} from 'reactflow';
import type { GraphDoc, GraphEdge, NodeId } from '../../engine/graph/document.js';
import type { GraphEdit, Position } from '../../engine/graph/edits.js';
import type { FlowGraph, OpFlowNode } from './graph-view.js';
import type { EditorStore } from './editor-store.js';

export interface FlowElements {
  edges: Edge[];
  onNodesChange: (changes: NodeChange[]) => void;
  onEdgesChange: (changes: EdgeChange[]) => void;
  onSelectionChange: (params: OnSelectionChangeParams) => void;
  onNodeDragStop: (e: React.MouseEvent, node: OpFlowNode, dragged: OpFlowNode[]) => void;
  /** Deletes the selected nodes and edges, as one edit. */
  deleteSelection: () => void;
  /** Selects one node and brings it into view (a failed run's node, a step-through's current node). */
  revealNode: (id: string) => void;
}

export function useFlowElements(
  doc: GraphDoc,
  flow: FlowGraph,
  shownPositions: ReadonlyMap<NodeId, Position> | null,
  store: EditorStore,
  commit: (edit: GraphEdit) => void,
  /**
   * React Flow's nodes, declared by the editor: the view layout writes them too (it places a piled
   * document's nodes in the same render as the flag the opening view waits for).
   */
  setNodes: React.Dispatch<React.SetStateAction<OpFlowNode[]>>,
): FlowElements {
  const rf = useReactFlow();
  const [edges, setEdges] = React.useState<Edge[]>([]);
  React.useEffect(() => {
    // The selection is read, not watched: a click selects through React Flow, which has it already.
    const selected = new Set(store.getState().selection);
    setNodes(
      flow.nodes.map((n) => ({
        ...n,
        position: shownPositions?.get(n.id) ?? n.position,
        selected: selected.has(n.id),
      })),
    );
    setEdges(flow.edges.map((e) => ({ ...e, selected: selected.has(e.id) })));
  }, [flow, shownPositions, store, setNodes]);

  // Deletion is one gesture (nodes and edges together, deleteSelection), never React Flow's own.
  const onNodesChange = React.useCallback(
    (changes: NodeChange[]) => {
      setNodes((ns) => applyNodeChanges(withoutRemovals(changes), ns));
    },
    [setNodes],
  );
  const onEdgesChange = React.useCallback((changes: EdgeChange[]) => {
    setEdges((es) => applyEdgeChanges(withoutRemovals(changes), es));
  }, []);
  const onSelectionChange = React.useCallback(
    ({ nodes: ns, edges: es }: OnSelectionChangeParams) =>
      store.setState({ selection: [...ns.map((n) => n.id), ...es.map((e) => e.id)] }),
    [store],
  );

  const onNodeDragStop = React.useCallback(
    (_e: React.MouseEvent, _node: OpFlowNode, dragged: OpFlowNode[]) => {
      const byId = new Map(doc.nodes.map((n) => [n.id, n.position]));
      const moves = dragged
        .filter((n) => {
          const was = byId.get(n.id);
          return was && (Math.round(n.position.x) !== was.x || Math.round(n.position.y) !== was.y);
        })
        .map((n) => ({ id: n.id, position: n.position }));
      if (moves.length) commit({ kind: 'moveNodes', moves });
    },
    [doc, commit],
  );

  const deleteSelection = React.useCallback(() => {
    const ids = new Set(store.getState().selection);
    const nodeIds = doc.nodes.filter((n) => ids.has(n.id)).map((n) => n.id);
    const edgeList = flow.edges.filter((e) => ids.has(e.id)).map((e) => (e.data as { edge: GraphEdge }).edge);
    if (nodeIds.length || edgeList.length) commit({ kind: 'delete', nodes: nodeIds, edges: edgeList });
  }, [doc, flow, store, commit]);

  const revealNode = React.useCallback(
    (id: string) => {
      if (!doc.nodes.some((n) => n.id === id)) return;
      store.setState({ selection: [id] });
      setNodes((ns) => ns.map((n) => (n.selected === (n.id === id) ? n : { ...n, selected: n.id === id })));
      rf.fitView({ nodes: [{ id }], duration: 200, maxZoom: 1.2, padding: 0.6 });
    },
    [doc, rf, store, setNodes],
  );

  return {
    edges,
    onNodesChange,
    onEdgesChange,
    onSelectionChange,
    onNodeDragStop,
    deleteSelection,
    revealNode,
  };
}

function withoutRemovals<C extends { type: string }>(changes: C[]): C[] {
  return changes.filter((c) => c.type !== 'remove');
}
