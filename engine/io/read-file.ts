/**
 * Reading and writing the user's files with failures in words (engine/errors/user-error.ts): the
 * CLI and the engine worker read graphs, weights and CSV data through these, so a missing file
 * says "data.csv does not exist" rather than "ENOENT: no such file or directory, open '/…'".
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { fileErrorText, UserError } from '../errors/user-error.js';

/**
 * A file a graph document names (a CSV dataset), read relative to the graph's folder `baseDir`
 * (null: the graph is not saved in a folder), failures naming it as the document writes it.
 */
export function readBesideGraph(baseDir: string | null, path: string): string {
  if (!isAbsolute(path) && baseDir === null)
    throw new UserError(`'${path}' is relative and this graph is not saved in a folder: save it first.`);
  return readTextFile(baseDir === null ? path : resolve(baseDir, path), path);
}

/** The text of `path`, or a UserError naming it as `shown` (default: as given) and saying what to do. */
export function readTextFile(path: string, shown = path): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw asUserError(e, shown, 'read');
  }
}

export function readBinaryFile(path: string, shown = path): Uint8Array {
  try {
    return new Uint8Array(readFileSync(path));
  } catch (e) {
    throw asUserError(e, shown, 'read');
  }
}

export function writeTextFile(path: string, text: string | Uint8Array, shown = path): void {
  try {
    writeFileSync(path, text);
  } catch (e) {
    throw asUserError(e, shown, 'write');
  }
}

/** Makes folder `path` (and its parents) if missing; a UserError in words when it can't. */
export function makeFolder(path: string, shown = path): void {
  try {
    mkdirSync(path, { recursive: true });
  } catch (e) {
    throw asUserError(e, shown, 'write');
  }
}

function asUserError(e: unknown, shown: string, action: 'read' | 'write'): Error {
  const words = fileErrorText(e, shown, action);
  return words === null ? (e as Error) : new UserError(words, e);
}
