/**
 * The messages between the extension host and the graph editor webview (DESIGN.md "Messages"):
 * two discriminated unions tagged by `type`. Both ends switch over them with `assertNever`, so a
 * new message is a compile error until both sides handle it. Type-only apart from assertNever:
 * the webview bundle imports it too.
 *
 * Handshake: the webview posts `ready`; the host answers `init`, then `docChanged` after every
 * change of the text (its own edits, undo/redo, typing in a text editor on the same file).
 * Everything from the webview is untrusted: the host validates it (validate.ts) first.
 */
import type { Diagnostic, GraphDoc, NodeId } from '../engine/graph/document.js';
import type { SymbolicShape } from '../engine/graph/check.js';
import type { GraphEdit } from '../engine/graph/edits.js';
import type { RunEvent, RunRequest } from '../engine/run/protocol.js';

/** What the editor shows: a document, or (when the text could not be read) why not. */
export interface DocumentState {
  /** null when the text is not a readable graph document; the webview then shows `diagnostics`. */
  doc: GraphDoc | null;
  /** Everything wrong with the text, as in the Problems panel (line numbers where known). */
  diagnostics: Diagnostic[];
  /**
   * Each node's inferred output shape, from the same check as `diagnostics` (pairs: a JSON message
   * has no Map). The canvas labels nodes and wires with them; the webview never checks the document itself.
   */
  shapes: [NodeId, SymbolicShape][];
  /** The TextDocument's version, increasing with every change. */
  version: number;
}

export type WebviewToHost =
  | { type: 'ready' }
  /** One user gesture; the host answers with `docChanged` or `editRejected`. */
  | { type: 'edit'; requestId: number; edit: GraphEdit }
  /** Reopen the file in VS Code's text editor (the "Open as text" button). */
  | { type: 'openAsText' }
  /** Show a diagnostic's place in the text editor. */
  | { type: 'revealLine'; line: number }
  /** Write this editor's run's weights to `<name>.weights.json` beside the graph. */
  | { type: 'saveWeights' }
  /** Start a run from `<name>.weights.json` beside the graph (or a file the user picks). */
  | { type: 'loadWeights' }
  /** Pick a CSV file for training.dataset (an open dialog in the graph's folder); the host edits the document. */
  | { type: 'chooseDataset' }
  /** Run "Export as TypeScript/ONNX" on this document (with the run's weights once it has trained). */
  | { type: 'export'; format: ExportFormatId }
  /** Training, step-through, gradient check and analyses (engine/run/protocol.ts). */
  | RunRequest;

export type ExportFormatId = 'typescript' | 'onnx' | 'pytorch';
export const EXPORT_FORMAT_IDS: readonly ExportFormatId[] = ['typescript', 'onnx', 'pytorch'];

export type HostToWebview =
  | ({ type: 'init'; fileName: string } & DocumentState)
  | ({ type: 'docChanged' } & DocumentState)
  /** An edit that could not be applied (stale ids, a cycle, a document that can't be read). */
  | { type: 'editRejected'; requestId: number; reason: string }
  /** What the engine worker reports about the run (engine/run/protocol.ts). */
  | RunEvent;

export function assertNever(x: never, what = 'message'): never {
  throw new Error(`unexpected ${what}: ${JSON.stringify(x)}`);
}
