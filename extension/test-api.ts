/**
 * What `activate()` returns outside production (under a test runner or in a development host): a
 * look at the open graph editors for the extension-host suite, which can't reach into a webview.
 * A test plays the webview's side through `receive` (the same validation and edit path a gesture
 * takes) and reads what the host posted back. Nothing here exists in the installed extension.
 */
import type * as vscode from 'vscode';
import type { HostToWebview } from './protocol.js';

export interface GraphEditorProbe {
  readonly uri: vscode.Uri;
  /** What the host posted to this editor's webview, oldest first (the last MAX_RECORDED). */
  readonly posted: readonly HostToWebview[];
  /** Handles `raw` as if this editor's webview had sent it; resolves once it is handled. */
  receive(raw: unknown): Promise<void>;
}

export interface BackpropStudioTestApi {
  /** The graph editors open now, in the order they were opened. */
  graphEditors(): readonly GraphEditorProbe[];
}

/** Enough for a test to find the last few messages without keeping a long session's history. */
export const MAX_RECORDED = 100;
