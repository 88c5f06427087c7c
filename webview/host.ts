/**
 * The webview's line to the extension host: typed postMessage, incoming messages, and the state
 * VS Code keeps for a hidden webview (viewport and selection survive hide/show and reloads).
 */
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

interface VsCodeApi {
  postMessage(msg: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

const api: VsCodeApi = acquireVsCodeApi();

export function postToHost(msg: WebviewToHost): void {
  api.postMessage(msg);
}

export function onHostMessage(handler: (msg: HostToWebview) => void): () => void {
  const listener = (e: MessageEvent<HostToWebview>) => handler(e.data);
  window.addEventListener('message', listener);
  return () => window.removeEventListener('message', listener);
}

export function loadState(): PersistedState {
  const s = api.getState();
  return typeof s === 'object' && s !== null ? (s as PersistedState) : {};
}

export function saveState(patch: PersistedState): void {
  api.setState({ ...loadState(), ...patch });
}

let nextRequestId = 1;
export function newRequestId(): number {
  return nextRequestId++;
}
