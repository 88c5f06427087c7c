/**
 * "Export as TypeScript", "Export as ONNX" and "Export as PyTorch": the graph (as it is in the
 * editor, saved or not) and its weights written beside the graph file (PyTorch: a package folder,
 * `<name>-pytorch/`), then opened or revealed. The weights are, in order:
 * those of a run in an open graph editor that has trained (what the user just watched learn), else
 * `<name>.weights.json` beside the graph, else the initialisers with the graph's seed; the message
 * after the export says which. The engine does the work;
 * this file only finds the inputs and reports what went wrong in the user's terms. "Import ONNX
 * Model…" goes the other way: a model becomes `<name>.nngraph.json` + `<name>.weights.json`.
 */
import * as vscode from 'vscode';
import { parseGraph } from '../engine/graph/parse.js';
import { readWeights, type Weights } from '../engine/graph/weights.js';
import { compileGraph } from '../engine/graph/compile.js';
import { weightsOf } from '../engine/graph/weights.js';
import { exportTypeScript } from '../engine/codegen/export.js';
import { exportOnnx } from '../engine/onnx/export.js';
import { pytorchPackage, type PackageFile } from '../engine/pytorch/export.js';
import { readBesideGraph } from '../engine/io/read-file.js';
import { dirname } from 'node:path';
import { importOnnx } from '../engine/onnx/import.js';
import { serializeGraph } from '../engine/graph/serialize.js';
import { GRAPH_FILE_SUFFIX } from './graph-text.js';
import { baseName, fileExists, graphStem, weightsFileName, weightsUriBeside } from './graph-files.js';
import type { ExportFormatId } from './protocol.js';
import type { GraphDoc } from '../engine/graph/document.js';
import type { TrainedWeights } from '../engine/run/protocol.js';
import { fileErrorText, userMessage } from '../engine/errors/user-error.js';

/** The trained weights of an open graph editor's run on `uri`, if one has trained. */
export type RunWeightsLookup = (uri: vscode.Uri) => Promise<TrainedWeights | null>;

export const EXPORT_COMMANDS: Record<ExportFormatId, string> = {
  typescript: 'backpropStudio.exportTypeScript',
  onnx: 'backpropStudio.exportOnnx',
  pytorch: 'backpropStudio.exportPyTorch',
};
export const IMPORT_ONNX_COMMAND = 'backpropStudio.importOnnx';

interface ExportFormat {
  label: string;
  /** Added to the graph's stem: a file's extension, or the suffix of a folder of files. */
  extension: string;
  /**
   * Opened in an editor after export: the file (true), a file of the folder (its name), or
   * nothing (false: a binary file, only revealed).
   */
  open: boolean | string;
  /** One file's contents, or the files of a folder. */
  produce(input: ProduceInput): Uint8Array | PackageFile[];
}

interface ProduceInput {
  doc: GraphDoc;
  weights: Weights | null;
  stem: string;
  /** Reads a file the graph names (CSV data) relative to the graph's folder. */
  readText: (path: string) => string;
}

const FORMATS: Record<ExportFormatId, ExportFormat> = {
  typescript: {
    label: 'TypeScript',
    extension: '.ts',
    open: true,
    produce: ({ doc, weights, stem }) =>
      new TextEncoder().encode(
        exportTypeScript(doc, weights, { name: stem, source: `${stem}${GRAPH_FILE_SUFFIX}` }).code,
      ),
  },
  onnx: {
    label: 'ONNX',
    extension: '.onnx',
    open: false,
    // ONNX carries weights: without a weights file, the graph's seeded initial weights.
    produce: ({ doc, weights }) =>
      exportOnnx(
        doc,
        weights ?? weightsOf(compileGraph(doc, { batchSize: 1, seed: doc.training.seed ?? 0 })),
      ),
  },
  pytorch: {
    label: 'PyTorch',
    extension: '-pytorch',
    open: 'model.py',
    // A package folder beside the graph; its train.py saves the trained weights beside the graph.
    produce: ({ doc, weights, stem, readText }) =>
      pytorchPackage({
        doc,
        weights,
        readText,
        source: `${stem}${GRAPH_FILE_SUFFIX}`,
        saveWeights: `../${weightsFileName(`${stem}${GRAPH_FILE_SUFFIX}`)}`,
        weightsFrom: 'the weights the editor exported it with',
      }),
  },
};

export function registerExportCommands(runWeights: RunWeightsLookup): vscode.Disposable {
  return vscode.Disposable.from(
    vscode.commands.registerCommand(IMPORT_ONNX_COMMAND, (uri?: vscode.Uri) => importModel(uri)),
    ...(Object.keys(FORMATS) as (keyof typeof FORMATS)[]).map((key) =>
      vscode.commands.registerCommand(EXPORT_COMMANDS[key], (uri?: vscode.Uri) =>
        exportGraph(FORMATS[key], uri, runWeights),
      ),
    ),
  );
}

/** The graph file the command is about: the argument (explorer, editor title) or the active tab. */
function graphUri(uri: vscode.Uri | undefined): vscode.Uri | undefined {
  if (uri) return uri;
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  if (input instanceof vscode.TabInputCustom || input instanceof vscode.TabInputText) return input.uri;
  return undefined;
}

