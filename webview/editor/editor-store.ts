/**
 * What the editor shows, in one store (webview/store.ts): the host's document with its problems and
 * shapes (replaced whole by each init/docChanged: the host's text is the only model), and the view
 * around it, the selection and the viewport. The view is kept across hide/show and reloads by ONE
 * subscriber (saveViewState): gestures only set the store.
 */
import React from 'react';
import type { Viewport } from 'reactflow';
import type { Diagnostic, GraphDoc, NodeId } from '../../engine/graph/document.js';
import type { SymbolicShape } from '../../engine/graph/check.js';
import type { DocumentState } from '../../extension/protocol.js';
import type { HostChannel, PersistedState } from '../host.js';
import { createStore, useStore, type Store } from '../store.js';
import { isUsableViewport } from './opening-view.js';

export interface EditorState {
  /** False until the host's `init`. */
  loaded: boolean;
  /** null when the text is not a readable graph document (then `diagnostics` say why). */
  doc: GraphDoc | null;
  diagnostics: Diagnostic[];
  /** Each node's output shape, as the host's check inferred it. */
  shapes: ReadonlyMap<NodeId, SymbolicShape>;
  /** Selected node and edge ids. */
  selection: readonly string[];
  /** The canvas's pan and zoom after the last move; undefined until the first (or a remembered one). */
  viewport: Viewport | undefined;
}

export type EditorStore = Store<EditorState>;

/** A store with the view an earlier page of this webview left (a reload, or a tab shown again). */
export function createEditorStore(saved: PersistedState = {}): EditorStore {
  return createStore<EditorState>({
    loaded: false,
    doc: null,
    diagnostics: [],
    shapes: new Map(),
    selection: Array.isArray(saved.selection) ? saved.selection : [],
    viewport: isUsableViewport(saved.viewport) ? saved.viewport : undefined,
  });
}

/** The host's document, as sent with init and docChanged. */
export function showDocument(store: EditorStore, state: DocumentState): void {
  store.setState({
    loaded: true,
    doc: state.doc,
    diagnostics: state.diagnostics,
    shapes: new Map(state.shapes),
  });
}

/** The one place the view is saved: whenever the selection or the viewport changes. */
export function saveViewState(store: EditorStore, host: HostChannel): () => void {
  return store.subscribe((state, previous) => {
    if (state.selection === previous.selection && state.viewport === previous.viewport) return;
    host.saveState({
      selection: [...state.selection],
      ...(state.viewport ? { viewport: state.viewport } : {}),
    });
  });
}

export const EditorStoreContext = React.createContext<EditorStore | null>(null);

export function useEditorStore(): EditorStore {
  const store = React.useContext(EditorStoreContext);
  if (!store)
    throw new Error('useEditorStore: no EditorStoreContext.Provider above this component (App provides it)');
  return store;
}

/** A slice of the editor's state (see useStore: select something stable). */
export function useEditor<T>(selector: (state: EditorState) => T): T {
  return useStore(useEditorStore(), selector);
}
