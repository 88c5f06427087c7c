/**
 * Reading a graph document for a CLI command: the text, its diagnostics printed as
 * `file:line:column: severity: message`, and a reader for files named relative to it (CSV data).
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Diagnostic, GraphDoc } from '../graph/document.js';
import { parseGraph } from '../graph/parse.js';

/** One line per diagnostic, with the place it concerns. */
export function formatDiagnostic(file: string, d: Diagnostic): string {
  const at = d.line ? `${file}:${d.line}${d.column ? `:${d.column}` : ''}` : file;
  const where = [
    d.node && `node '${d.node}'`,
    d.port && `port '${d.port}'`,
    d.attr && `attribute '${d.attr}'`,
  ]
    .filter(Boolean)
    .join(', ');
  return `${at}: ${d.severity}: ${where ? `${where}: ` : ''}${d.message}`;
}

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
