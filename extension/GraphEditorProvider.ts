/**
 * The graph editor for `*.nngraph.json`: a CustomTextEditorProvider whose only model is the
 * TextDocument. Each gesture in the webview arrives as one GraphEdit; the host parses the current
 * text, applies the edit (engine/graph/edits.ts), serialises the result and writes it back as ONE
 * WorkspaceEdit replacing just the changed span. VS Code then provides undo/redo, the dirty marker,
 * save, hot exit and the git diff, and every editor on the document (graph or text) hears about
 * the change through onDidChangeTextDocument. A text that can't be parsed is never written over.
 */
import * as vscode from 'vscode';
import { randomBytes } from 'node:crypto';
import { applyEdit, type GraphEdit } from '../engine/graph/edits.js';
import { serializeGraph } from '../engine/graph/serialize.js';
import { documentState, onDidChangeDataFiles } from './graph-text.js';
import { userMessage } from '../engine/errors/user-error.js';
import { csvHeader, datasetFromCsv } from './dataset-choice.js';
import { relative, sep } from 'node:path';
import { changedSpan } from './text-span.js';
import { assertNever, type HostToWebview, type WebviewToHost } from './protocol.js';
import { validateWebviewMessage } from './validate.js';
import { webviewHtml } from './webview-html.js';
import { startEditorRun } from './run/editor-run.js';
import type { RunController } from './run/run-controller.js';
import { MAX_RECORDED, type GraphEditorProbe } from './test-api.js';
import { EXPORT_COMMANDS } from './export-commands.js';
import {
  baseName,
  existingWeightsBeside,
  fileExists,
  readWeightsUri,
  WEIGHTS_FILE_FILTERS,
  weightsTargetBeside,
  writeWeightsUri,
} from './graph-files.js';
import type { TrainedWeights } from '../engine/run/protocol.js';
import type { Weights } from '../engine/graph/weights.js';

/** The open graph editors (for the extension-host tests' probe; see test-api.ts). */
const openSessions = new Set<GraphEditorSession>();

/** The open graph editors as the extension-host tests see them. */
export function graphEditorProbes(): GraphEditorProbe[] {
  return [...openSessions].map((s) => s.probe);
}

/**
 * The trained weights of a run on `uri` in an open graph editor: the editor in front first (the run
 * the user is looking at), else any other that has trained on the graph as it is; a run that is
 * behind the document only when there is nothing else (the caller sees `stale` and says so).
 */
export async function trainedWeightsOf(uri: vscode.Uri): Promise<TrainedWeights | null> {
  const sessions = [...openSessions]
    .filter((s) => s.uri.toString() === uri.toString())
    .sort((a, b) => Number(b.active) - Number(a.active));
  const all = await Promise.all(sessions.map((s) => s.trainedWeights()));
  return all.find((w) => w !== null && !w.misfit) ?? all.find((w) => w !== null) ?? null;
}

/** "Choose CSV…" in the open graph editor on `uri` (the one in front); false when none is open. */
export async function chooseDatasetIn(uri: vscode.Uri): Promise<boolean> {
  const session = [...openSessions]
    .filter((s) => s.uri.toString() === uri.toString())
    .sort((a, b) => Number(b.active) - Number(a.active))[0];
  if (!session) return false;
  await session.chooseDataset();
  return true;
}

export class GraphEditorProvider implements vscode.CustomTextEditorProvider {
  static readonly viewType = 'backpropStudio.graphEditor';

  static register(context: vscode.ExtensionContext): vscode.Disposable {
    const provider = new GraphEditorProvider(context.extensionUri, context.extensionMode);
    return vscode.window.registerCustomEditorProvider(GraphEditorProvider.viewType, provider, {
      // The webview keeps its viewport and selection in its own state across hide/show.
      webviewOptions: { retainContextWhenHidden: false },
      supportsMultipleEditorsPerDocument: true,
    });
  }

  private constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly mode: vscode.ExtensionMode,
  ) {}

  resolveCustomTextEditor(document: vscode.TextDocument, panel: vscode.WebviewPanel): void {
    const webview = panel.webview;
    const roots = [
      vscode.Uri.joinPath(this.extensionUri, 'dist'),
      vscode.Uri.joinPath(this.extensionUri, 'media'),
    ];
    webview.options = { enableScripts: true, localResourceRoots: roots };
    const asset = (name: string) =>
      webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'dist', name));
    webview.html = webviewHtml({
      scriptUri: asset('webview.js').toString(),
      styleUri: asset('webview.css').toString(),
      cspSource: webview.cspSource,
      nonce: randomBytes(16).toString('base64'),
      title: document.uri.path.split('/').pop() ?? 'graph',
    });
    const session = new GraphEditorSession(document, panel, this.mode, this.extensionUri);
    openSessions.add(session);
    panel.onDidDispose(() => {
      openSessions.delete(session);
      session.dispose();
    });
  }
}

