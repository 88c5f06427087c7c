/**
 * The files that travel with a graph: `<name>.nngraph.json` and its weights, `<name>.weights.json`,
 * beside it (what the run panel's Save/Load weights, the exports, `New Network…` templates and the
 * CLI's `--weights` all mean by "the weights file").
 */
import * as vscode from 'vscode';
import { GRAPH_FILE_SUFFIX } from './graph-text.js';

/** "spiral.nngraph.json" → "spiral". */
export function graphStem(fileName: string): string {
  return fileName.endsWith(GRAPH_FILE_SUFFIX) ? fileName.slice(0, -GRAPH_FILE_SUFFIX.length) : fileName;
}

/** "spiral.nngraph.json" → "spiral.weights.json". */
export function weightsFileName(graphFileName: string): string {
  return `${graphStem(graphFileName)}.weights.json`;
}

/** The last part of a URI's path. */
export function baseName(uri: vscode.Uri): string {
  return uri.path.slice(uri.path.lastIndexOf('/') + 1);
}

/** The weights file beside the graph at `graph`. */
export function weightsUriBeside(graph: vscode.Uri): vscode.Uri {
  return vscode.Uri.joinPath(graph, '..', weightsFileName(baseName(graph)));
}

export function fileExists(uri: vscode.Uri): Thenable<boolean> {
  return vscode.workspace.fs.stat(uri).then(
    () => true,
    () => false,
  );
}
