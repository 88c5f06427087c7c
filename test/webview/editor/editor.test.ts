/**
 * The graph editor webview driven as a person would, in headless Chromium (harness.ts): drag an op
 * from the palette, connect two nodes, a refused connection, edit an attribute, undo (the host's
 * job: a docChanged with the earlier document re-renders), delete, search-and-add, a broken file.
 * Asserts what is on screen and the messages the webview sent.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { GraphDoc } from '../../../engine/graph/document.js';
import { applyEdit, type GraphEdit } from '../../../engine/graph/edits.js';
import { checkGraph } from '../../../engine/graph/check.js';
import type { WebviewToHost } from '../../../extension/protocol.js';
import { buildWebview, Harness, documentState } from '../harness.js';

type EditMsg = Extract<WebviewToHost, { type: 'edit' }>;
const isEdit =
  <K extends GraphEdit['kind']>(kind: K) =>
  (m: WebviewToHost): m is EditMsg & { edit: Extract<GraphEdit, { kind: K }> } =>
    m.type === 'edit' && m.edit.kind === kind;

function startDoc(): GraphDoc {
  return {
    format: 'backprop-studio.graph',
    version: 1,
    nodes: [
      { id: 'x', op: 'input', attrs: { features: 2 }, position: { x: 0, y: 0 } },
      { id: 'h', op: 'tanh', attrs: {}, position: { x: 250, y: 0 } },
      { id: 'wide', op: 'tanh', attrs: {}, position: { x: 250, y: 150 } },
      { id: 'z', op: 'input', attrs: { features: 3 }, position: { x: 0, y: 150 } },
      { id: 'sum', op: 'add', attrs: {}, position: { x: 500, y: 50 } },
    ],
    edges: [
      { from: 'x', to: 'h' },
      { from: 'z', to: 'wide' },
      { from: 'h', to: 'sum', toPort: 'a' },
    ],
    training: {
      dataset: { kind: 'spiral', classes: 3 },
      optimizer: { kind: 'adam', lr: 0.01 },
      batchSize: 32,
      epochs: 1,
    },
  };
}

describe('graph editor webview in headless Chromium', { timeout: 180_000 }, () => {
  let h: Harness;
  let doc = startDoc();
  let version = 1;
  const history: GraphDoc[] = [];

  /** Plays the host: applies the webview's edit and answers with docChanged. */
  async function hostApplies(msg: EditMsg): Promise<void> {
    const r = applyEdit(doc, msg.edit);
    assert.ok(r.ok, r.ok ? '' : r.error);
    history.push(doc);
    doc = r.doc;
    await h.send({ type: 'docChanged', version: ++version, ...documentState(doc) });
    await h.clearPosted();
  }

  before(async () => {
    const e2eDir = resolve(__dirname, '..', '..', '..', '.e2e');
    mkdirSync(e2eDir, { recursive: true });
    const out = mkdtempSync(join(e2eDir, 'webview-'));
    buildWebview(out);
    h = await Harness.start(out);
    h.page.setDefaultTimeout(30_000);
    await h.waitForPosted((m): m is WebviewToHost => m.type === 'ready');
    await h.send({ type: 'init', fileName: 'test.nngraph.json', version, ...documentState(doc) });
    await h.page.locator('.op-node').first().waitFor();
    await h.clearPosted();
  });

  after(async () => {
    await h?.close();
  });

  it('draws every node and labels every edge with its shape', async () => {
    assert.equal(await h.page.locator('.op-node').count(), 5);
    const labels = (await h.page.locator('.react-flow__edge-text').allTextContents()).sort();
    assert.deepEqual(labels, ['N×2', 'N×2', 'N×3']);
    assert.match(await h.page.locator('.palette').innerText(), /DATA[\s\S]*input[\s\S]*MATH[\s\S]*add/i);
  });

  it('adds the op dragged from the palette where it is dropped', async () => {
    const pane = h.page.locator('.react-flow__pane');
    const box = (await pane.boundingBox())!;
    await h.page
      .locator('.palette-op[data-op="tanh"]')
      .dragTo(pane, { targetPosition: { x: box.width / 2 - 150, y: box.height - 140 } });
    const msg = await h.waitForPosted(isEdit('addNode'));
    assert.equal(msg.edit.op, 'tanh');
    assert.equal(msg.edit.id, 'tanh');
    await hostApplies(msg);
    await h.page.locator('.op-node[data-node-id="tanh"]').waitFor();
  });

  it('adds a preset from the palette as its op with the preset attributes (relu6 is a clip)', async () => {
    await h.page.getByTestId('palette-search').locator('input').fill('relu6');
    await h.page.locator('.palette-op[data-op="relu6"]').click();
    const msg = await h.waitForPosted(isEdit('addNode'));
    assert.equal(msg.edit.op, 'clip');
    assert.deepEqual(msg.edit.attrs, { min: 0, max: 6 });
    await h.page.getByTestId('palette-search').locator('input').fill('');
    await h.clearPosted();
  });

  it('connects two nodes and shows the new shape', async () => {
    await h.page
      .locator('.op-node[data-node-id="x"] .react-flow__handle-right')
      .dragTo(h.page.locator('.op-node[data-node-id="tanh"] .react-flow__handle-left'));
    const msg = await h.waitForPosted(isEdit('connect'));
    assert.deepEqual(msg.edit.edge, { from: 'x', to: 'tanh' });
    await hostApplies(msg);
    await h.page
      .locator('.op-node[data-node-id="tanh"] [data-testid="node-shape"]', { hasText: 'N×2' })
      .waitFor();
  });

  it('refuses a connection whose shapes cannot work, and says why', async () => {
    await h.page
      .locator('.op-node[data-node-id="wide"] .react-flow__handle-right')
      .dragTo(h.page.locator('.op-node[data-node-id="sum"] .react-flow__handle-left[data-handleid="b"]'));
    await h.page.getByTestId('notice').waitFor();
    assert.match(await h.page.getByTestId('notice').innerText(), /Not connected: .*(broadcast|shape|N×3|2)/i);
    assert.deepEqual(await h.posted(), [], 'nothing was sent to the host');
  });

  it('edits an attribute in the inspector, checking it as typed', async () => {
    await h.page.locator('.op-node[data-node-id="x"]').click();
    const field = h.page.getByTestId('attr-features').locator('input');
    await field.fill('two');
    await h.page.getByText('input.features must be an integer, got "two"').waitFor();
    await field.fill('4');
    await field.press('Enter');
    const msg = await h.waitForPosted(isEdit('setAttr'));
    assert.deepEqual(msg.edit, { kind: 'setAttr', node: 'x', attr: 'features', value: 4 });
    await hostApplies(msg);
    await h.page
      .locator('.op-node[data-node-id="tanh"] [data-testid="node-shape"]', { hasText: 'N×4' })
      .waitFor();
  });

  it('re-renders what the host sends back on undo (the undo stack is VS Code’s)', async () => {
    // Undo the attribute edit and the connection: the host sends the earlier documents.
    history.pop();
    doc = history.pop()!;
    await h.send({ type: 'docChanged', version: ++version, ...documentState(doc) });
    // React Flow re-mounts edges when the document changes: wait for the settled state, not the first
    // matching frame (the old edges still satisfy a plain nth(2) wait).
    await h.page.waitForFunction(() => document.querySelectorAll('.react-flow__edge').length === 3);
    await h.page.locator('.op-node[data-node-id="x"]', { hasText: /features 2/ }).waitFor();
    assert.equal(await h.page.locator('.react-flow__edge').count(), 3);
    assert.match(await h.page.locator('.op-node[data-node-id="x"]').innerText(), /features 2/);
    assert.deepEqual(await h.posted(), [], 'undo sent nothing: the webview keeps no undo stack');
  });

  it('deletes the selection with the Delete key as one edit', async () => {
    await h.page.locator('.op-node[data-node-id="tanh"]').click();
    await h.page.keyboard.press('Delete');
    const msg = await h.waitForPosted(isEdit('delete'));
    assert.deepEqual(msg.edit, { kind: 'delete', nodes: ['tanh'], edges: [] });
    await hostApplies(msg);
    await h.page.locator('.op-node[data-node-id="tanh"]').waitFor({ state: 'detached' });
  });

  it('adds an op by double-clicking the canvas and searching', async () => {
    const pane = h.page.locator('.react-flow__pane');
    const box = (await pane.boundingBox())!;
    await pane.dblclick({ position: { x: box.width / 2 + 60, y: 40 } });
    await h.page.getByTestId('quick-add').locator('input').fill('mul');
    await h.page.keyboard.press('Enter');
    const msg = await h.waitForPosted(isEdit('addNode'));
    assert.equal(msg.edit.op, 'mul');
    await hostApplies(msg);
  });

  /** Dispatches a copy or paste on the page (as Ctrl+C / Ctrl+V would) and returns what the clipboard then holds. */
  async function clipboard(type: 'copy' | 'paste', text = ''): Promise<{ text: string; taken: boolean }> {
    return h.page.evaluate(
      ([type, text]) => {
        const data = new DataTransfer();
        if (text) data.setData('text/plain', text);
        const e = new ClipboardEvent(type, { clipboardData: data, bubbles: true, cancelable: true });
        document.body.dispatchEvent(e);
        return { text: data.getData('text/plain'), taken: e.defaultPrevented };
      },
      [type, text] as const,
    );
  }

  it('copies the selected node as text and pastes it as one edit, offset; other text is not pasted', async () => {
    await h.page.locator('.op-node[data-node-id="z"]').click();
    const copied = await clipboard('copy');
    assert.ok(copied.taken, 'the copy is the editor’s');
    const payload = JSON.parse(copied.text) as { format: string; nodes: { id: string }[]; edges: unknown[] };
    assert.equal(payload.format, 'backprop-studio.nodes');
    assert.deepEqual(
      payload.nodes.map((n) => n.id),
      ['z'],
    );
    assert.deepEqual(payload.edges, [], 'only the wires between copied nodes');
    assert.ok(!(await clipboard('paste', 'not a graph')).taken, 'other text is left alone');
    assert.ok((await clipboard('paste', copied.text)).taken);
    const msg = await h.waitForPosted(isEdit('paste'));
    assert.deepEqual(msg.edit.offset, { x: 40, y: 40 });
    assert.deepEqual(
      msg.edit.nodes.map((n) => n.id),
      ['z'],
    );
    const before = doc.nodes.length;
    await hostApplies(msg);
    await h.page.waitForFunction((n) => document.querySelectorAll('.op-node').length === n, before + 1);
  });

  it('opens quick add with A and lays the graph out with Shift+L, as one edit', async () => {
    await h.page.locator('.react-flow__pane').click({ position: { x: 5, y: 5 } });
    await h.page.keyboard.press('a');
    await h.page.getByTestId('quick-add').waitFor();
    await h.page.keyboard.press('Escape');
    await h.page.getByTestId('quick-add').waitFor({ state: 'detached' });
    await h.page.keyboard.press('Shift+L');
    const msg = await h.waitForPosted(isEdit('moveNodes'));
    assert.deepEqual(msg.edit.moves.map((m) => m.id).sort(), doc.nodes.map((n) => n.id).sort(), 'every node');
    await hostApplies(msg);
  });

  it('marks the attribute the checker refuses on its field (groups that do not divide the channels)', async () => {
    const bad: GraphDoc = {
      ...startDoc(),
      nodes: [
        { id: 'img', op: 'input', attrs: { shape: [3, 6, 6] }, position: { x: 0, y: 0 } },
        {
          id: 'conv',
          op: 'conv2d',
          attrs: { outChannels: 4, kernel: 3, groups: 2 },
          position: { x: 250, y: 0 },
        },
      ],
      edges: [{ from: 'img', to: 'conv' }],
    };
    const { diagnostics } = checkGraph(bad);
    assert.ok(diagnostics.some((d) => d.node === 'conv' && d.attr === 'groups'));
    await h.send({ type: 'docChanged', version: ++version, ...documentState(bad, diagnostics) });
    await h.page.locator('.op-node[data-node-id="conv"]').click();
    const field = h.page.getByTestId('attr-groups');
    await h.page
      .locator('.control', { has: field })
      .locator('.control-error', {
        hasText: /groups 2 does not divide the 3 input channels of x \[N, 3, 6, 6\]/,
      })
      .waitFor();
    assert.equal(await field.getAttribute('aria-invalid'), 'true');
  });

  it('shows why a broken file is not a graph, with a way to the text', async () => {
    await h.send({
      type: 'docChanged',
      doc: null,
      shapes: [],
      diagnostics: [
        { severity: 'error', code: 'json-syntax', message: 'The file is not valid JSON at line 3.', line: 3 },
      ],
      version: ++version,
    });
    await h.page.getByTestId('broken').getByText('not valid JSON').waitFor();
    await h.page.getByTestId('open-as-text').click();
    await h.waitForPosted((m): m is WebviewToHost => m.type === 'openAsText');
    assert.deepEqual(h.errors, [], 'no errors in the page console');
  });
});
