/**
 * The webview's line to the extension host: typed postMessage, incoming messages, and the state
 * VS Code keeps for a hidden webview (viewport and selection survive hide/show and reloads).
 *
 * There is no module-level handle: main.tsx acquires VS Code's API once at startup and wraps it in
 * a HostChannel, which App provides to the components (useHost). A test or a script can build a
 * channel on a stub API the same way.
 */
import React from 'react';
import type { HostToWebview, WebviewToHost } from '../extension/protocol.js';
import type { SavedRunView } from './run/run-store.js';

export interface PersistedState {
  viewport?: { x: number; y: number; zoom: number };
  selection?: string[];
  /** The run panel's dock: its height, open tab and whether it is folded away (webview/run/). */
  runDock?: { height: number; tab: string; collapsed: boolean };
  /** The overlay's metric and switch, the loss axis and the other run options (read back with restoreRunView). */
  runView?: SavedRunView;
}

/** What `acquireVsCodeApi()` returns (the part the webview uses). */
export interface VsCodeApi {
  postMessage(msg: unknown): unknown;
  getState(): unknown;
  /** VS Code's returns the state it was given. */
  setState(state: unknown): unknown;
}

export interface HostChannel {
  post(msg: WebviewToHost): void;
  /** Listens for the host's messages; returns the way to stop. */
  onMessage(handler: (msg: HostToWebview) => void): () => void;
  /** The webview state VS Code kept (an empty object the first time). */
  loadState(): PersistedState;
  /** Merges `patch` into the kept state. */
  saveState(patch: PersistedState): void;
  /** A fresh id for a request the host answers by id (edits, traces, tasks). */
  newRequestId(): number;
}

export function createHostChannel(api: VsCodeApi): HostChannel {
  let nextRequestId = 1;
  const loadState = (): PersistedState => {
    const s = api.getState();
    return typeof s === 'object' && s !== null ? (s as PersistedState) : {};
  };
  return {
    // Block bodies: the channel returns nothing (VS Code's setState returns the state, and a
    // value returned into a React effect would be taken for its cleanup).
    post(msg) {
      api.postMessage(msg);
    },
    onMessage(handler) {
      const listener = (e: MessageEvent<HostToWebview>) => handler(e.data);
      window.addEventListener('message', listener);
      return () => window.removeEventListener('message', listener);
    },
    loadState,
    saveState(patch) {
      api.setState({ ...loadState(), ...patch });
    },
    newRequestId: () => nextRequestId++,
  };
}

export const HostContext = React.createContext<HostChannel | null>(null);

/** The channel App provides (a component outside App has no host to talk to: that is a bug, said at once). */
export function useHost(): HostChannel {
  const host = React.useContext(HostContext);
  if (!host) throw new Error('useHost: no HostContext.Provider above this component (App provides it)');
  return host;
}
