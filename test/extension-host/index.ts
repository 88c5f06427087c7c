/**
 * The extension-host suite: runs INSIDE a VS Code extension host, against the real API, with the
 * extension loaded from this checkout. The same `run()` serves @vscode/test-electron
 * (scripts/test-electron.mjs) and code-server's development host (test/e2e/extension-host.test.ts).
 * Bundled by `node scripts/build.mjs --tests` to out/extension-host/index.js.
 */
import * as vscode from 'vscode';
import Mocha from 'mocha';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseGraph } from '../../engine/graph/parse.js';
import { readWeights, weightsOf } from '../../engine/graph/weights.js';
import { prepareTraining } from '../../engine/train/session.js';
import { exportTypeScript } from '../../engine/codegen/export.js';
import type { GraphDoc } from '../../engine/graph/document.js';
import type { HostToWebview } from '../../extension/protocol.js';
import type { BackpropStudioTestApi, GraphEditorProbe } from '../../extension/test-api.js';

const EXTENSION_ID = 'backprop-studio.backprop-studio';
const VIEW_TYPE = 'backpropStudio.graphEditor';

async function until<T>(what: string, probe: () => T | undefined | false, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function activeCustomEditor(): vscode.TabInputCustom | undefined {
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  return input instanceof vscode.TabInputCustom ? input : undefined;
}

function scratchCopy(name: string, text: string): vscode.Uri {
  const file = join(mkdtempSync(join(tmpdir(), 'bps-')), name);
  writeFileSync(file, text);
  return vscode.Uri.file(file);
}

function exampleText(name: string): string {
  const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
  return readFileSync(join(ext.extensionPath, 'examples', name), 'utf8');
}

async function testApi(): Promise<BackpropStudioTestApi> {
  const ext = vscode.extensions.getExtension<BackpropStudioTestApi | undefined>(EXTENSION_ID)!;
  const api = await ext.activate();
  assert.ok(api, 'outside production the extension returns its test API');
  return api;
}

/** Opens `uri` in a graph editor (in `column`) and returns that editor's probe. */
async function openGraphEditor(
  uri: vscode.Uri,
  column = vscode.ViewColumn.Active,
): Promise<GraphEditorProbe> {
  const api = await testApi();
  const before = new Set(api.graphEditors());
  await vscode.commands.executeCommand('vscode.openWith', uri, VIEW_TYPE, column);
  return until('the graph editor session', () =>
    api.graphEditors().find((p) => !before.has(p) && p.uri.toString() === uri.toString()),
  );
}

/** The document the editor was last told about (init or docChanged). */
function lastDoc(probe: GraphEditorProbe): GraphDoc | null | undefined {
  const shown = probe.posted.filter(
    (m): m is Extract<HostToWebview, { type: 'init' | 'docChanged' }> =>
      m.type === 'init' || m.type === 'docChanged',
  );
  return shown.at(-1)?.doc;
}

const tests: [string, () => Promise<void>][] = [
  [
    'activates and registers its commands',
    async () => {
      const ext = vscode.extensions.getExtension(EXTENSION_ID);
      assert.ok(ext, `${EXTENSION_ID} is loaded`);
      await ext.activate();
      const commands = await vscode.commands.getCommands(true);
      for (const c of [
        'backpropStudio.newNetwork',
        'backpropStudio.openInGraphEditor',
        'backpropStudio.exportTypeScript',
        'backpropStudio.exportOnnx',
        'backpropStudio.exportPyTorch',
        'backpropStudio.importOnnx',
      ])
        assert.ok(commands.includes(c), c);
    },
  ],
  [
    'opens a graph file in the graph editor by default',
    async () => {
      const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
      const example = readFileSync(join(ext.extensionPath, 'examples', 'spiral.nngraph.json'), 'utf8');
      const uri = scratchCopy('spiral.nngraph.json', example);
      await vscode.commands.executeCommand('vscode.open', uri);
      const input = await until('the graph editor', activeCustomEditor);
      assert.equal(input.viewType, VIEW_TYPE);
      assert.equal(input.uri.toString(), uri.toString());
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    },
  ],
  [
    '"Open in Graph Editor" turns a graph shown as text into the graph editor',
    async () => {
      const uri = scratchCopy('as-text.nngraph.json', '{}\n');
      await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
      await vscode.commands.executeCommand('backpropStudio.openInGraphEditor');
      const input = await until('the graph editor', activeCustomEditor);
      assert.equal(input.viewType, VIEW_TYPE);
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    },
  ],
  [
    'puts a broken file’s problems in the Problems panel at their lines',
    async () => {
      const uri = scratchCopy(
        'broken.nngraph.json',
        '{\n  "format": "backprop-studio.graph",\n  "nodes": [\n',
      );
      await vscode.workspace.openTextDocument(uri);
      const diags = await until('diagnostics', () => {
        const d = vscode.languages.getDiagnostics(uri);
        return d.length > 0 && d;
      });
      assert.equal(diags[0]!.source, 'Backprop Studio');
      assert.equal(diags[0]!.severity, vscode.DiagnosticSeverity.Error);
      assert.match(diags[0]!.message, /not valid JSON/);
      assert.ok(
        diags[0]!.range.start.line >= 2,
        `at the end of the text (line ${diags[0]!.range.start.line})`,
      );
    },
  ],
  [
    '"Export as TypeScript" and "Export as ONNX" write the graph beside its file',
    async () => {
      const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
      const example = readFileSync(join(ext.extensionPath, 'examples', 'spiral.nngraph.json'), 'utf8');
      const uri = scratchCopy('spiral.nngraph.json', example);
      await vscode.commands.executeCommand('backpropStudio.exportTypeScript', uri);
      const ts = uri.fsPath.replace(/\.nngraph\.json$/, '.ts');
      await until('the exported module', () => existsSync(ts));
      const code = readFileSync(ts, 'utf8');
      assert.match(code, /export function forward\(/);
      assert.match(code, /export function gradients\(/);
      assert.doesNotMatch(code, /^import /m, 'the module imports nothing');
      await vscode.commands.executeCommand('backpropStudio.exportOnnx', uri);
      const onnx = uri.fsPath.replace(/\.nngraph\.json$/, '.onnx');
      await until('the exported ONNX file', () => existsSync(onnx));
      const bytes = readFileSync(onnx);
      assert.ok(bytes.length > 1000, `ONNX file of ${bytes.length} bytes holds the weights`);
      assert.ok(
        bytes.includes(Buffer.from('Gemm')) || bytes.includes(Buffer.from('MatMul')),
        'has the layers',
      );
      // And back: the exported model imports as a graph + weights beside it, opened in the editor.
      const imported = join(mkdtempSync(join(tmpdir(), 'bps-')), 'model.onnx');
      writeFileSync(imported, bytes);
      await vscode.commands.executeCommand('backpropStudio.importOnnx', vscode.Uri.file(imported));
      const graph = imported.replace(/\.onnx$/, '.nngraph.json');
      const weights = imported.replace(/\.onnx$/, '.weights.json');
      await until('the imported graph', () => existsSync(graph) && existsSync(weights));
      const importedDoc = JSON.parse(readFileSync(graph, 'utf8')) as { nodes: { op: string }[] };
      assert.equal(importedDoc.nodes.filter((n) => n.op === 'linear').length, 3, 'the three linear layers');
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    },
  ],
  [
    '"Export as PyTorch" writes a package folder beside the graph and opens its model',
    async () => {
      const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
      const example = readFileSync(join(ext.extensionPath, 'examples', 'cnn-digits.nngraph.json'), 'utf8');
      const uri = scratchCopy('digits.nngraph.json', example);
      await vscode.commands.executeCommand('backpropStudio.exportPyTorch', uri);
      const dir = uri.fsPath.replace(/\.nngraph\.json$/, '-pytorch');
      const files = ['model.py', 'data.py', 'train.py', 'README.md', 'weights.json', 'data.json'];
      await until('the exported package', () => files.every((f) => existsSync(join(dir, f))));
      assert.match(readFileSync(join(dir, 'model.py'), 'utf8'), /self\.conv = nn\.Conv2d\(1, 8, 3/);
      assert.match(
        readFileSync(join(dir, 'train.py'), 'utf8'),
        /^SAVE_WEIGHTS = "\.\.\/digits\.weights\.json"$/m,
      );
      const opened = await until('model.py opened', () => {
        const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
        return input instanceof vscode.TabInputText && input.uri.fsPath.endsWith('model.py') && input;
      });
      assert.ok(opened);
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    },
  ],
  [
    'the editor’s run: its trained weights go into the exports and are saved beside the graph',
    async () => {
      const text = exampleText('spiral.nngraph.json');
      const doc = parseGraph(text).doc!;
      const uri = scratchCopy('trained.nngraph.json', text);
      const editor = await openGraphEditor(uri);
      for (let i = 0; i < 4; i++) await editor.receive({ type: 'run', action: 'step' });
      await until('four steps in the editor’s run', () =>
        editor.posted.some((m) => m.type === 'runStatus' && m.status.step === 4),
      );
      // The same four steps replayed here: the weights the run must hand over, bit for bit.
      const replay = prepareTraining(doc);
      for (let i = 0; i < 4; i++) replay.trainer.trainStep();
      const trained = weightsOf(replay.compiled);

      await vscode.commands.executeCommand('backpropStudio.exportTypeScript', uri);
      const ts = uri.fsPath.replace(/\.nngraph\.json$/, '.ts');
      await until('the exported module', () => existsSync(ts));
      assert.equal(
        readFileSync(ts, 'utf8'),
        exportTypeScript(doc, trained, { name: 'trained', source: 'trained.nngraph.json' }).code,
        'the module carries the run’s weights',
      );

      await editor.receive({ type: 'saveWeights' });
      const file = uri.fsPath.replace(/\.nngraph\.json$/, '.weights.json');
      await until('the weights file', () => existsSync(file));
      assert.deepEqual(readWeights(readFileSync(file, 'utf8')), trained);
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    },
  ],
  [
    'a weights file beside the graph loads into the run; the analyses run at it (the sawtooth’s 16 pieces)',
    async () => {
      const uri = scratchCopy('sawtooth.nngraph.json', exampleText('sawtooth.nngraph.json'));
      writeFileSync(
        uri.fsPath.replace(/\.nngraph\.json$/, '.weights.json'),
        exampleText('sawtooth.weights.json'),
      );
      const editor = await openGraphEditor(uri);
      await editor.receive({ type: 'loadWeights' });
      await until('the run to start from the file', () =>
        editor.posted.some(
          (m) =>
            m.type === 'runStatus' && m.status.weightsFrom === 'sawtooth.weights.json' && m.status.step === 0,
        ),
      );
      await editor.receive({ type: 'analyze', requestId: 41 });
      const result = await until('the analyses', () =>
        editor.posted.find(
          (m): m is Extract<HostToWebview, { type: 'analysisResult' }> =>
            m.type === 'analysisResult' && m.requestId === 41,
        ),
      );
      assert.deepEqual(result.report.weights, { kind: 'file', file: 'sawtooth.weights.json' });
      assert.equal(result.report.regions.oneD?.pieces, 16);
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    },
  ],
  [
    'two graph editors and a text editor on one document stay in sync',
    async () => {
      const uri = scratchCopy('sync.nngraph.json', exampleText('spiral.nngraph.json'));
      const first = await openGraphEditor(uri);
      const second = await openGraphEditor(uri, vscode.ViewColumn.Beside);
      assert.notEqual(first, second, 'two editors, two sessions');
      const document = await vscode.workspace.openTextDocument(uri);
      const text = await vscode.window.showTextDocument(document, {
        viewColumn: vscode.ViewColumn.Three,
        preview: false,
      });

      // A gesture in the first graph editor reaches the text and the second graph editor.
      await first.receive({
        type: 'edit',
        requestId: 1,
        edit: { kind: 'addNode', op: 'tanh', id: 'added', position: { x: 0, y: 300 } },
      });
      assert.ok(
        parseGraph(text.document.getText()).doc!.nodes.some((n) => n.id === 'added'),
        'in the text',
      );
      await until('the second graph editor to show the new node', () =>
        lastDoc(second)?.nodes.some((n) => n.id === 'added'),
      );

      // Typing in the text editor reaches both graph editors.
      const at = text.document.getText().indexOf('"units": 64');
      assert.ok(at > 0);
      const range = new vscode.Range(
        text.document.positionAt(at),
        text.document.positionAt(at + '"units": 64'.length),
      );
      assert.ok(await text.edit((b) => b.replace(range, '"units": 32')));
      for (const [name, probe] of [
        ['first', first],
        ['second', second],
      ] as const)
        await until(`the ${name} graph editor to show the typed change`, () => {
          const h1 = lastDoc(probe)?.nodes.find((n) => n.id === 'h1');
          return h1?.attrs.units === 32;
        });

      await document.save();
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      const api = await testApi();
      await until('both graph editors closed', () =>
        api.graphEditors().every((p) => p.uri.toString() !== uri.toString()),
      );
    },
  ],
  [
    'a gesture makes the document dirty; VS Code’s undo makes it clean again, redo dirty',
    async () => {
      const original = exampleText('spiral.nngraph.json');
      const uri = scratchCopy('dirty.nngraph.json', original);
      const editor = await openGraphEditor(uri);
      const document = await vscode.workspace.openTextDocument(uri);
      assert.equal(document.isDirty, false);

      await editor.receive({
        type: 'edit',
        requestId: 1,
        edit: { kind: 'moveNodes', moves: [{ id: 'x', position: { x: -40, y: 20 } }] },
      });
      assert.equal(document.isDirty, true, 'an unsaved gesture leaves the document dirty');
      assert.notEqual(document.getText(), original);
      assert.equal(readFileSync(uri.fsPath, 'utf8'), original, 'nothing written to disk before a save');

      // Undo from the graph editor (it is the active editor): the text's own undo stack.
      await vscode.commands.executeCommand('undo');
      await until('undo to restore the text', () => document.getText() === original);
      await until('the document to be clean again', () => !document.isDirty);
      await until('the editor to be told', () => lastDoc(editor)?.nodes[0]?.position.x === 0);

      await vscode.commands.executeCommand('redo');
      await until('redo to re-apply the move', () => document.isDirty && document.getText() !== original);
      assert.deepEqual(parseGraph(document.getText()).doc!.nodes[0]!.position, { x: -40, y: 20 });

      await vscode.commands.executeCommand('undo');
      await until('the document to be clean again', () => !document.isDirty);
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    },
  ],
];

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', timeout: 60_000, color: false });
  const suite = Mocha.Suite.create(mocha.suite, 'Backprop Studio in the extension host');
  for (const [title, fn] of tests) suite.addTest(new Mocha.Test(title, fn));
  return new Promise((ok, fail) =>
    mocha.run((failures) => (failures ? fail(new Error(`${failures} extension-host test(s) failed`)) : ok())),
  );
}