/** One open graph editor: the webview's messages in, the document's changes out. */
class GraphEditorSession {
  private readonly subscriptions: vscode.Disposable[] = [];
  /** Outside production only: what was posted, for the extension-host tests. */
  private readonly recorded: HostToWebview[] = [];
  get probe(): GraphEditorProbe {
    return { uri: this.document.uri, posted: this.recorded, receive: (raw) => this.receive(raw) };
  }
  /** The editor's training run: its engine worker thread (issue #5). */
  private readonly run: RunController;

  constructor(
    private readonly document: vscode.TextDocument,
    private readonly panel: vscode.WebviewPanel,
    private readonly mode: vscode.ExtensionMode,
    extensionUri: vscode.Uri,
  ) {
    const { run, statusBar } = startEditorRun(extensionUri, this.fileName, (e) => this.post(e));
    this.run = run;
    this.sendDocumentToRun();
    this.subscriptions.push(
      statusBar,
      panel.webview.onDidReceiveMessage((raw: unknown) => void this.receive(raw)),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.document === document && e.contentChanges.length > 0) {
          this.post({ type: 'docChanged', ...this.state() });
          this.sendDocumentToRun();
        }
      }),
      // The dataset file appeared, changed or went: its diagnostics follow (Play reads it afresh).
      onDidChangeDataFiles(() => this.post({ type: 'docChanged', ...this.state() })),
    );
  }

  get uri(): vscode.Uri {
    return this.document.uri;
  }

  get active(): boolean {
    return this.panel.active;
  }

  trainedWeights(): Promise<TrainedWeights | null> {
    return this.run.trainedWeights();
  }

  dispose(): void {
    this.run.dispose();
    for (const s of this.subscriptions) s.dispose();
  }

  private get fileName(): string {
    return this.document.uri.path.split('/').pop() ?? '';
  }

  private sendDocumentToRun(): void {
    const { doc, version } = this.state();
    const uri = this.document.uri;
    this.run.setDocument(doc, version, uri.scheme === 'file' ? vscode.Uri.joinPath(uri, '..').fsPath : null);
  }

  private state() {
    return documentState(this.document);
  }

  private post(msg: HostToWebview): void {
    if (this.mode !== vscode.ExtensionMode.Production) {
      this.recorded.push(msg);
      if (this.recorded.length > MAX_RECORDED) this.recorded.shift();
    }
    void this.panel.webview.postMessage(msg);
  }

  private receive(raw: unknown): Promise<void> {
    const checked = validateWebviewMessage(raw);
    if (!checked.ok) {
      // A message we don't understand changes nothing; say so where a developer will look.
      if (this.mode !== vscode.ExtensionMode.Production)
        console.warn(`graph editor: ignored message: ${checked.error}`);
      return Promise.resolve();
    }
    return this.handle(checked.value);
  }

  private async handle(msg: WebviewToHost): Promise<void> {
    switch (msg.type) {
      case 'ready':
        this.post({ type: 'init', fileName: this.fileName, ...this.state() });
        this.run.replay();
        return;
      case 'edit':
        return this.edit(msg.requestId, msg.edit);
      case 'openAsText':
        await vscode.commands.executeCommand(
          'vscode.openWith',
          this.document.uri,
          'default',
          this.panel.viewColumn,
        );
        return;
      case 'revealLine': {
        const line = Math.min(Math.max(msg.line - 1, 0), this.document.lineCount - 1);
        const range = this.document.lineAt(line).range;
        await vscode.window.showTextDocument(this.document, {
          viewColumn: vscode.ViewColumn.Beside,
          selection: range,
        });
        return;
      }
      case 'saveWeights':
        return this.saveWeights();
      case 'loadWeights':
        return this.loadWeights();
      case 'chooseDataset':
        return this.chooseDataset();
      case 'export':
        await vscode.commands.executeCommand(EXPORT_COMMANDS[msg.format], this.document.uri);
        return;
      case 'run':
      case 'trace':
      case 'traceTo':
      case 'gradcheck':
      case 'analyze':
      case 'cancelTask':
      case 'runOptions':
        this.run.request(msg);
        return;
      default:
        assertNever(msg);
    }
  }

  /**
   * "Save weights": this editor's run, as it is now, to the weights file beside the graph (the
   * one there, else `<name>.weights.json`, or `.weights.safetensors` for big networks: the file the
   * exports and `backprop-studio train --weights` read). Never over another file without
   * asking; never weights that don't fit the graph as it is now.
   */
  private async saveWeights(): Promise<void> {
    const trained = await this.run.trainedWeights();
    if (!trained) {
      void vscode.window.showWarningMessage(
        'Save weights: nothing is trained yet. Press Train or Step first.',
      );
      return;
    }
    if (trained.misfit) {
      void vscode.window.showWarningMessage(
        `Save weights: this run was trained on an earlier version of the graph and its weights don't fit the graph now (${trained.misfit}). Press Reset, train again, then save.`,
      );
      return;
    }
    const uri = this.document.uri;
    if (uri.scheme === 'untitled') {
      void vscode.window.showErrorMessage(
        'Save weights: save the graph to a file first; the weights go beside it.',
      );
      return;
    }
    const target = await weightsTargetBeside(uri, trained.weights);
    const name = baseName(target);
    if (await fileExists(target)) {
      const replace = 'Replace';
      const choice = await vscode.window.showWarningMessage(
        `${name} already exists. Replace it with the weights after step ${trained.step}?`,
        { modal: true },
        replace,
      );
      if (choice !== replace) return;
    }
    try {
      await writeWeightsUri(target, trained.weights);
    } catch (e) {
      // A read-only folder or a full disk: say so rather than fail silently; the run is untouched.
      void vscode.window.showErrorMessage(
        `Save weights: ${name} could not be written: ${userMessage(e, name)}`,
      );
      return;
    }
    const exportTs = 'Export as TypeScript';
    void vscode.window
      .showInformationMessage(
        `Saved the weights after step ${trained.step} (epoch ${trained.epoch}) to ${name}.`,
        exportTs,
      )
      .then((choice) => {
        if (choice === exportTs) void vscode.commands.executeCommand(EXPORT_COMMANDS.typescript, uri);
      });
  }

  /**
   * "Load weights": `<name>.weights.json` or `.safetensors` beside the graph, or (when there is none) a file the user
   * picks, becomes the start of a new run paused before its first step. A file that can't be read or
   * doesn't fit the graph is reported and changes nothing.
   */
  private async loadWeights(): Promise<void> {
    const uri = this.document.uri;
    const beside = uri.scheme === 'file' ? await existingWeightsBeside(uri) : undefined;
    const file =
      beside ??
      (
        await vscode.window.showOpenDialog({
          title: 'Load weights into the run',
          filters: WEIGHTS_FILE_FILTERS,
          canSelectMany: false,
          ...(uri.scheme === 'file' ? { defaultUri: vscode.Uri.joinPath(uri, '..') } : {}),
        })
      )?.[0];
    if (!file) return;
    const name = baseName(file);
    let weights: Weights;
    try {
      weights = await readWeightsUri(file);
    } catch (e) {
      void vscode.window.showErrorMessage(`Load weights: ${name} can't be used: ${userMessage(e, name)}`);
      return;
    }
    const error = await this.run.loadWeights(weights, name);
    if (error) void vscode.window.showErrorMessage(`Load weights: ${error}. Nothing was changed.`);
  }

  /**
   * "Choose CSV…": a CSV file the user picks (in the graph's folder to start with) becomes
   * training.dataset, its path relative to the graph; one document edit, undone like any other.
   */
  async chooseDataset(): Promise<void> {
    const uri = this.document.uri;
    const { doc } = this.state();
    if (!doc) return;
    if (uri.scheme !== 'file') {
      void vscode.window.showErrorMessage(
        'Choose CSV: save the graph to a file first; the dataset path is written relative to it.',
      );
      return;
    }
    const folder = vscode.Uri.joinPath(uri, '..');
    const picked = (
      await vscode.window.showOpenDialog({
        title: `Choose the CSV dataset for ${this.fileName}`,
        filters: { 'CSV data': ['csv'] },
        canSelectMany: false,
        defaultUri: folder,
      })
    )?.[0];
    if (!picked) return;
    const name = baseName(picked);
    let text: string;
    try {
      text = new TextDecoder().decode(await vscode.workspace.fs.readFile(picked));
    } catch (e) {
      void vscode.window.showErrorMessage(`Choose CSV: ${userMessage(e, name)}`);
      return;
    }
    const path = relative(folder.fsPath, picked.fsPath).split(sep).join('/');
    const { dataset, note } = datasetFromCsv(doc.training.dataset, path, csvHeader(text));
    await this.edit(0, { kind: 'setTraining', training: { ...doc.training, dataset } });
    if (note) void vscode.window.showInformationMessage(`Choose CSV: ${note}`);
  }

  private async edit(requestId: number, edit: GraphEdit): Promise<void> {
    const reject = (reason: string) => this.post({ type: 'editRejected', requestId, reason });
    const { doc } = this.state();
    if (!doc)
      return reject('The file has errors that stop it being read as a graph; fix them in the text first.');
    const result = applyEdit(doc, edit);
    if (!result.ok) return reject(result.error);
    const before = this.document.getText();
    const after = serializeGraph(result.doc);
    if (after === before) {
      // Nothing to write (e.g. a node dropped where it was): resynchronise the webview anyway.
      this.post({ type: 'docChanged', ...this.state() });
      return;
    }
    const workspaceEdit = new vscode.WorkspaceEdit();
    const span = changedSpan(before, after);
    workspaceEdit.replace(
      this.document.uri,
      new vscode.Range(this.document.positionAt(span.start), this.document.positionAt(span.endBefore)),
      after.slice(span.start, span.endAfter),
    );
    if (!(await vscode.workspace.applyEdit(workspaceEdit)))
      reject('VS Code refused the edit (is the file read-only?).');
  }
}
