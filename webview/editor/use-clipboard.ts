/**
 * Copy and paste of nodes, through the system clipboard as text (so a copy survives a trip through
 * another editor): Ctrl+C copies the selected nodes and the wires between them; Ctrl+V pastes them
 * as one edit, offset from the originals. Text fields keep their own copy and paste.
 */
import React from 'react';
import type { GraphDoc, GraphEdge, GraphNode } from '../../engine/graph/document.js';
import type { GraphEdit } from '../../engine/graph/edits.js';
import { isEditableTarget } from '../keyboard.js';
import type { EditorStore } from './editor-store.js';

const CLIPBOARD_FORMAT = 'backprop-studio.nodes';
/** How far pasted nodes land from where they were copied. */
const PASTE_OFFSET = { x: 40, y: 40 };

interface ClipboardPayload {
  format: typeof CLIPBOARD_FORMAT;
  nodes: GraphNode[];
  edges: GraphEdge[];
}

export function useClipboard(doc: GraphDoc, store: EditorStore, commit: (edit: GraphEdit) => void): void {
  React.useEffect(() => {
    const onCopy = (e: ClipboardEvent) => {
      if (isEditableTarget(e.target)) return;
      const ids = new Set(store.getState().selection);
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
      commit({ kind: 'paste', nodes: payload.nodes, edges: payload.edges, offset: PASTE_OFFSET });
    };
    window.addEventListener('copy', onCopy);
    window.addEventListener('paste', onPaste);
    return () => {
      window.removeEventListener('copy', onCopy);
      window.removeEventListener('paste', onPaste);
    };
  }, [doc, store, commit]);
}

/** Our payload, or null for any other text (the host validates the pasted nodes like every edit). */
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