async function exportGraph(
  format: ExportFormat,
  arg: vscode.Uri | undefined,
  runWeights: RunWeightsLookup,
): Promise<vscode.Uri | undefined> {
  const uri = graphUri(arg);
  if (!uri || !uri.path.endsWith(GRAPH_FILE_SUFFIX)) {
    void vscode.window.showErrorMessage(
      `Export as ${format.label}: open a *${GRAPH_FILE_SUFFIX} file first, then run the command again.`,
    );
    return undefined;
  }
  const document = await vscode.workspace.openTextDocument(uri);
  const { doc, diagnostics } = parseGraph(document.getText());
  const fileName = baseName(uri);
  if (!doc) {
    const first = diagnostics.find((d) => d.severity === 'error');
    void vscode.window.showErrorMessage(
      `Export as ${format.label}: ${fileName} is not a graph yet${first ? ` (${first.line ? `line ${first.line}: ` : ''}${first.message})` : ''}. Fix the problems shown in the Problems panel first.`,
    );
    return undefined;
  }
  const stem = graphStem(fileName);
  const folder = vscode.Uri.joinPath(uri, '..');
  const weightsUri = weightsUriBeside(uri);
  let weights: Weights | null = null;
  let from = 'initial weights (nothing trained in the editor, no weights file beside it)';
  const trained = await runWeights(uri);
  if (trained?.misfit)
    void vscode.window.showWarningMessage(
      `Export as ${format.label}: the editor's run was trained on an earlier version of ${fileName} and its weights don't fit the graph now (${trained.misfit}), so they were not used. Reset and train again to export them.`,
    );
  if (trained && !trained.misfit) {
    weights = trained.weights;
    from = `the weights of the editor's run after step ${trained.step}`;
  } else {
    try {
      const bytes = await vscode.workspace.fs.readFile(weightsUri);
      try {
        weights = readWeights(JSON.parse(new TextDecoder().decode(bytes)) as unknown);
        from = `trained weights from ${baseName(weightsUri)}`;
      } catch (e) {
        void vscode.window.showErrorMessage(
          `Export as ${format.label}: ${baseName(weightsUri)} can't be used: ${userMessage(e)}`,
        );
        return undefined;
      }
    } catch {
      // No weights file: the export starts from the graph's initialisers.
    }
  }
  let produced: Uint8Array | PackageFile[];
  const baseDir = uri.scheme === 'file' ? dirname(uri.fsPath) : null;
  try {
    produced = format.produce({ doc, weights, stem, readText: (path) => readBesideGraph(baseDir, path) });
  } catch (e) {
    void vscode.window.showErrorMessage(
      `Export as ${format.label} failed for ${fileName}: ${userMessage(e)}`,
    );
    return undefined;
  }
  const target = vscode.Uri.joinPath(folder, `${stem}${format.extension}`);
  const files =
    produced instanceof Uint8Array
      ? [{ uri: target, shown: `${stem}${format.extension}`, contents: produced }]
      : produced.map((f) => ({
          uri: vscode.Uri.joinPath(target, f.name),
          shown: `${stem}${format.extension}/${f.name}`,
          contents: new TextEncoder().encode(f.contents),
        }));
  for (const f of files) {
    try {
      await vscode.workspace.fs.writeFile(f.uri, f.contents);
    } catch (e) {
      void vscode.window.showErrorMessage(
        `Export as ${format.label}: ${fileErrorText(e, f.shown, 'write') ?? userMessage(e)}`,
      );
      return undefined;
    }
  }
  if (format.open)
    await vscode.window.showTextDocument(
      typeof format.open === 'string' ? vscode.Uri.joinPath(target, format.open) : target,
      { preview: false },
    );
  void vscode.window.showInformationMessage(
    `Exported ${fileName} as ${format.label} to ${stem}${format.extension}, with ${from}.`,
  );
  return target;
}

/**
 * Writes `<model>.nngraph.json` and `<model>.weights.json` beside the model and opens the graph.
 * Nothing is written when any op can't be imported (the error lists them) or a file would be overwritten.
 */
async function importModel(arg: vscode.Uri | undefined): Promise<vscode.Uri | undefined> {
  const model =
    arg ??
    (
      await vscode.window.showOpenDialog({
        title: 'Import an ONNX model as a graph',
        filters: { 'ONNX model': ['onnx'] },
        canSelectMany: false,
      })
    )?.[0];
  if (!model) return undefined;
  const fileName = baseName(model);
  const stem = fileName.replace(/\.onnx$/i, '');
  const folder = vscode.Uri.joinPath(model, '..');
  const graphUri = vscode.Uri.joinPath(folder, `${stem}${GRAPH_FILE_SUFFIX}`);
  const weightsUri = weightsUriBeside(graphUri);
  for (const existing of [graphUri, weightsUri])
    if (await fileExists(existing)) {
      void vscode.window.showErrorMessage(
        `Import ONNX: ${baseName(existing)} already exists; move or rename it first (nothing was written).`,
      );
      return undefined;
    }
  let result;
  try {
    result = importOnnx(await vscode.workspace.fs.readFile(model));
  } catch (e) {
    void vscode.window.showErrorMessage(
      `Import ONNX: ${fileName} can't be imported: ${userMessage(e, fileName)}`,
    );
    return undefined;
  }
  const encoder = new TextEncoder();
  for (const [uri, text] of [
    [graphUri, serializeGraph(result.doc)],
    [weightsUri, `${JSON.stringify(result.weights)}\n`],
  ] as const)
    try {
      await vscode.workspace.fs.writeFile(uri, encoder.encode(text));
    } catch (e) {
      void vscode.window.showErrorMessage(
        `Import ONNX: ${fileErrorText(e, baseName(uri), 'write') ?? userMessage(e)}`,
      );
      return undefined;
    }
  await vscode.commands.executeCommand('vscode.open', graphUri);
  void vscode.window.showInformationMessage(
    `Imported ${fileName}: ${result.doc.nodes.length} nodes in ${stem}${GRAPH_FILE_SUFFIX}, weights in ${baseName(weightsUri)}.`,
  );
  return graphUri;
}
