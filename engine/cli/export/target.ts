/** What an `export --to <target>` row implements (one module per target in this folder). */
import { basename } from 'node:path';
import type { GraphDoc } from '../../graph/document.js';
import type { Weights } from '../../graph/weights.js';

/** What a target is given: the parsed graph, optional weights, where to write, its own flags. */
export interface ExportRequest {
  doc: GraphDoc;
  weights: Weights | null;
  graphPath: string;
  /** The output file: -o, else the graph's base name with the target's extension beside it. */
  outPath: string;
  /** Target-specific flags (e.g. --weights-file), in order. */
  flags: readonly string[];
}

export interface ExportTarget {
  name: string;
  /** Extension of the default output file, e.g. '.ts'. */
  extension: string;
  summary: string;
  /** Flags only this target takes, for the usage text. */
  flags: readonly { flag: string; doc: string }[];
  /** Writes the files and returns a one-line description of what was written. */
  run(req: ExportRequest): string;
}

/** The graph can't be exported to this target (e.g. an op it can't express); names the node. */
export class ExportFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExportFailure';
  }
}

/** The graph's base name: `examples/spiral.nngraph.json` → `spiral`. */
export function graphBaseName(path: string): string {
  return basename(path).replace(/\.nngraph\.json$|\.json$|\.ts$|\.onnx$/, '');
}
