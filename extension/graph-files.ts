/**
 * The files that travel with a graph: `<name>.nngraph.json` and its weights, `<name>.weights.json`
 * or `<name>.weights.safetensors`, beside it (what the run panel's Save/Load weights, the exports, `New Network…` templates and the
 * CLI's `--weights` all mean by "the weights file").
 */
import * as vscode from 'vscode';
import { GRAPH_FILE_SUFFIX } from './graph-text.js';
import {
  decodeWeightsFile,
  encodeWeightsFile,
  WEIGHTS_FILE_SUFFIX,
  weightsFormatFor,
  weightsFormatOf,
  type Weights,
  type WeightsFileFormat,
} from '../engine/graph/weights.js';

/** "spiral.nngraph.json" → "spiral". */
export function graphStem(fileName: string): string {
  return fileName.endsWith(GRAPH_FILE_SUFFIX) ? fileName.slice(0, -GRAPH_FILE_SUFFIX.length) : fileName;
}

/** "spiral.nngraph.json" → "spiral.weights.json" (or "spiral.weights.safetensors"). */
export function weightsFileName(graphFileName: string, format: WeightsFileFormat = 'json'): string {
  return `${graphStem(graphFileName)}${WEIGHTS_FILE_SUFFIX[format]}`;
}

/** The last part of a URI's path. */
export function baseName(uri: vscode.Uri): string {
  return uri.path.slice(uri.path.lastIndexOf('/') + 1);
}

/** The weights file of the given format beside the graph at `graph`. */
export function weightsUriBeside(graph: vscode.Uri, format: WeightsFileFormat = 'json'): vscode.Uri {
  return vscode.Uri.joinPath(graph, '..', weightsFileName(baseName(graph), format));
}

/**
 * The weights file beside a graph, `<name>.weights.json` or `<name>.weights.safetensors` (the
 * newer when both are there), or undefined: what Load weights and the exports read.
 */
export async function existingWeightsBeside(graph: vscode.Uri): Promise<vscode.Uri | undefined> {
  const found: { uri: vscode.Uri; mtime: number }[] = [];
  for (const format of ['safetensors', 'json'] as const) {
    const uri = weightsUriBeside(graph, format);
    try {
      found.push({ uri, mtime: (await vscode.workspace.fs.stat(uri)).mtime });
    } catch {
      // Not there.
    }
  }
  return found.sort((a, b) => b.mtime - a.mtime)[0]?.uri;
}

/** Where Save weights writes: the weights file already beside the graph, else a new one in the format that suits the weights' size. */
export async function weightsTargetBeside(graph: vscode.Uri, weights: Weights): Promise<vscode.Uri> {
  return (await existingWeightsBeside(graph)) ?? weightsUriBeside(graph, weightsFormatFor(weights));
}

/** Reads a weights file of either format; throws WeightsError (or the file system's error). */
export async function readWeightsUri(uri: vscode.Uri): Promise<Weights> {
  return decodeWeightsFile(await vscode.workspace.fs.readFile(uri));
}

/** Writes weights in the format the file's name says. */
export function writeWeightsUri(uri: vscode.Uri, weights: Weights): Thenable<void> {
  return vscode.workspace.fs.writeFile(uri, encodeWeightsFile(weights, weightsFormatOf(uri.path)));
}

/** The file types the weights dialogs offer. */
export const WEIGHTS_FILE_FILTERS = { 'Backprop Studio weights': ['json', 'safetensors'] };

export function fileExists(uri: vscode.Uri): Thenable<boolean> {
  return vscode.workspace.fs.stat(uri).then(
    () => true,
    () => false,
  );
}
