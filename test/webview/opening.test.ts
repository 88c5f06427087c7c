/**
 * How a graph first appears, in headless Chromium at the VS Code e2e's canvas size: the spiral
 * example opens readable (not shrunk to fit) with its input on screen, and a webview that starts
 * hidden (0×0, as a restored background tab does) still shows the graph once it is visible.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseGraph } from '../../engine/graph/parse.js';
import type { WebviewToHost } from '../../extension/protocol.js';
import { READABLE_ZOOM } from '../../webview/opening-view.js';
import { buildWebview, Harness } from './harness.js';

const root = resolve(__dirname, '..', '..');
const spiral = parseGraph(readFileSync(join(root, 'examples', 'spiral.nngraph.json'), 'utf8')).doc!;
/** The webview's size in the e2e's 1400×900 workbench with the explorer open. */
const WEBVIEW = { width: 1030, height: 760 };

async function open(bundle: string, hidden: boolean): Promise<Harness> {
  const h = await Harness.start(bundle, WEBVIEW);
  h.page.setDefaultTimeout(20_000);
  if (hidden) await h.page.evaluate(() => (document.body.style.display = 'none'));
  await h.waitForPosted((m): m is WebviewToHost => m.type === 'ready');
  await h.send({ type: 'init', fileName: 'spiral.nngraph.json', doc: spiral, diagnostics: [], version: 1 });
  return h;
}

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
});
