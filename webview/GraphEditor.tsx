/**
 * The canvas: React Flow showing the document, turning each gesture into one GraphEdit for the
 * host. The document drawn is always the host's; the only local state is what React Flow needs
 * between a gesture's start and its end (a node being dragged) plus selection and viewport.
 */
import React from 'react';
import ReactFlow, {
  applyEdgeChanges,
  applyNodeChanges,
  Background,
  Controls,
  MiniMap,
  getRectOfNodes,
  useNodesInitialized,
  useReactFlow,
  type Connection,
  type Edge,
  type EdgeChange,
  type EdgeTypes,
  type NodeChange,
  type NodeTypes,
  type OnSelectionChangeParams,
  type Viewport,
} from 'reactflow';
import type { Diagnostic, GraphDoc, GraphEdge, GraphNode } from '../engine/graph/document.js';
import { checkGraph } from '../engine/graph/check.js';
import { freshId, type GraphEdit, type Position } from '../engine/graph/edits.js';
import { OP_NODE_TYPE, toFlow, WIRE_EDGE_TYPE, type OpFlowNode } from './graph-view.js';
import { OpNode } from './nodes/OpNode.js';
import { initialAttrs, opInfo, paletteEntry, type OpInfo } from './op-catalog.js';
import { checkConnection } from './connect-check.js';
import { autoLayout, NODE_HEIGHT, NODE_WIDTH } from './layout.js';
import { graphArea, isUsableViewport, useOpeningViewport } from './opening-view.js';
import { isPiled } from '../engine/graph/layout.js';
import { Palette, OP_DRAG_TYPE } from './Palette.js';
import { QuickAdd } from './QuickAdd.js';
import { Inspector } from './Inspector.js';
import { useHost } from './host.js';
import { ProblemList } from './ProblemList.js';
import { isEditableTarget } from './keyboard.js';
import { FollowStep } from './run/FollowStep.js';
import { Button } from './ui/controls.js';
import { RunPanel } from './run/RunPanel.js';
import { OverlayEdge } from './run/NodeOverlay.js';
import { OverlayLegend } from './run/OverlayLegend.js';
import { NodeStatsCard } from './run/NodeStatsCard.js';

/** Module-level so React Flow sees the same object every render. */
const nodeTypes: NodeTypes = { [OP_NODE_TYPE]: OpNode };
const edgeTypes: EdgeTypes = { [WIRE_EDGE_TYPE]: OverlayEdge };

/** What Ctrl+C puts on the clipboard (text, so it survives a trip through the system clipboard). */
const CLIPBOARD_FORMAT = 'backprop-studio.nodes';
interface ClipboardPayload {
  format: typeof CLIPBOARD_FORMAT;
  nodes: GraphNode[];
  edges: GraphEdge[];
}

