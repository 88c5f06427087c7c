/**
 * Adding an op, whichever way: dropped from the palette where it lands, picked in quick add (a
 * double-click on the canvas adds it there; the A key or the toolbar, at the centre), or clicked
 * in the palette (at the centre, nudged so repeated adds don't pile up). The new node is selected.
 */
import React from 'react';
import { useReactFlow } from 'reactflow';
import type { GraphDoc } from '../../engine/graph/document.js';
import { freshId, type GraphEdit, type Position } from '../../engine/graph/edits.js';
import { initialAttrs, paletteEntry, type OpInfo } from '../op-catalog.js';
import type { EditorStore } from './editor-store.js';
import { NODE_HEIGHT, NODE_WIDTH } from './layout.js';
import { OP_DRAG_TYPE } from './Palette.js';
import { roundPosition } from './use-view-layout.js';

/** Where quick add shows (in the canvas's coordinates) and where its op goes (flow coordinates; absent: the centre). */
export interface QuickAddPlace {
  left: number;
  top: number;
  at?: Position;
}

export interface AddOp {
  addOp: (op: OpInfo, at?: Position) => void;
  onDrop: (e: React.DragEvent) => void;
  onDragOver: (e: React.DragEvent) => void;
  quickAdd: QuickAddPlace | null;
  /** Opens quick add at a pointer (its op then goes there), or near the canvas's top centre. */
  openQuickAdd: (clientX?: number, clientY?: number) => void;
  closeQuickAdd: () => void;
}

export function useAddOp(
  doc: GraphDoc,
  pane: React.RefObject<HTMLElement>,
  store: EditorStore,
  commit: (edit: GraphEdit) => void,
): AddOp {
  const rf = useReactFlow();
  const addOp = React.useCallback(
    (op: OpInfo, at?: Position) => {
      let position = at;
      if (!position) {
        const box = pane.current?.getBoundingClientRect();
        const centre = rf.screenToFlowPosition({
          x: (box?.left ?? 0) + (box?.width ?? 600) / 2,
          y: (box?.top ?? 0) + (box?.height ?? 400) / 2,
        });
        const nudge = (doc.nodes.length % 5) * 24;
        position = { x: centre.x - NODE_WIDTH / 2 + nudge, y: centre.y - NODE_HEIGHT / 2 + nudge };
      }
      const id = freshId(op.name, new Set(doc.nodes.map((n) => n.id)));
      store.setState({ selection: [id] });
      // A preset (relu6) adds its op (clip) with the preset's attributes.
      const name = op.preset?.op ?? op.name;
      commit({ kind: 'addNode', op: name, id, attrs: initialAttrs(op), position: roundPosition(position) });
    },
    [doc, pane, rf, store, commit],
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

  const [quickAdd, setQuickAdd] = React.useState<QuickAddPlace | null>(null);
  const openQuickAdd = React.useCallback(
    (clientX?: number, clientY?: number) => {
      const box = pane.current?.getBoundingClientRect();
      if (!box) return;
      const x = clientX ?? box.left + box.width / 2;
      const y = clientY ?? box.top + box.height / 3;
      const at =
        clientX !== undefined && clientY !== undefined ? rf.screenToFlowPosition({ x, y }) : undefined;
      setQuickAdd({ left: x - box.left, top: y - box.top, ...(at ? { at } : {}) });
    },
    [pane, rf],
  );
  const closeQuickAdd = React.useCallback(() => setQuickAdd(null), []);

  return { addOp, onDrop, onDragOver, quickAdd, openQuickAdd, closeQuickAdd };
}
