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
];

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', timeout: 60_000, color: false });
  const suite = Mocha.Suite.create(mocha.suite, 'Backprop Studio in the extension host');
  for (const [title, fn] of tests) suite.addTest(new Mocha.Test(title, fn));
  return new Promise((ok, fail) =>
    mocha.run((failures) => (failures ? fail(new Error(`${failures} extension-host test(s) failed`)) : ok())),
  );
}
