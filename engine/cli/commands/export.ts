/**
 * `backprop-studio export <graph> --to <target> [-o file] [--weights <weights.json>]`: a graph and
 * its weights in another format. Each format is one row of EXPORT_TARGETS; adding one (e.g. a
 * TypeScript module) is a new row, not a new command.
 */
import { makeFolder, readTextFile, writeTextFile } from '../../io/read-file.js';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Command, UsageError } from '../command.js';
import { parseGraph } from '../../graph/parse.js';
import type { Diagnostic, GraphDoc } from '../../graph/document.js';
import { compileGraph, GraphError, type CompiledGraph } from '../../graph/compile.js';
import { weightsOf, WeightsError, type Weights } from '../../graph/weights.js';
import { readWeightsFile } from '../paths.js';
import { exportOnnxFiles, OnnxExportError } from '../../onnx/export.js';
import { typescriptTarget } from '../export/typescript.js';
import { pytorchTarget } from '../export/pytorch.js';

/** What every target gets: the parsed document, where it came from, and its weights. */
export interface ExportInput {
  doc: GraphDoc;
  graphPath: string;
  /** The graph compiled (batch size 1) with the weights loaded. */
  compiled: CompiledGraph;
  /** Every parameter and state tensor: trained (from --weights) or from the initialisers. */
  weights: Weights;
  /** The --weights file as read, or null (targets that compile the graph start from its seed). */
  weightsFile: Weights | null;
  /** The target's own flags that were given (see ExportTarget.flags). */
  flags: readonly string[];
  /** The file to write (from -o, or the graph's name with the target's extension). */
  outPath: string;
}

/** A file a target produces. */
export interface ExportedFile {
  path: string;
  contents: Uint8Array | string;
}

export interface ExportTarget {
  /** The value of --to. */
  name: string;
  /** Added to the graph's name for the default output (an extension with its dot, or a folder's suffix). */
  extension: string;
  summary: string;
  /** Produces the files; throws an Error whose message says what can't be exported and why. */
  export(input: ExportInput): ExportedFile[];
  /** Error types that mean bad input (printed as a message, exit code 1), not a bug. */
  inputErrors: (new (...args: never[]) => Error)[];
  /** Flags only this target takes (without a value), for parsing and the usage text. */
  flags?: readonly { flag: string; doc: string }[];
}

export const EXPORT_TARGETS: ExportTarget[] = [
  {
    name: 'onnx',
    extension: '.onnx',
    summary:
      'ONNX model (opset 17) of the inference graph, weights as initializers (over 32 MB in <file>.data)',
    export: ({ doc, weights, outPath }) => {
      // Big weights go to <file>.onnx.data beside the model (ONNX external data).
      const files = exportOnnxFiles(doc, weights, outPath);
      return [
        { path: outPath, contents: files.model },
        ...(files.data
          ? [{ path: join(dirname(outPath), files.data.location), contents: files.data.bytes }]
          : []),
      ];
    },
    inputErrors: [OnnxExportError],
  },
  typescriptTarget,
  pytorchTarget,
];

const usage = `Usage: backprop-studio export <graph.nngraph.json> --to <target> [-o <file>] [--weights <weights.json>]

Targets:
${EXPORT_TARGETS.map((t) => `  ${t.name.padEnd(8)} ${t.summary}`).join('\n')}

Options:
  --to <target>         the format to write
  -o, --output <file>   the file (or folder, for pytorch) to write (default: the graph's name with
                        the target's extension)
  --weights <file>      trained weights (.weights.json or .safetensors); without it, the graph's
                        initial weights from its seed
${EXPORT_TARGETS.flatMap((t) => (t.flags ?? []).map((f) => `  ${f.flag.padEnd(21)} (--to ${t.name}) ${f.doc}`)).join('\n')}`;

