/**
 * "Export as TypeScript", "Export as ONNX" and "Export as PyTorch": the graph (as it is in the
 * editor, saved or not) and its weights written beside the graph file (PyTorch: a package folder,
 * `<name>-pytorch/`), then opened or revealed. The weights are, in order:
 * those of a run in an open graph editor that has trained (what the user just watched learn), else
 * `<name>.weights.json` (or `.weights.safetensors`) beside the graph, else the initialisers with the graph's seed; the message
 * after the export says which. The engine does the work;
 * this file only finds the inputs and reports what went wrong in the user's terms. "Import ONNX
 * Model…" goes the other way: a model (and its external data file, if any) becomes
 * `<name>.nngraph.json` + `<name>.weights.json` (`.weights.safetensors` for big networks).
 */
import * as vscode from 'vscode';
import { parseGraph } from '../engine/graph/parse.js';
import { weightsFormatFor, type Weights } from '../engine/graph/weights.js';
import { compileGraph } from '../engine/graph/compile.js';
import { weightsOf } from '../engine/graph/weights.js';
import { exportTypeScript } from '../engine/codegen/export.js';
import { exportOnnxFiles } from '../engine/onnx/export.js';
import { pytorchPackage, type PackageFile } from '../engine/pytorch/export.js';
import { readBesideGraph } from '../engine/io/read-file.js';
import { readBundledFile } from '../engine/io/bundled-data.js';
import { dirname } from 'node:path';
import { externalDataFiles, importOnnx } from '../engine/onnx/import.js';
import { serializeGraph } from '../engine/graph/serialize.js';
import { GRAPH_FILE_SUFFIX } from './graph-text.js';
import {
  baseName,
  existingWeightsBeside,
  fileExists,
  graphStem,
  readWeightsUri,
  weightsFileName,
  weightsUriBeside,
  writeWeightsUri,
} from './graph-files.js';
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
  /** One file's contents, the files of a folder, or a file and the files beside it. */
  produce(input: ProduceInput): Uint8Array | PackageFile[] | WithFilesBeside;
}

/** A file and the files written beside it (an ONNX model and its external weights, `<stem>.onnx.data`). */
interface WithFilesBeside {
  main: Uint8Array;
  beside: { name: string; bytes: Uint8Array }[];
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
    // ONNX carries weights: without a weights file, the graph's seeded initial weights. Big
    // weights go to `<stem>.onnx.data` beside the model (ONNX external data).
    produce: ({ doc, weights, stem }) => {
      const files = exportOnnxFiles(
        doc,
        weights ?? weightsOf(compileGraph(doc, { batchSize: 1, seed: doc.training.seed ?? 0 })),
        `${stem}.onnx`,
      );
      return {
        main: files.model,
        beside: files.data ? [{ name: files.data.location, bytes: files.data.bytes }] : [],
      };
    },
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
        readBundled: readBundledFile,
        source: `${stem}${GRAPH_FILE_SUFFIX}`,
        saveWeights: `../${weightsFileName(`${stem}${GRAPH_FILE_SUFFIX}`)}`,
        weightsFrom: 'the weights the editor exported it with',
      }),
  },
};

/** "Choose CSV…" in the graph editor open on `uri`; false when there is none. */
export type ChooseDataset = (uri: vscode.Uri) => Promise<boolean>;

