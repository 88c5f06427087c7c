/**
 * Every error path a user can reach from the CLI, the editor's run and its file commands, one
 * test each: the message says what happened and where, and carries no raw Node error code
 * (ENOENT…), no stack trace, and no absolute path outside the user's own folder (the temporary
 * workspace here): nothing of the extension's own machinery.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../engine/cli/main.js';
import { captureOutput } from '../engine/cli/capture-output.js';
import { LEAK_PATTERNS, userMessage, fileErrorText } from '../../engine/errors/user-error.js';
import { readBesideGraph } from '../../engine/io/read-file.js';
import { RunSession } from '../../engine/run/run-session.js';
import type { FromWorker, RunStatus } from '../../engine/run/protocol.js';
import type { GraphDoc } from '../../engine/graph/document.js';
import { parseGraph } from '../../engine/graph/parse.js';
import { serializeGraph } from '../../engine/graph/serialize.js';
import { RunController, type EngineWorker } from '../../extension/run/run-controller.js';

const repo = join(__dirname, '..', '..');
const spiralText = readFileSync(join(repo, 'examples', 'spiral.nngraph.json'), 'utf8');

/** The text a user sees is clean: no codes, no stack frames, no absolute path outside `workspace`. */
function assertUserFacing(text: string, workspace: string): void {
  assert.ok(text.trim().length > 0, 'there is a message');
  for (const p of LEAK_PATTERNS) assert.doesNotMatch(text, p, `leaks ${p}: ${text}`);
  assert.doesNotMatch(text, /\n\s+at\s/, `a stack trace: ${text}`);
  for (const m of text.matchAll(/(?<![\w.])\/(?:[^\s'",:()/]+\/)*[^\s'",:()/]+/g)) {
    const path = m[0];
    if (!path.includes('/', 1)) continue; // "/s" of "10 /s" or "/ 2" is not a path
    assert.ok(path.startsWith(workspace), `an absolute path outside the user's folder: ${path} in\n${text}`);
  }
  assert.ok(!text.includes(repo), `a path of the extension's own files: ${text}`);
}

function csvDoc(path: string | undefined): string {
  const doc = parseGraph(spiralText).doc!;
  const dataset = {
    kind: 'csv' as const,
    ...(path !== undefined ? { path } : {}),
    features: ['a', 'b'],
    target: 'label',
    task: 'classification' as const,
  };
  const target = doc.nodes.find((n) => n.op === 'target')!;
  return serializeGraph({
    ...doc,
    nodes: doc.nodes.map((n) => (n === target ? { ...n, attrs: { classes: 3 } } : n)),
    training: { ...doc.training, dataset },
  });
}

describe('every user-facing error path speaks in words', () => {
  let ws: string;
  const at = (name: string) => join(ws, name);
  const cli = (...args: string[]) => captureOutput(() => main(args));

  before(() => {
    ws = mkdtempSync(join(tmpdir(), 'user-errors-'));
    writeFileSync(at('spiral.nngraph.json'), spiralText);
    writeFileSync(at('missing-data.nngraph.json'), csvDoc('data.csv'));
    writeFileSync(at('no-data.nngraph.json'), csvDoc(undefined));
    writeFileSync(at('bad-data.nngraph.json'), csvDoc('bad.csv'));
    writeFileSync(at('bad.csv'), 'a,b,label\n1,2,0\n1,oops,1\n');
    writeFileSync(at('folder-data.nngraph.json'), csvDoc('sub'));
    mkdirSync(at('sub'));
    writeFileSync(at('not-onnx.onnx'), 'this is not a protobuf');
    writeFileSync(at('bad.weights.json'), '{"format": "something else"}');
  });
  after(() => rmSync(ws, { recursive: true, force: true }));

  // ---- the CLI ----------------------------------------------------------------------------------

  test('check: a graph file that does not exist', async () => {
    const r = await cli('check', at('nope.nngraph.json'));
    assert.equal(r.code, 1);
    assert.match(r.out, /nope\.nngraph\.json does not exist\. Check the name and the folder\./);
    assertUserFacing(r.out + r.err, ws);
  });

  test('check: a folder given as the graph', async () => {
    const r = await cli('check', at('sub'));
    assert.match(r.out, /sub is a folder, not a file\. Give the path of a file\./);
    assertUserFacing(r.out + r.err, ws);
  });

  test('check: the dataset CSV does not exist (names the setting and what to do)', async () => {
    const r = await cli('check', at('missing-data.nngraph.json'));
    assert.equal(r.code, 1);
    assert.match(
      r.out,
      /:\d+: error \[dataset-unreadable\] setting training\.dataset\.path: The dataset file 'data\.csv' \(training\.dataset\.path\) does not exist\. Choose a CSV beside the graph, or a built-in dataset/,
    );
    assertUserFacing(r.out + r.err, ws);
  });

  test('check: the dataset path is a folder', async () => {
    const r = await cli('check', at('folder-data.nngraph.json'));
    assert.match(r.out, /The dataset file 'sub' \(training\.dataset\.path\) is a folder, not a file/);
    assertUserFacing(r.out + r.err, ws);
  });

  test('check: the dataset CSV has a bad row (says the line)', async () => {
    const r = await cli('check', at('bad-data.nngraph.json'));
    assert.equal(r.code, 1);
    assert.match(r.out, /The dataset file 'bad\.csv' \(training\.dataset\) can't be used: line 3: /);
    assertUserFacing(r.out + r.err, ws);
  });

  test('check: no dataset known (an imported network) is said as such, not as a missing file', async () => {
    const r = await cli('check', at('no-data.nngraph.json'));
    assert.equal(r.code, 0, 'a warning: the graph runs and exports; only training needs data');
    assert.match(
      r.out,
      /warning \[no-dataset\] setting training\.dataset\.path: No dataset is known for this network .* it needs a CSV with the columns a, b, label\. Choose a CSV beside the graph, or a built-in dataset/,
    );
    assertUserFacing(r.out + r.err, ws);
  });

  test('train: the dataset CSV does not exist', async () => {
    const r = await cli('train', at('missing-data.nngraph.json'), '--epochs', '1');
    assert.equal(r.code, 1);
    assert.match(r.err, /The dataset file 'data\.csv' \(training\.dataset\.path\) does not exist/);
    assertUserFacing(r.out + r.err, ws);
  });

  test('train: no dataset known', async () => {
    const r = await cli('train', at('no-data.nngraph.json'), '--epochs', '1');
    assert.equal(r.code, 1);
    assert.match(r.err, /No dataset is known for this network/);
    assertUserFacing(r.out + r.err, ws);
  });

  test('train: a weights file that does not exist', async () => {
    const r = await cli('train', at('spiral.nngraph.json'), '--weights', at('none.weights.json'));
    assert.equal(r.code, 1);
    assert.match(r.err, /none\.weights\.json: no such file/);
    assertUserFacing(r.out + r.err, ws);
  });

  test('train: a weights file that is not weights', async () => {
    const r = await cli('train', at('spiral.nngraph.json'), '--weights', at('bad.weights.json'));
    assert.equal(r.code, 1);
    assert.match(r.err, /bad\.weights\.json: /);
    assertUserFacing(r.out + r.err, ws);
  });

  test('train: --save-weights into a folder that does not exist', async () => {
    const r = await cli(
      'train',
      at('spiral.nngraph.json'),
      '--epochs',
      '1',
      '--save-weights',
      at('no/such/dir/w.json'),
    );
    assert.equal(r.code, 1);
    assert.match(r.err, /Could not write .*w\.json: it does not exist\. Check that its folder exists\./);
    assertUserFacing(r.out + r.err, ws);
  });

  test('run: an input file that does not exist', async () => {
    const r = await cli('run', at('spiral.nngraph.json'), '--input', at('none.json'));
    assert.equal(r.code, 1);
    assert.match(r.err, /the input: .*none\.json does not exist\. Check the name and the folder\./);
    assertUserFacing(r.out + r.err, ws);
  });

  test('export: a graph that does not exist', async () => {
    const r = await cli('export', at('nope.nngraph.json'), '--to', 'ts');
    assert.equal(r.code, 1);
    assert.match(r.err, /nope\.nngraph\.json: no such file/);
    assertUserFacing(r.out + r.err, ws);
  });

  test('export: into a folder that is a file', async () => {
    const r = await cli('export', at('spiral.nngraph.json'), '--to', 'onnx', '-o', at('bad.csv/m.onnx'));
    assert.equal(r.code, 1);
    assert.match(
      r.err,
      /Could not write .*bad\.csv: it (already exists|is inside something that is not a folder)/,
    );
    assertUserFacing(r.out + r.err, ws);
  });

  test('import: a file that is not an ONNX model', async () => {
    const r = await cli('import', at('not-onnx.onnx'), '-o', at('x.nngraph.json'));
    assert.equal(r.code, 1);
    assert.match(r.err, /not a readable ONNX model/);
    assertUserFacing(r.out + r.err, ws);
  });

  test('import: a folder given as the model', async () => {
    const r = await cli('import', at('sub'), '-o', at('y.nngraph.json'));
    assert.equal(r.code, 1);
    assert.match(r.err, /sub is a folder, not a file/);
    assertUserFacing(r.out + r.err, ws);
  });

  test('analyze: a graph that does not exist', async () => {
    const r = await cli('analyze', at('nope.nngraph.json'));
    assert.match(r.err, /nope\.nngraph\.json does not exist/);
    assertUserFacing(r.out + r.err, ws);
  });

  test('reference: a file that does not exist', async () => {
    const r = await cli('reference', at('nope.json'));
    assert.match(r.err, /nope\.json does not exist/);
    assertUserFacing(r.out + r.err, ws);
  });

  // ---- the editor's run (engine worker) and its host ------------------------------------------------

  /** A RunSession as the worker builds it, reading files the worker's way. */
  function session(): { session: RunSession; events: FromWorker[]; queue: (() => void)[] } {
    const events: FromWorker[] = [];
    const queue: (() => void)[] = [];
    const s = new RunSession({
      emit: (e) => events.push(e),
      defer: (fn) => queue.push(fn),
      clock: { now: () => 0, schedule: () => () => undefined },
      readText: (path, baseDir) => readBesideGraph(baseDir, path),
    });
    return { session: s, events, queue };
  }
  const lastError = (events: FromWorker[]): RunStatus['error'] =>
    events.filter((e) => e.type === 'runStatus').at(-1)?.status.error;

  for (const [name, file, want] of [
    ['a missing dataset file', 'missing-data.nngraph.json', /The dataset file 'data\.csv' .* does not exist/],
    ['no dataset known', 'no-data.nngraph.json', /No dataset is known for this network/],
    ['a malformed dataset file', 'bad-data.nngraph.json', /bad\.csv.*line 3/],
  ] as const)
    test(`run panel: Play with ${name}`, () => {
      const { session: s, events } = session();
      const doc = parseGraph(readFileSync(at(file), 'utf8')).doc as GraphDoc;
      s.receive({ type: 'document', doc, version: 1, baseDir: ws });
      s.receive({ type: 'run', action: 'play' });
      const error = lastError(events);
      assert.ok(error, 'the run failed and says why');
      assert.match(error.message, want);
      assertUserFacing(error.message, ws);
    });

  test('run panel: a dataset named relative to a graph that is not saved', () => {
    const { session: s, events } = session();
    const doc = parseGraph(readFileSync(at('missing-data.nngraph.json'), 'utf8')).doc as GraphDoc;
    s.receive({ type: 'document', doc, version: 1, baseDir: null });
    s.receive({ type: 'run', action: 'play' });
    const error = lastError(events)!;
    assert.match(
      error.message,
      /'data\.csv' is relative and this graph is not saved in a folder: save it first/,
    );
    assertUserFacing(error.message, ws);
  });

  test('run panel: the engine thread crashes with an error from inside the extension', () => {
    const handlers: { error?: (e: Error) => void; exit?: (c: number) => void } = {};
    const posted: RunStatus[] = [];
    const worker: EngineWorker = {
      postMessage: () => undefined,
      onMessage: () => undefined,
      onError: (fn) => (handlers.error = fn),
      onExit: (fn) => (handlers.exit = fn),
      terminate: () => undefined,
    };
    const controller = new RunController({
      spawn: () => worker,
      post: (e) => void (e.type === 'runStatus' && posted.push(e.status)),
    });
    const file = join(repo, 'dist', 'wasm', 'gemm.wasm');
    const crash = Object.assign(new Error(`ENOENT: no such file or directory, open '${file}'`), {
      code: 'ENOENT',
      path: file,
    });
    crash.stack = `${crash.message}\n    at readFileSync (node:fs:441:20)\n    at Object.<anonymous> (${join(repo, 'dist', 'worker.js')}:1:2)`;
    handlers.error!(crash);
    const message = posted.at(-1)!.error!.message;
    assert.match(message, /The training engine stopped unexpectedly \(gemm\.wasm does not exist/);
    assertUserFacing(message, ws);
    controller.dispose();
  });

  // ---- the editor's file commands (export, import, load/save weights: vscode's FileSystemError) ----

  test("editor commands: VS Code's FileSystemError in words", () => {
    const fsError = Object.assign(
      new Error(`EntryNotFound (FileSystemError): ${join(ws, 'm.weights.json')}`),
      {
        code: 'FileNotFound',
      },
    );
    const text = `Load weights: m.weights.json can't be used: ${userMessage(fsError, 'm.weights.json')}`;
    assert.equal(
      text,
      "Load weights: m.weights.json can't be used: m.weights.json does not exist. Check the name and the folder.",
    );
    const write = `Export as ONNX: ${fileErrorText(Object.assign(new Error('x'), { code: 'NoPermissions' }), 'm.onnx', 'write')}`;
    assert.equal(
      write,
      "Export as ONNX: Could not write m.onnx: it is not accessible (permission denied). Check the file's permissions.",
    );
    assertUserFacing(text + write, ws);
  });

  test('an unexpected error (a bug) is one line without stack or machinery paths', () => {
    const bug = new TypeError(
      `Cannot read properties of undefined (reading 'shape') at ${join(repo, 'engine', 'x.ts')}`,
    );
    const text = userMessage(bug);
    assert.match(text, /^Cannot read properties of undefined \(reading 'shape'\) at x\.ts$/);
    assertUserFacing(text, ws);
  });
});