function printDiagnostics(path: string, diagnostics: Diagnostic[]): void {
  for (const d of diagnostics) {
    const where = [
      d.line !== undefined ? `${path}:${d.line}` : path,
      d.node !== undefined ? `node '${d.node}'` : '',
    ]
      .filter(Boolean)
      .join(' ');
    process.stderr.write(`${where}: ${d.severity}: ${d.message}\n`);
  }
}

export const exportCommand: Command = {
  name: 'export',
  summary: `export a graph and its weights (${EXPORT_TARGETS.map((t) => t.name).join(', ')})`,
  usage,
  async run(args) {
    let graphPath: string | undefined;
    let to: string | undefined;
    let out: string | undefined;
    let weightsPath: string | undefined;
    const flags: string[] = [];
    const targetFlags = new Set(EXPORT_TARGETS.flatMap((t) => (t.flags ?? []).map((f) => f.flag)));
    for (let i = 0; i < args.length; i++) {
      const a = args[i]!;
      const value = () => {
        const v = args[++i];
        if (v === undefined) throw new UsageError(`${a} needs a value`);
        return v;
      };
      if (a === '--to') to = value();
      else if (a === '-o' || a === '--output') out = value();
      else if (a === '--weights') weightsPath = value();
      else if (targetFlags.has(a)) flags.push(a);
      else if (a.startsWith('-')) throw new UsageError(`unknown option '${a}'`);
      else if (graphPath === undefined) graphPath = a;
      else throw new UsageError(`unexpected argument '${a}'`);
    }
    if (!graphPath) throw new UsageError('which graph? give the path of a .nngraph.json file');
    if (!to) throw new UsageError(`--to is required: one of ${EXPORT_TARGETS.map((t) => t.name).join(', ')}`);
    const target = EXPORT_TARGETS.find((t) => t.name === to);
    if (!target)
      throw new UsageError(
        `unknown target '${to}'; the targets are ${EXPORT_TARGETS.map((t) => t.name).join(', ')}`,
      );
    const foreign = flags.find((f) => !(target.flags ?? []).some((t) => t.flag === f));
    if (foreign) throw new UsageError(`${foreign} is not an option of --to ${target.name}`);
    for (const p of [graphPath, weightsPath]) {
      if (p !== undefined && !existsSync(p)) {
        process.stderr.write(`backprop-studio export: ${p}: no such file\n`);
        return 1;
      }
    }
    const { doc, diagnostics } = parseGraph(readTextFile(graphPath));
    if (!doc) {
      printDiagnostics(graphPath, diagnostics);
      return 1;
    }
    let weightsFile: Weights | null = null;
    let compiled: CompiledGraph;
    try {
      if (weightsPath !== undefined) weightsFile = readWeightsFile(weightsPath);
      compiled = compileGraph(doc, { batchSize: 1, ...(weightsFile ? { weights: weightsFile } : {}) });
    } catch (e) {
      if (e instanceof WeightsError) {
        process.stderr.write(`backprop-studio export: ${weightsPath}: ${e.message}\n`);
        return 1;
      }
      if (e instanceof GraphError) {
        printDiagnostics(graphPath, e.diagnostics);
        return 1;
      }
      throw e;
    }
    const outPath =
      out ?? `${graphPath.replace(/\.nngraph\.json$/i, '').replace(/\.json$/i, '')}${target.extension}`;
    let files: ExportedFile[];
    try {
      const weights = weightsOf(compiled);
      files = target.export({ doc, graphPath, compiled, weights, weightsFile, flags, outPath });
    } catch (e) {
      if (!target.inputErrors.some((t) => e instanceof t)) throw e;
      process.stderr.write(`backprop-studio export: ${graphPath}: ${(e as Error).message}\n`);
      return 1;
    }
    for (const f of files) {
      // A target may write a folder (pytorch: a package).
      makeFolder(dirname(f.path));
      writeTextFile(f.path, f.contents);
    }
    process.stdout.write(`wrote ${files.map((f) => f.path).join(', ')}\n`);
    return 0;
  },
};
