/**
 * "Backprop Studio: New Network…" (a copy of one of the bundled examples, opened in the graph
 * editor) and "Open in Graph Editor" (for a graph file shown as text or picked in the explorer).
 */
import * as vscode from 'vscode';
import { homedir } from 'node:os';
import { GraphEditorProvider } from './GraphEditorProvider.js';
import { GRAPH_FILE_SUFFIX } from './graph-text.js';
import { baseName, fileExists, graphStem, weightsFileName, weightsUriBeside } from './graph-files.js';
import { fileErrorText, userMessage } from '../engine/errors/user-error.js';

export const COMMANDS = {
  newNetwork: 'backpropStudio.newNetwork',
  openInGraphEditor: 'backpropStudio.openInGraphEditor',
} as const;

export function registerCommands(context: vscode.ExtensionContext): vscode.Disposable {
  return vscode.Disposable.from(
    vscode.commands.registerCommand(COMMANDS.newNetwork, () => newNetwork(context.extensionUri)),
    vscode.commands.registerCommand(COMMANDS.openInGraphEditor, (uri?: vscode.Uri) => openInGraphEditor(uri)),
  );
}

/** "spiral.nngraph.json" → "Spiral"; "two-moons.nngraph.json" → "Two moons". */
export function templateTitle(fileName: string): string {
  const stem = graphStem(fileName).replace(/[-_]+/g, ' ');
  return stem.charAt(0).toUpperCase() + stem.slice(1);
}

async function newNetwork(extensionUri: vscode.Uri): Promise<void> {
  const examples = vscode.Uri.joinPath(extensionUri, 'examples');
  const files = (await vscode.workspace.fs.readDirectory(examples))
    .map(([name]) => name)
    .filter((name) => name.endsWith(GRAPH_FILE_SUFFIX))
    .sort();
  const picked = await vscode.window.showQuickPick(
    files.map((name) => ({ label: templateTitle(name), description: name, name })),
    { title: 'New network from a template', placeHolder: 'Pick a starting network' },
  );
  if (!picked) return;
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri ?? vscode.Uri.file(homedir());
  const chosen = await vscode.window.showSaveDialog({
    title: 'Save the new network as',
    defaultUri: await freeName(folder, picked.name),
    // Not ['nngraph.json']: dialogs compare the last extension only, and would append
    // '.nngraph.json' to a name that already ends with it.
    filters: { 'Backprop Studio graph': ['json'] },
  });
  if (!chosen) return;
  const target = withGraphSuffix(chosen);
  const text = await vscode.workspace.fs.readFile(vscode.Uri.joinPath(examples, picked.name));
  let weights: string | undefined;
  try {
    await vscode.workspace.fs.writeFile(target, text);
    weights = await copyTemplateWeights(examples, picked.name, target);
  } catch (e) {
    // A read-only folder or a full disk: in words, naming the file the user chose.
    void vscode.window.showErrorMessage(
      `New Network: ${fileErrorText(e, baseName(target), 'write') ?? userMessage(e)}`,
    );
    return;
  }
  await vscode.commands.executeCommand('vscode.openWith', target, GraphEditorProvider.viewType);
  if (weights)
    void vscode.window.showInformationMessage(
      `${picked.label} comes with weights, copied to ${weights}: press Load weights in the run panel to start from them.`,
    );
}

/**
 * A template with weights (the sawtooth's hand-set construction) gets them beside the new graph,
 * named after it, so "Load weights" finds them. Never over an existing file. Returns the file's
 * name when copied.
 */
async function copyTemplateWeights(
  examples: vscode.Uri,
  template: string,
  target: vscode.Uri,
): Promise<string | undefined> {
  const source = vscode.Uri.joinPath(examples, weightsFileName(template));
  const copy = weightsUriBeside(target);
  if (!(await fileExists(source)) || (await fileExists(copy))) return undefined;
  await vscode.workspace.fs.writeFile(copy, await vscode.workspace.fs.readFile(source));
  return baseName(copy);
}

/** The graph editor opens `*.nngraph.json`: "net.json" or "net" become "net.nngraph.json". */
export function withGraphSuffix(uri: vscode.Uri): vscode.Uri {
  if (uri.path.endsWith(GRAPH_FILE_SUFFIX)) return uri;
  return uri.with({ path: `${uri.path.replace(/\.json$/, '')}${GRAPH_FILE_SUFFIX}` });
}

/** `folder/name`, or `folder/stem-2.nngraph.json`, … whichever doesn't exist yet. */
async function freeName(folder: vscode.Uri, name: string): Promise<vscode.Uri> {
  const stem = graphStem(name);
  for (let i = 1; ; i++) {
    const candidate = vscode.Uri.joinPath(folder, i === 1 ? name : `${stem}-${i}${GRAPH_FILE_SUFFIX}`);
    if (!(await fileExists(candidate))) return candidate;
  }
}

async function openInGraphEditor(uri: vscode.Uri | undefined): Promise<void> {
  const target = uri ?? vscode.window.activeTextEditor?.document.uri;
  if (!target) {
    void vscode.window.showInformationMessage(
      'Open a *.nngraph.json file first, then run "Open in Graph Editor".',
    );
    return;
  }
  await vscode.commands.executeCommand('vscode.openWith', target, GraphEditorProvider.viewType);
}
