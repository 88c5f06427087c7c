/**
 * The editor: palette, canvas (React Flow showing the host's document), inspector and run panel,
 * each gesture one GraphEdit for the host. The document drawn is always the host's, with the
 * shapes and problems the host's check found; the selection and viewport are the editor store's.
 * Each concern is a hook of its own beside this file: positions and how edits go out
 * (use-view-layout), React Flow's elements and the selection (use-flow-elements), wiring
 * (use-connection-check), adding ops (use-add-op), keys (use-editor-keys), the clipboard
 * (use-clipboard), the hovered node's card (use-node-hover) and the minimap (use-minimap).
 */
import React from 'react';
import ReactFlow, { Background, Controls, MiniMap, useReactFlow, type Viewport } from 'reactflow';
import type { GraphDoc } from '../../engine/graph/document.js';
import type { GraphEdit } from '../../engine/graph/edits.js';
import { toFlow, type OpFlowNode } from './graph-view.js';
import { EDGE_TYPES, NODE_TYPES } from './flow-types.js';
import { useOpeningViewport } from './opening-view.js';
import { Palette } from './Palette.js';
import { QuickAdd } from './QuickAdd.js';
import { Inspector } from './Inspector.js';
import { useEditor, useEditorStore } from './editor-store.js';
import { useViewLayout } from './use-view-layout.js';
import { useFlowElements } from './use-flow-elements.js';
import { useConnectionCheck } from './use-connection-check.js';
import { useAddOp } from './use-add-op.js';
import { useEditorKeys } from './use-editor-keys.js';
import { useClipboard } from './use-clipboard.js';
import { useNodeHover } from './use-node-hover.js';
import { useMinimapWanted } from './use-minimap.js';
import { useHost } from '../host.js';
import { ProblemList } from '../ProblemList.js';
import { Button } from '../ui/controls.js';
import { FollowStep } from '../run/FollowStep.js';
import { RunPanel } from '../run/RunPanel.js';
import { OverlayLegend } from '../run/OverlayLegend.js';
import { NodeStatsCard } from '../run/NodeStatsCard.js';

export function GraphEditor(props: {
  doc: GraphDoc;
  onEdit: (edit: GraphEdit) => void;
  onNotice: (text: string) => void;
}): React.JSX.Element {
  const { doc, onEdit, onNotice } = props;
  const rf = useReactFlow();
  const host = useHost();
  const store = useEditorStore();
  const diagnostics = useEditor((s) => s.diagnostics);
  const shapes = useEditor((s) => s.shapes);
  const selection = useEditor((s) => s.selection);
  const pane = React.useRef<HTMLDivElement>(null);
  /** The viewport an earlier page left, shown as the canvas opens (read once: later moves are React Flow's). */
  const [remembered] = React.useState(() => store.getState().viewport);

  const flow = React.useMemo(() => toFlow(doc, shapes, diagnostics), [doc, shapes, diagnostics]);
  const [nodes, setNodes] = React.useState<OpFlowNode[]>([]);
  const layout = useViewLayout(doc, pane, setNodes, onEdit);
  const { commit } = layout;
  const elements = useFlowElements(doc, flow, layout.shown, store, commit, setNodes);
  const minimapWanted = useMinimapWanted();
  useOpeningViewport(pane, remembered !== undefined, doc.nodes.length === 0, layout.placed);

  const connection = useConnectionCheck(doc, commit, onNotice);
  const adding = useAddOp(doc, pane, store, commit);
  const { openQuickAdd } = adding;
  useEditorKeys({
    deleteSelection: elements.deleteSelection,
    openQuickAdd,
    layOut: layout.layOut,
  });
  useClipboard(doc, store, commit);
  const hovering = useNodeHover(pane);

  const onMoveEnd = React.useCallback(
    (_e: unknown, viewport: Viewport) => {
      store.setState({ viewport });
    },
    [store],
  );

  const [showProblems, setShowProblems] = React.useState(false);
  const single = selection.length === 1 ? doc.nodes.find((n) => n.id === selection[0]) : undefined;
  const errorCount = diagnostics.filter((d) => d.severity === 'error').length;

  return (
    <div className="editor">
      <Palette onAdd={(op) => adding.addOp(op)} />
      <div className="canvas-column">
        <div className="toolbar" role="toolbar">
          <Button secondary onClick={() => openQuickAdd()} title="Add an op (A)" testId="add-op">
            Add op
          </Button>
          <Button
            secondary
            onClick={layout.layOut}
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
          ref={pane}
          data-testid="canvas"
          onDrop={adding.onDrop}
          onDragOver={adding.onDragOver}
          onDoubleClick={(e) => {
            if ((e.target as Element).classList?.contains('react-flow__pane'))
              openQuickAdd(e.clientX, e.clientY);
          }}
        >
          <ReactFlow
            nodes={nodes}
            edges={elements.edges}
            nodeTypes={NODE_TYPES}
            edgeTypes={EDGE_TYPES}
            onNodesChange={elements.onNodesChange}
            onEdgesChange={elements.onEdgesChange}
            onSelectionChange={elements.onSelectionChange}
            onNodeDragStop={elements.onNodeDragStop}
            onNodeDragStart={hovering.onNodeMouseLeave}
            onNodeMouseEnter={hovering.onNodeMouseEnter}
            onNodeMouseLeave={hovering.onNodeMouseLeave}
            onConnect={connection.onConnect}
            onConnectEnd={connection.onConnectEnd}
            isValidConnection={connection.isValidConnection}
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
            {minimapWanted ? <MiniMap pannable zoomable className="minimap" /> : null}
            <Controls showInteractive={false} />
          </ReactFlow>
          <OverlayLegend />
          <FollowStep pane={pane} />
          {hovering.hover ? (
            <NodeStatsCard node={hovering.hover.id} left={hovering.hover.left} top={hovering.hover.top} />
          ) : null}
          {connection.hint ? <div className="connect-hint">{connection.hint}</div> : null}
          {showProblems && diagnostics.length ? (
            <div className="problems-popover" data-testid="problems">
              <ProblemList diagnostics={diagnostics} />
              <Button secondary onClick={() => host.post({ type: 'openAsText' })}>
                Open as text
              </Button>
            </div>
          ) : null}
          {adding.quickAdd ? (
            <QuickAdd
              at={adding.quickAdd}
              onPick={(op) => adding.addOp(op, adding.quickAdd?.at)}
              onClose={adding.closeQuickAdd}
            />
          ) : null}
        </div>
        <RunPanel
          doc={doc}
          diagnostics={diagnostics}
          selectedNode={single?.id}
          onEdit={commit}
          revealNode={elements.revealNode}
        />
      </div>
      <div className="side-panels">
        <Inspector
          node={single}
          selectionSize={selection.length}
          shape={single ? shapes.get(single.id) : undefined}
          problems={single ? diagnostics.filter((d) => d.node === single.id) : []}
          onEdit={commit}
        />
      </div>
    </div>
  );
}
