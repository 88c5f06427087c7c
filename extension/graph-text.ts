/**
 * Reading a graph document's text into what the editor and the Problems panel show, once per
 * TextDocument version (two editors on one file and the diagnostics share the result).
 */
import * as vscode from 'vscode';
import { checkGraphText } from '../engine/graph/check.js';
import type { DocumentState } from './protocol.js';

export const GRAPH_FILE_SUFFIX = '.nngraph.json';

export function isGraphDocument(document: vscode.TextDocument): boolean {
  return document.uri.path.endsWith(GRAPH_FILE_SUFFIX);
}

/** Parse + check: `doc` is null when the text isn't a readable document (never a guess). */
export function readGraphText(text: string): Omit<DocumentState, 'version'> {
  const { doc, diagnostics } = checkGraphText(text);
  return { doc, diagnostics };
}

const cache = new WeakMap<vscode.TextDocument, DocumentState>();

export function documentState(document: vscode.TextDocument): DocumentState {
  const hit = cache.get(document);
  if (hit && hit.version === document.version) return hit;
  const state = { ...readGraphText(document.getText()), version: document.version };
  cache.set(document, state);
  return state;
}
