/**
 * Reading a graph document for a CLI command: the text, its diagnostics printed as `check` prints
 * them, and a reader for files named relative to it (CSV data).
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { GraphDoc } from '../graph/document.js';
import { parseGraph } from '../graph/parse.js';
import { formatDiagnostic } from './commands/check.js';

/** A parsed graph, or null after printing why not (to stderr). */
export function readGraphFile(file: string, err: (s: string) => void): GraphDoc | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    err(
      `cannot read ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}\n`,
    );
    return null;
  }
  const { doc, diagnostics } = parseGraph(text);
  for (const d of diagnostics) if (d.severity === 'error') err(`${formatDiagnostic(file, d)}\n`);
  return diagnostics.some((d) => d.severity === 'error') ? null : doc;
}

/** Reads files named relative to the graph document (CSV datasets). */
export function besideGraph(file: string): (path: string) => string {
  return (path) => readFileSync(resolve(dirname(file), path), 'utf8');
}