export function registerExportCommands(
  runWeights: RunWeightsLookup,
  chooseDataset: ChooseDataset,
): vscode.Disposable {
  return vscode.Disposable.from(
    vscode.commands.registerCommand(IMPORT_ONNX_COMMAND, (uri?: vscode.Uri) =>
      importModel(uri, chooseDataset),
    ),
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
  const weightsUri = await existingWeightsBeside(uri);
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
  } else if (weightsUri) {
    try {
      weights = await readWeightsUri(weightsUri);
      from = `trained weights from ${baseName(weightsUri)}`;
    } catch (e) {
      void vscode.window.showErrorMessage(
        `Export as ${format.label}: ${baseName(weightsUri)} can't be used: ${userMessage(e)}`,
      );
      return undefined;
    }
  }
  let produced: Uint8Array | PackageFile[] | WithFilesBeside;
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
      : Array.isArray(produced)
        ? produced.map((f) => ({
            uri: vscode.Uri.joinPath(target, f.name),
            shown: `${stem}${format.extension}/${f.name}`,
            contents: new TextEncoder().encode(f.contents),
          }))
        : [
            { uri: target, shown: `${stem}${format.extension}`, contents: produced.main },
            ...produced.beside.map((f) => ({
              uri: vscode.Uri.joinPath(folder, f.name),
              shown: f.name,
              contents: f.bytes,
            })),
          ];
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

/** An imported model whose data no built-in dataset fits: a CSV dataset with no file yet. */
function noDatasetKnown(doc: GraphDoc): boolean {
  const dataset = doc.training.dataset;
  return dataset.kind === 'csv' && dataset.path === undefined;
}

/**
 * Writes `<model>.nngraph.json` and its weights file beside the model and opens the graph.
 * Nothing is written when any op can't be imported (the error lists them) or a file would be overwritten.
 */
async function importModel(
  arg: vscode.Uri | undefined,
  chooseDataset: ChooseDataset,
): Promise<vscode.Uri | undefined> {
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
  for (const existing of [
    graphUri,
    weightsUriBeside(graphUri, 'json'),
    weightsUriBeside(graphUri, 'safetensors'),
  ])
    if (await fileExists(existing)) {
      void vscode.window.showErrorMessage(
        `Import ONNX: ${baseName(existing)} already exists; move or rename it first (nothing was written).`,
      );
      return undefined;
    }
  let result;
  try {
    const bytes = await vscode.workspace.fs.readFile(model);
    // Weights in external data files beside the model (model.onnx.data) are read first.
    const external = new Map<string, Uint8Array>();
    for (const location of externalDataFiles(bytes)) {
      try {
        external.set(location, await vscode.workspace.fs.readFile(vscode.Uri.joinPath(folder, location)));
      } catch {
        // Missing: the import names the file.
      }
    }
    result = importOnnx(bytes, { externalData: (location) => external.get(location) });
  } catch (e) {
    void vscode.window.showErrorMessage(
      `Import ONNX: ${fileName} can't be imported: ${userMessage(e, fileName)}`,
    );
    return undefined;
  }
  const weightsUri = weightsUriBeside(graphUri, weightsFormatFor(result.weights));
  for (const [uri, write] of [
    [
      graphUri,
      () => vscode.workspace.fs.writeFile(graphUri, new TextEncoder().encode(serializeGraph(result.doc))),
    ],
    [weightsUri, () => writeWeightsUri(weightsUri, result.weights)],
  ] as const)
    try {
      await write();
    } catch (e) {
      void vscode.window.showErrorMessage(
        `Import ONNX: ${fileErrorText(e, baseName(uri), 'write') ?? userMessage(e)}`,
      );
      return undefined;
    }
  await vscode.commands.executeCommand('vscode.open', graphUri);
  const imported = `Imported ${fileName}: ${result.doc.nodes.length} nodes in ${stem}${GRAPH_FILE_SUFFIX}, weights in ${baseName(weightsUri)}.${result.notes.map((n) => ` Note: ${n}.`).join('')}`;
  if (!noDatasetKnown(result.doc)) {
    void vscode.window.showInformationMessage(imported);
    return graphUri;
  }
  // Say that no dataset is known, and offer the choice (the run panel has it too).
  const choose = 'Choose CSV…';
  void vscode.window
    .showInformationMessage(
      `${imported} No dataset is known for it: choose a CSV with its columns, or a built-in dataset in the run panel's Data section.`,
      choose,
    )
    .then(async (picked) => {
      if (picked === choose && !(await chooseDataset(graphUri)))
        void vscode.window.showInformationMessage(
          `Open ${stem}${GRAPH_FILE_SUFFIX} in the graph editor and press Choose CSV… in its run panel.`,
        );
    });
  return graphUri;
}
