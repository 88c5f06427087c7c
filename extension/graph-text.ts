/**
 * Reading a graph document's text into what the editor and the Problems panel show, once per
 * TextDocument version (two editors on one file and the diagnostics share the result). The
 * dataset file the training settings name is read too (the engine can't open files), so a
 * missing or malformed CSV is a diagnostic before Train is pressed; when a data file changes on
 * disk, `refreshDataFiles` drops the cached results and tells the listeners to read them again.
 */
import * as vscode from 'vscode';
import { statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { checkGraphText } from '../engine/graph/check.js';
import { readBesideGraph } from '../engine/io/read-file.js';
import type { DocumentState } from './protocol.js';

export const GRAPH_FILE_SUFFIX = '.nngraph.json';

export function isGraphDocument(document: vscode.TextDocument): boolean {
  return document.uri.path.endsWith(GRAPH_FILE_SUFFIX);
}

/**
 * Parse + check: `doc` is null when the text isn't a readable document (never a guess).
 * `readDataFile` reads files named relative to the graph (absent: data files aren't checked).
 */
export function readGraphText(
  text: string,
  readDataFile?: (path: string) => string,
): Omit<DocumentState, 'version'> {
  const { doc, diagnostics, shapes } = checkGraphText(text, readDataFile ? { readDataFile } : {});
  return { doc, diagnostics, shapes: [...shapes] };
}

/**
 * Reads files named in a saved graph relative to its folder; an unsaved graph can't name any. A file
 * unchanged on disk (same size and time) is not read again, and its text is the same string, so
 * the checker doesn't parse it again on every edit of the graph.
 */
function dataFileReader(document: vscode.TextDocument): ((path: string) => string) | undefined {
  if (document.uri.scheme !== 'file') return undefined;
  const folder = dirname(document.uri.fsPath);
  return (path) => {
    const full = resolve(folder, path);
    const stamp = fileStamp(full);
    const hit = dataFiles.get(full);
    if (stamp !== null && hit?.stamp === stamp) return hit.text;
    const text = readBesideGraph(folder, path);
    if (stamp !== null) dataFiles.set(full, { stamp, text });
    return text;
  };
}

/** The data files read, by absolute path: their text and the size and time it was read at. */
const dataFiles = new Map<string, { stamp: string; text: string }>();

function fileStamp(path: string): string | null {
  try {
    const s = statSync(path);
    return `${s.size}:${s.mtimeMs}`;
  } catch {
    return null; // the read that follows says why, in words
  }
}

const cache = new WeakMap<vscode.TextDocument, { state: DocumentState; generation: number }>();
/** Bumped whenever a data file changes on disk: every cached state is then stale. */
let generation = 0;
const dataFilesChanged = new vscode.EventEmitter<void>();
/** Fires after a data file (CSV) was created, changed or deleted: read `documentState` again. */
export const onDidChangeDataFiles = dataFilesChanged.event;

export function refreshDataFiles(): void {
  generation++;
  dataFiles.clear();
  dataFilesChanged.fire();
}

export function documentState(document: vscode.TextDocument): DocumentState {
  const hit = cache.get(document);
  if (hit && hit.state.version === document.version && hit.generation === generation) return hit.state;
  const state = { ...readGraphText(document.getText(), dataFileReader(document)), version: document.version };
  cache.set(document, { state, generation });
  return state;
}