export function GraphEditor(props: {
  doc: GraphDoc;
  diagnostics: Diagnostic[];
  onEdit: (edit: GraphEdit) => void;
  onNotice: (text: string) => void;
}): React.JSX.Element {
  const { doc, diagnostics, onEdit, onNotice } = props;
  const rf = useReactFlow();
  const host = useHost();
  const wrapper = React.useRef<HTMLDivElement>(null);
  const persisted = React.useMemo(() => host.loadState(), [host]);
  const remembered = isUsableViewport(persisted.viewport) ? persisted.viewport : undefined;
  /**
   * Positions the view gives a document whose nodes have none (or all the same one): laid out
   * once the nodes are measured, shown, and written to the file only with the user's first edit
   * (or Auto-layout). Null when the document's own positions are shown.
   */
  const [viewLayout, setViewLayout] = React.useState<ReadonlyMap<string, Position> | null>(null);
  const piled = React.useMemo(() => isPiled(doc.nodes), [doc]);
  const layoutShown = piled ? viewLayout : null;
  const measured = useNodesInitialized();
  const [overflowing, setOverflowing] = React.useState(false);
  /** Whether some node is outside the view: then (only) the minimap is worth its corner. */
  const updateOverflow = React.useCallback(() => {
    const box = wrapper.current?.getBoundingClientRect();
    if (!box || box.width === 0) return;
    const area = graphArea(box);
    const { x, y, zoom } = rf.getViewport();
    const r = getRectOfNodes(rf.getNodes());
    setOverflowing(
      r.x * zoom + x < 0 ||
        r.y * zoom + y < 0 ||
        (r.x + r.width) * zoom + x > area.width ||
        (r.y + r.height) * zoom + y > area.height,
    );
  }, [rf]);
  useOpeningViewport(
    wrapper,
    remembered !== undefined,
    doc.nodes.length === 0,
    !piled || layoutShown !== null,
    updateOverflow,
  );

  const check = React.useMemo(() => checkGraph(doc), [doc]);
  const errorsBefore = React.useMemo(
    () => new Set(check.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message)),
    [check],
  );
  const flow = React.useMemo(() => toFlow(doc, check.shapes, diagnostics), [doc, check, diagnostics]);

  const selection = React.useRef(new Set(persisted.selection ?? []));
  const [selectedIds, setSelectedIds] = React.useState<string[]>(persisted.selection ?? []);
  const [nodes, setNodes] = React.useState<OpFlowNode[]>([]);
  const [edges, setEdges] = React.useState<Edge[]>([]);
  React.useEffect(() => {
    setNodes(
      flow.nodes.map((n) => ({
        ...n,
        position: layoutShown?.get(n.id) ?? n.position,
        selected: selection.current.has(n.id),
      })),
    );
    setEdges(flow.edges.map((e) => ({ ...e, selected: selection.current.has(e.id) })));
  }, [flow, layoutShown]);
  // A piled document, once its nodes are measured: lay it out for the view (the file is unchanged).
  React.useEffect(() => {
    if (!piled || viewLayout !== null || !measured) return;
    const box = wrapper.current?.getBoundingClientRect();
    const size = (id: string) => {
      const n = rf.getNode(id);
      return { width: n?.width ?? NODE_WIDTH, height: n?.height ?? NODE_HEIGHT };
    };
    const layout = new Map(
      autoLayout(doc, size, box && box.width > 0 ? box : undefined).map((m) => [m.id, m.position]),
    );
    // In the same render as the flag the opening view waits for, so it fits the laid-out nodes.
    setNodes((ns) => ns.map((n) => ({ ...n, position: layout.get(n.id) ?? n.position })));
    setViewLayout(layout);
  }, [piled, viewLayout, measured, doc, rf]);

  /**
   * Sends a gesture's edit. While the view shows its own layout of a piled document, that layout
   * goes into the file first (a move is merged into it), so what the user sees is what is saved.
   */
  const commit = React.useCallback(
    (edit: GraphEdit) => {
      if (!layoutShown) return onEdit(edit);
      const moved = new Map(edit.kind === 'moveNodes' ? edit.moves.map((m) => [m.id, m.position]) : []);
      const moves = doc.nodes.map((n) => ({
        id: n.id,
        position: roundPos(moved.get(n.id) ?? layoutShown.get(n.id) ?? n.position),
      }));
      onEdit({ kind: 'moveNodes', moves });
      if (edit.kind !== 'moveNodes') onEdit(edit);
    },
    [layoutShown, doc, onEdit],
  );

  const onNodesChange = React.useCallback((changes: NodeChange[]) => {
    // Deletion is one gesture handled below (nodes and edges together), never React Flow's own.
    setNodes((ns) =>
      applyNodeChanges(
        changes.filter((c) => c.type !== 'remove'),
        ns,
      ),
    );
  }, []);
  const onEdgesChange = React.useCallback((changes: EdgeChange[]) => {
    setEdges((es) =>
      applyEdgeChanges(
        changes.filter((c) => c.type !== 'remove'),
        es,
      ),
    );
  }, []);
  const onSelectionChange = React.useCallback(
    ({ nodes: ns, edges: es }: OnSelectionChangeParams) => {
      const ids = [...ns.map((n) => n.id), ...es.map((e) => e.id)];
      selection.current = new Set(ids);
      setSelectedIds(ids);
      host.saveState({ selection: ids });
    },
    [host],
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

  const edgeOf = React.useCallback(
    (c: Connection): GraphEdge | null => {
      if (!c.source || !c.target) return null;
      const target = doc.nodes.find((n) => n.id === c.target);
      const op = target ? opInfo(target.op) : undefined;
      const edge: GraphEdge = { from: c.source, to: c.target };
      // toPort is written only where it is needed: ops with several inputs.
      if (c.targetHandle && (op?.inputs.length ?? 0) > 1) edge.toPort = c.targetHandle;
      return edge;
    },
    [doc],
  );
  const verdicts = React.useRef(new Map<string, ReturnType<typeof checkConnection>>());
  React.useEffect(() => verdicts.current.clear(), [doc]);
  const verdict = React.useCallback(
    (c: Connection) => {
      const edge = edgeOf(c);
      if (!edge) return { ok: false as const, reason: 'Drop the wire on an input port.' };
      const key = JSON.stringify(edge);
      let v = verdicts.current.get(key);
      if (!v) verdicts.current.set(key, (v = checkConnection(doc, edge, errorsBefore)));
      return v;
    },
    [doc, edgeOf, errorsBefore],
  );
  const [hint, setHint] = React.useState<string | null>(null);
  /** The last refused target handle and why, to explain a drop there (React Flow drops it silently). */
  const refused = React.useRef<{ node: string; handle: string; reason: string } | null>(null);
  const isValidConnection = React.useCallback(
    (c: Connection) => {
      const v = verdict(c);
      setHint(v.ok ? null : v.reason);
      refused.current =
        v.ok || !c.target ? null : { node: c.target, handle: c.targetHandle ?? '', reason: v.reason };
      return v.ok;
    },
    [verdict],
  );
  const onConnectEnd = React.useCallback(
    (e: MouseEvent | TouchEvent) => {
      setHint(null);
      const r = refused.current;
      refused.current = null;
      const point = 'changedTouches' in e ? e.changedTouches[0] : e;
      if (!r || !point) return;
      const handle = document.elementFromPoint(point.clientX, point.clientY)?.closest('.react-flow__handle');
      if (
        handle?.getAttribute('data-nodeid') === r.node &&
        (handle.getAttribute('data-handleid') ?? '') === r.handle
      )
        onNotice(`Not connected: ${r.reason}`);
    },
    [onNotice],
  );
  const onConnect = React.useCallback(
    (c: Connection) => {
      const v = verdict(c);
      const edge = edgeOf(c);
      if (!v.ok || !edge)
        return onNotice(v.ok ? 'Drop the wire on an input port.' : `Not connected: ${v.reason}`);
      commit({ kind: 'connect', edge });
    },
    [verdict, edgeOf, commit, onNotice],
  );

  const addOp = React.useCallback(
    (op: OpInfo, at?: Position) => {
      let position = at;
      if (!position) {
        const box = wrapper.current?.getBoundingClientRect();
        const centre = rf.screenToFlowPosition({
          x: (box?.left ?? 0) + (box?.width ?? 600) / 2,
          y: (box?.top ?? 0) + (box?.height ?? 400) / 2,
        });
        const nudge = (doc.nodes.length % 5) * 24;
        position = { x: centre.x - NODE_WIDTH / 2 + nudge, y: centre.y - NODE_HEIGHT / 2 + nudge };
      }
      const id = freshId(op.name, new Set(doc.nodes.map((n) => n.id)));
      selection.current = new Set([id]);
      host.saveState({ selection: [id] });
      // A preset (relu6) adds its op (clip) with the preset's attributes.
      const name = op.preset?.op ?? op.name;
      commit({ kind: 'addNode', op: name, id, attrs: initialAttrs(op), position: roundPos(position) });
    },
    [doc, rf, commit, host],
  );

  const onDrop = React.useCallback(
    (e: React.DragEvent) => {
      const name = e.dataTransfer.getData(OP_DRAG_TYPE);
      const op = name ? paletteEntry(name) : undefined;
      if (!op) return;
      e.preventDefault();
      const p = rf.screenToFlowPosition({ x: e.clientX, y: e.clientY });
      addOp(op, { x: p.x - NODE_WIDTH / 2, y: p.y - 20 });
    },
    [rf, addOp],
  );
  const onDragOver = React.useCallback((e: React.DragEvent) => {
    if (!e.dataTransfer.types.includes(OP_DRAG_TYPE)) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = 'copy';
  }, []);

  const [quickAdd, setQuickAdd] = React.useState<{ left: number; top: number; at?: Position } | null>(null);
  const openQuickAdd = React.useCallback(
    (clientX?: number, clientY?: number) => {
      const box = wrapper.current?.getBoundingClientRect();
      if (!box) return;
      const x = clientX ?? box.left + box.width / 2;
      const y = clientY ?? box.top + box.height / 3;
      const at =
        clientX !== undefined && clientY !== undefined ? rf.screenToFlowPosition({ x, y }) : undefined;
      setQuickAdd({ left: x - box.left, top: y - box.top, ...(at ? { at } : {}) });
    },
    [rf],
  );

  const deleteSelection = React.useCallback(() => {
    const ids = selection.current;
    const nodeIds = doc.nodes.filter((n) => ids.has(n.id)).map((n) => n.id);
    const edgeList = flow.edges.filter((e) => ids.has(e.id)).map((e) => (e.data as { edge: GraphEdge }).edge);
    if (nodeIds.length || edgeList.length) commit({ kind: 'delete', nodes: nodeIds, edges: edgeList });
  }, [doc, flow, commit]);

  const layout = React.useCallback(() => {
    const size = (id: string) => {
      const n = rf.getNode(id);
      return { width: n?.width ?? NODE_WIDTH, height: n?.height ?? NODE_HEIGHT };
    };
    const box = wrapper.current?.getBoundingClientRect();
    onEdit({ kind: 'moveNodes', moves: autoLayout(doc, size, box && box.width > 0 ? box : undefined) });
    window.setTimeout(() => rf.fitView({ duration: 200, maxZoom: 1 }), 100);
  }, [doc, rf, onEdit]);

  // Keyboard gestures and the clipboard, while focus is on the canvas (not in a text field).
  React.useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (isEditableTarget(e.target) || e.altKey) return;
      const mod = e.ctrlKey || e.metaKey;
      if (!mod && (e.key === 'Delete' || e.key === 'Backspace')) deleteSelection();
      else if (!mod && (e.key === 'a' || e.key === 'A')) openQuickAdd();
      else if (!mod && e.key === 'l' && e.shiftKey) layout();
      else return;
      e.preventDefault();
    };
    const onCopy = (e: ClipboardEvent) => {
      if (isEditableTarget(e.target)) return;
      const ids = selection.current;
      const nodes = doc.nodes.filter((n) => ids.has(n.id));
      if (!nodes.length) return;
      const payload: ClipboardPayload = {
        format: CLIPBOARD_FORMAT,
        nodes,
        edges: doc.edges.filter((x) => ids.has(x.from) && ids.has(x.to)),
      };
      e.clipboardData?.setData('text/plain', JSON.stringify(payload, null, 2));
      e.preventDefault();
    };
    const onPaste = (e: ClipboardEvent) => {
      if (isEditableTarget(e.target)) return;
      const payload = readClipboard(e.clipboardData?.getData('text/plain') ?? '');
      if (!payload) return;
      e.preventDefault();
      commit({ kind: 'paste', nodes: payload.nodes, edges: payload.edges, offset: { x: 40, y: 40 } });
    };
    window.addEventListener('keydown', onKey);
    window.addEventListener('copy', onCopy);
    window.addEventListener('paste', onPaste);
    return () => {
      window.removeEventListener('keydown', onKey);
      window.removeEventListener('copy', onCopy);
      window.removeEventListener('paste', onPaste);
    };
  }, [doc, deleteSelection, openQuickAdd, layout, commit]);

  /** The node under the pointer, for its run statistics card (placed beside the pointer, inside the canvas). */
  const [hover, setHover] = React.useState<{ id: string; left: number; top: number } | null>(null);
  const onNodeMouseEnter = React.useCallback((e: React.MouseEvent, node: OpFlowNode) => {
    const box = wrapper.current?.getBoundingClientRect();
    if (!box) return;
    const x = e.clientX - box.left;
    const y = e.clientY - box.top;
    setHover({
      id: node.id,
      left: Math.max(4, Math.min(x + 16, box.width - 340)),
      top: y + 260 > box.height ? Math.max(4, y - 260) : y + 16,
    });
  }, []);
  const onNodeMouseLeave = React.useCallback(() => setHover(null), []);

  const onMoveEnd = React.useCallback(
    (_e: unknown, viewport: Viewport) => {
      host.saveState({ viewport });
      updateOverflow();
    },
    [updateOverflow, host],
  );
  React.useEffect(updateOverflow, [nodes, updateOverflow]);

  const [showProblems, setShowProblems] = React.useState(false);
  const single = selectedIds.length === 1 ? doc.nodes.find((n) => n.id === selectedIds[0]) : undefined;

  /** Selects one node and brings it into view (a failed run's node, a step-through's current node). */
  const revealNode = React.useCallback(
    (id: string) => {
      if (!doc.nodes.some((n) => n.id === id)) return;
      selection.current = new Set([id]);
      setSelectedIds([id]);
      host.saveState({ selection: [id] });
      setNodes((ns) => ns.map((n) => (n.selected === (n.id === id) ? n : { ...n, selected: n.id === id })));
      rf.fitView({ nodes: [{ id }], duration: 200, maxZoom: 1.2, padding: 0.6 });
    },
    [doc, rf, host],
  );
  const errorCount = diagnostics.filter((d) => d.severity === 'error').length;

  return (
    <div className="editor">
      <Palette onAdd={(op) => addOp(op)} />
      <div className="canvas-column">
        <div className="toolbar" role="toolbar">
          <Button secondary onClick={() => openQuickAdd()} title="Add an op (A)" testId="add-op">
            Add op
          </Button>
          <Button
            secondary
            onClick={layout}
            title="Arrange the graph left to right (Shift+L)"
            testId="auto-layout"
          >
            Auto-layout
          </Button>
          <Button
            secondary
            onClick={() => rf.fitView({ duration: 200 })}
            title="Fit the graph in view"
            testId="fit-view"
          >
            Fit view
          </Button>
          <button
            className={`status ${errorCount ? 'has-errors' : ''}`}
            data-testid="status"
            title={diagnostics.length ? 'Show the problems' : undefined}
            onClick={() => setShowProblems((v) => !v && diagnostics.length > 0)}
          >
            {doc.nodes.length} nodes · {doc.edges.length} edges ·{' '}
            {errorCount ? `${errorCount} error${errorCount > 1 ? 's' : ''}` : 'no errors'}
          </button>
        </div>
        <div
          className="canvas"
          ref={wrapper}
          data-testid="canvas"
          onDrop={onDrop}
          onDragOver={onDragOver}
          onDoubleClick={(e) => {
            if ((e.target as Element).classList?.contains('react-flow__pane'))
              openQuickAdd(e.clientX, e.clientY);
          }}
        >
          <ReactFlow
            nodes={nodes}
            edges={edges}
            nodeTypes={nodeTypes}
            edgeTypes={edgeTypes}
            onNodesChange={onNodesChange}
            onEdgesChange={onEdgesChange}
            onSelectionChange={onSelectionChange}
            onNodeDragStop={onNodeDragStop}
            onNodeDragStart={onNodeMouseLeave}
            onNodeMouseEnter={onNodeMouseEnter}
            onNodeMouseLeave={onNodeMouseLeave}
            onConnect={onConnect}
            onConnectEnd={onConnectEnd}
            isValidConnection={isValidConnection}
            onMoveEnd={onMoveEnd}
            deleteKeyCode={null}
            zoomOnDoubleClick={false}
            selectionOnDrag={false}
            multiSelectionKeyCode={['Meta', 'Control', 'Shift']}
            minZoom={0.1}
            {...(remembered ? { defaultViewport: remembered } : {})}
            proOptions={{ hideAttribution: true }}
          >
            <Background gap={20} size={1} />
            {overflowing ? <MiniMap pannable zoomable className="minimap" /> : null}
            <Controls showInteractive={false} />
          </ReactFlow>
          <OverlayLegend />
          <FollowStep pane={wrapper} />
          {hover ? <NodeStatsCard node={hover.id} left={hover.left} top={hover.top} /> : null}
          {hint ? <div className="connect-hint">{hint}</div> : null}
          {showProblems && diagnostics.length ? (
            <div className="problems-popover" data-testid="problems">
              <ProblemList diagnostics={diagnostics} />
              <Button secondary onClick={() => host.post({ type: 'openAsText' })}>
                Open as text
              </Button>
            </div>
          ) : null}
          {quickAdd ? (
            <QuickAdd
              at={quickAdd}
              onPick={(op) => addOp(op, quickAdd.at)}
              onClose={() => setQuickAdd(null)}
            />
          ) : null}
        </div>
        <RunPanel
          doc={doc}
          diagnostics={diagnostics}
          selectedNode={single?.id}
          onEdit={commit}
          revealNode={revealNode}
        />
      </div>
      <div className="side-panels">
        <Inspector
          node={single}
          selectionSize={selectedIds.length}
          shape={single ? check.shapes.get(single.id) : undefined}
          problems={single ? diagnostics.filter((d) => d.node === single.id) : []}
          onEdit={commit}
        />
      </div>
    </div>
  );
}

function roundPos(p: Position): Position {
  return { x: Math.round(p.x), y: Math.round(p.y) };
}

function readClipboard(text: string): ClipboardPayload | null {
  try {
    const v = JSON.parse(text) as Partial<ClipboardPayload>;
    return v.format === CLIPBOARD_FORMAT && Array.isArray(v.nodes) && Array.isArray(v.edges)
      ? (v as ClipboardPayload)
      : null;
  } catch {
    return null;
  }
}
