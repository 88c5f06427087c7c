/**
 * How a graph first appears, in headless Chromium at the VS Code e2e's canvas size: the spiral
 * example opens readable (not shrunk to fit) with its input on screen, and a webview that starts
 * hidden (0×0, as a restored background tab does) still shows the graph once it is visible.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseGraph } from '../../../engine/graph/parse.js';
import type { GraphDoc } from '../../../engine/graph/document.js';
import type { WebviewToHost } from '../../../extension/protocol.js';
import { READABLE_ZOOM } from '../../../webview/editor/opening-view.js';
import { buildWebview, Harness, documentState } from '../harness.js';

const root = resolve(__dirname, '..', '..', '..');
const spiral = parseGraph(readFileSync(join(root, 'examples', 'spiral.nngraph.json'), 'utf8')).doc!;
/** The webview's size in the e2e's 1400×900 workbench with the explorer open. */
const WEBVIEW = { width: 1030, height: 760 };

async function open(bundle: string, hidden: boolean, doc: GraphDoc = spiral): Promise<Harness> {
  const h = await Harness.start(bundle, WEBVIEW);
  h.page.setDefaultTimeout(20_000);
  if (hidden) await h.page.evaluate(() => (document.body.style.display = 'none'));
  await h.waitForPosted((m): m is WebviewToHost => m.type === 'ready');
  await h.send({ type: 'init', fileName: 'spiral.nngraph.json', version: 1, ...documentState(doc) });
  return h;
}

type Box = { x: number; y: number; width: number; height: number };
const overlap = (a: Box, b: Box) =>
  a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

async function zoomOf(h: Harness): Promise<number> {
  return h.page
    .locator('.react-flow__viewport')
    .evaluate((el) => new DOMMatrixReadOnly(getComputedStyle(el).transform).a);
}

/** Whether the node's box lies inside the canvas pane's box. */
async function onScreen(h: Harness, id: string): Promise<boolean> {
  const pane = (await h.page.locator('.react-flow__pane').boundingBox())!;
  const node = (await h.page.locator(`.op-node[data-node-id="${id}"]`).boundingBox())!;
  return (
    node.x >= pane.x &&
    node.y >= pane.y &&
    node.x + node.width <= pane.x + pane.width &&
    node.y + node.height <= pane.y + pane.height
  );
}

describe('the opening view', { timeout: 120_000 }, () => {
  let bundle: string;
  const pages: Harness[] = [];

  before(() => {
    mkdirSync(join(root, '.e2e'), { recursive: true });
    bundle = mkdtempSync(join(root, '.e2e', 'webview-'));
    buildWebview(bundle);
  });
  after(async () => {
    for (const h of pages) await h.close();
  });

  it('shows the spiral at a readable zoom with its input on screen', async () => {
    const h = await open(bundle, false);
    pages.push(h);
    await h.page.locator('.op-node').first().waitFor();
    await h.page.waitForFunction(() => document.querySelector('.react-flow__viewport') !== null);
    await h.page.waitForTimeout(200);
    assert.ok((await zoomOf(h)) >= READABLE_ZOOM, `zoom ${await zoomOf(h)}`);
    assert.ok(await onScreen(h, 'x'), 'the input node is in view');
    const fontPx = await h.page
      .locator('.op-node[data-node-id="h1"] .op-name')
      .evaluate((el) => el.getBoundingClientRect().height);
    assert.ok(fontPx >= 11, `the op name is ${fontPx.toFixed(1)} px tall on screen`);
  });

  it('draws the graph in view when a webview that opened hidden is shown', async () => {
    const h = await open(bundle, true);
    pages.push(h);
    await h.page.locator('.op-node').first().waitFor({ state: 'attached' });
    await h.page.waitForTimeout(300);
    await h.page.evaluate(() => (document.body.style.display = ''));
    await h.page.locator('.op-node').first().waitFor();
    await h.page.waitForTimeout(300);
    assert.ok((await zoomOf(h)) >= READABLE_ZOOM, `zoom ${await zoomOf(h)}`);
    assert.ok(await onScreen(h, 'x'), 'the input node is in view');
  });

  it('lays out a document whose nodes all sit at one point, for the view only; the first drag writes it', async () => {
    const piled: GraphDoc = {
      ...spiral,
      nodes: spiral.nodes.map((n) => ({ ...n, position: { x: 0, y: 0 } })),
    };
    const h = await open(bundle, false, piled);
    pages.push(h);
    await h.page.locator('.op-node').first().waitFor();
    await h.page.waitForTimeout(500);
    const pane = (await h.page.locator('.react-flow__pane').boundingBox())!;
    const boxes: (Box & { id: string })[] = [];
    for (const n of piled.nodes) {
      const b = (await h.page.locator(`.op-node[data-node-id="${n.id}"]`).boundingBox())!;
      boxes.push({ id: n.id, ...b });
      assert.ok(
        b.x >= pane.x &&
          b.y >= pane.y &&
          b.x + b.width <= pane.x + pane.width &&
          b.y + b.height <= pane.y + pane.height,
        `${n.id} in view`,
      );
    }
    for (let i = 0; i < boxes.length; i++)
      for (let j = i + 1; j < boxes.length; j++)
        assert.ok(!overlap(boxes[i]!, boxes[j]!), `${boxes[i]!.id} and ${boxes[j]!.id} overlap`);
    assert.ok((await zoomOf(h)) >= READABLE_ZOOM, `zoom ${await zoomOf(h)}`);
    assert.deepEqual(
      (await h.posted()).filter((m) => m.type === 'edit'),
      [],
      'opening changes nothing in the file',
    );
    // The user's first gesture (a drag) writes every node's position: the view they saw, one edit.
    const node = h.page.locator('.op-node[data-node-id="h1"]');
    const b = (await node.boundingBox())!;
    await h.page.mouse.move(b.x + 30, b.y + 10);
    await h.page.mouse.down();
    await h.page.mouse.move(b.x + 60, b.y + 30, { steps: 8 });
    await h.page.mouse.up();
    const edit = await h.waitForPosted(
      (m): m is Extract<WebviewToHost, { type: 'edit' }> => m.type === 'edit',
    );
    assert.equal(edit.edit.kind, 'moveNodes');
    const moves = edit.edit.kind === 'moveNodes' ? edit.edit.moves : [];
    assert.deepEqual(moves.map((m) => m.id).sort(), piled.nodes.map((n) => n.id).sort());
    assert.equal(new Set(moves.map((m) => `${m.position.x},${m.position.y}`)).size, piled.nodes.length);
    assert.equal((await h.posted()).filter((m) => m.type === 'edit').length, 1, 'one edit');
  });
});
