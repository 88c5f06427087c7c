/**
 * Reading a graph document for a CLI command: the text, its diagnostics printed as `check` prints
 * them, and how its data is read (a CSV relative to it, the shipped MNIST files).
 */
import { dirname, resolve } from 'node:path';
import { readBesideGraph, readTextFile } from '../io/read-file.js';
import { readBundledFile } from '../io/bundled-data.js';
import type { LoadOptions } from '../data/load.js';
import { userMessage } from '../errors/user-error.js';
import type { GraphDoc } from '../graph/document.js';
import { parseGraph } from '../graph/parse.js';
import { formatDiagnostic } from './commands/check.js';

/** A parsed graph, or null after printing why not (to stderr). */
export function readGraphFile(file: string, err: (s: string) => void): GraphDoc | null {
  let text: string;
  try {
    text = readTextFile(file);
  } catch (e) {
    err(`${userMessage(e)}\n`);
    return null;
  }
  const { doc, diagnostics } = parseGraph(text);
  for (const d of diagnostics) if (d.severity === 'error') err(`${formatDiagnostic(file, d)}\n`);
  return diagnostics.some((d) => d.severity === 'error') ? null : doc;
}

/** Reads files named relative to the graph document (CSV datasets); errors name the file as written. */
export function besideGraph(file: string): (path: string) => string {
  return (path) => readBesideGraph(dirname(resolve(file)), path);
}

/** How the dataset of the graph in `file` is read: a CSV beside it, the shipped MNIST files. */
export function dataFor(file: string): LoadOptions {
  return { readText: besideGraph(file), readBundled: readBundledFile };
}
