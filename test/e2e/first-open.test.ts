/**
 * The first view of every example (every file in examples/, so new ones are covered as they come),
 * as a new user sees it in the real VS Code workbench (code-server) at 1400×900 with the Explorer
 * open: all nodes inside the canvas and clear of its overlays (minimap, zoom controls), none
 * overlapping another, and readable (a graph of at most 20 nodes at zoom 0.7 or more). Also two
 * hand-written documents whose nodes have no positions, or all the same one: they open laid out,
 * and the file stays as it was (the layout is the view's, until the user edits or chooses
 * Auto-layout). A screenshot of each lands in .e2e/screenshots/first-open-<name>.png.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FrameLocator, Page } from 'playwright-core';
import { parseGraph } from '../../engine/graph/parse.js';
import { WIRE_REACH } from '../../webview/edge-route.js';
import { OPENING_PADDING, OVERLAY_STRIP } from '../../webview/editor/opening-view.js';
import { e2eDir, repoRoot } from './code-server.js';
import { openFromExplorer, openGraph, openWorkbench, type Workbench } from './workbench-actions.js';

const screenshots = join(e2eDir, 'screenshots');
const SETTINGS = { 'workbench.colorTheme': 'Default Dark Modern', 'files.autoSave': 'off' };
/** The bar for legible text: a graph of up to this many nodes opens at MIN_ZOOM or more. */
const SMALL_GRAPH = 20;
const MIN_ZOOM = 0.7;

const exampleDir = join(repoRoot, 'examples');
const examples = readdirSync(exampleDir)
  .filter((f) => f.endsWith('.nngraph.json'))
  .sort();

/** A spiral whose nodes all sit at one point (a generated file), and one with no positions at all. */
function unplaced(): Record<string, string> {
  const spiral = JSON.parse(readFileSync(join(exampleDir, 'spiral.nngraph.json'), 'utf8')) as {
    nodes: { position?: unknown }[];
  };
  const piled = structuredClone(spiral);
  for (const n of piled.nodes) n.position = { x: 40, y: 40 };
  const bare = structuredClone(spiral);
  for (const n of bare.nodes) delete n.position;
  return {
    'piled.nngraph.json': `${JSON.stringify(piled, null, 2)}\n`,
    'unplaced.nngraph.json': `${JSON.stringify(bare, null, 2)}\n`,
  };
}

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}
const inside = (a: Box, b: Box) =>
  a.x >= b.x - 0.5 &&
  a.y >= b.y - 0.5 &&
  a.x + a.width <= b.x + b.width + 0.5 &&
  a.y + a.height <= b.y + b.height + 0.5;
const union = (all: Box[]): Box => {
  const x = Math.min(...all.map((b) => b.x));
  const y = Math.min(...all.map((b) => b.y));
  return {
    x,
    y,
    width: Math.max(...all.map((b) => b.x + b.width)) - x,
    height: Math.max(...all.map((b) => b.y + b.height)) - y,
  };
};
const overlap = (a: Box, b: Box) =>
  a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

describe('every example at first open in the VS Code workbench (code-server)', { timeout: 900_000 }, () => {
  let wb: Workbench | undefined;
  let page: Page;
  const files: Record<string, string> = { ...unplaced() };
  for (const f of readdirSync(exampleDir)) files[f] = readFileSync(join(exampleDir, f), 'utf8');

  before(async () => {
    wb = await openWorkbench(SETTINGS, files);
    page = wb.page;
    mkdirSync(screenshots, { recursive: true });
  });
  after(async () => wb?.close());

  it('the Explorer is open beside the editor, as the issue measured', async () => {
    await page.locator('.explorer-viewlet, #workbench\\.view\\.explorer').first().waitFor();
  });

  for (const name of [...examples, 'piled.nngraph.json', 'unplaced.nngraph.json']) {
    it(`${name}: every node visible, none overlapping, readable`, async () => {
      const stem = name.replace(/\.nngraph\.json$/, '');
      try {
        // As a person does with the Explorer open: click the file there.
        const view = await openGraph(page, name, openFromExplorer);
        const doc = parseGraph(files[name]!).doc!;
        await settle(view);
        await page.screenshot({ path: join(screenshots, `first-open-${stem}.png`) });
        const nodes = view.locator('.op-node');
        assert.equal(await nodes.count(), doc.nodes.length);
        const canvas = (await view.locator('[data-testid="canvas"]').boundingBox())!;
        const overlays: { what: string; box: Box }[] = [];
        for (const what of ['.react-flow__minimap', '.react-flow__controls', '.overlay-legend']) {
          const el = view.locator(what);
          if ((await el.count()) > 0) overlays.push({ what, box: (await el.first().boundingBox())! });
        }
        const boxes: { id: string; box: Box }[] = [];
        for (let i = 0; i < doc.nodes.length; i++) {
          const el = nodes.nth(i);
          boxes.push({ id: (await el.getAttribute('data-node-id'))!, box: (await el.boundingBox())! });
        }
        const problems: string[] = [];
        for (const { id, box } of boxes) {
          if (!inside(box, canvas)) problems.push(`'${id}' is not inside the canvas`);
          for (const o of overlays) if (overlap(box, o.box)) problems.push(`'${id}' is under ${o.what}`);
        }
        for (let i = 0; i < boxes.length; i++)
          for (let j = i + 1; j < boxes.length; j++)
            if (overlap(boxes[i]!.box, boxes[j]!.box))
              problems.push(`'${boxes[i]!.id}' and '${boxes[j]!.id}' overlap`);
        // Wires: none runs behind a node other than its own two (a skip connection goes around).
        problems.push(...(await wiresBehindNodes(view)));
        const zoom = await zoomOf(view);
        // And, when the graph with its wires' room fits the canvas at the opening zoom, no wire
        // starts out cut off at the canvas's edge (a skip wire turning past the last node). A graph
        // held to the readable zoom that is wider than the canvas opens from its top-left instead.
        const nodesBox = union(boxes.map((b) => b.box));
        const fits =
          nodesBox.width + 2 * WIRE_REACH.x * zoom <= canvas.width - 2 * OPENING_PADDING &&
          nodesBox.height + 2 * WIRE_REACH.y * zoom <= canvas.height - OVERLAY_STRIP - 2 * OPENING_PADDING;
        if (fits) problems.push(...(await wiresOutsideCanvas(view)));
        if (doc.nodes.length <= SMALL_GRAPH && zoom < MIN_ZOOM)
          problems.push(`zoom ${zoom.toFixed(2)} < ${MIN_ZOOM} for ${doc.nodes.length} nodes`);
        assert.deepEqual(problems, [], `${name} (canvas ${canvas.width}×${canvas.height}, zoom ${zoom})`);
        // Opening changes nothing: the editor is not dirty (the layout is the view's).
        assert.equal(await page.locator('.tab.active.dirty').count(), 0, 'the file is not dirty');
      } catch (e) {
        await page.screenshot({ path: join(screenshots, `failed-first-open-${stem}.png`) }).catch(() => {});
        throw e;
      } finally {
        await page.keyboard.press('Control+W');
        await page
          .locator('.tab.active')
          .waitFor({ state: 'detached', timeout: 10_000 })
          .catch(() => {});
      }
    });
  }
});

async function zoomOf(view: FrameLocator): Promise<number> {
  return view
    .locator('.react-flow__viewport')
    .evaluate((el) => new DOMMatrixReadOnly(getComputedStyle(el).transform).a);
}

/** The opening viewport is set once the nodes are measured: wait until it stops changing. */
async function settle(view: FrameLocator): Promise<void> {
  let last = '';
  for (let i = 0; i < 60; i++) {
    const t = await view.locator('.react-flow__viewport').evaluate((el) => getComputedStyle(el).transform);
    if (t === last && t !== 'none') return;
    last = t;
    await new Promise((r) => setTimeout(r, 150));
  }
}

/**
 * In the page: each wire's path sampled every 4 px, and each sample inside a node that is not one
 * of the wire's ends (shrunk by 2 px: a wire touches its handles). A string, not a function: tsx
 * would wrap named inner functions with a helper the page doesn't have.
 */
const WIRES_BEHIND_NODES = `(() => {
  const nodes = [...document.querySelectorAll('.react-flow__node')].map((el) => ({
    id: el.getAttribute('data-id'),
    r: el.getBoundingClientRect(),
  }));
  const found = [];
  for (const edge of document.querySelectorAll('.react-flow__edge')) {
    const m = /^Edge from (.+) to (.+)$/.exec(edge.getAttribute('aria-label') || '');
    const path = edge.querySelector('path.react-flow__edge-path');
    if (!m || !path) continue;
    const ctm = path.getScreenCTM();
    const length = path.getTotalLength();
    for (let at = 0; at <= length; at += 4) {
      const p = new DOMPoint(path.getPointAtLength(at).x, path.getPointAtLength(at).y).matrixTransform(ctm);
      const hit = nodes.find(
        (n) => n.id !== m[1] && n.id !== m[2] &&
          p.x > n.r.left + 2 && p.x < n.r.right - 2 && p.y > n.r.top + 2 && p.y < n.r.bottom - 2,
      );
      if (hit) {
        found.push('the wire ' + m[1] + ' → ' + m[2] + ' runs behind ' + hit.id);
        break;
      }
    }
  }
  return found;
})()`;

/** In the page: each wire whose drawn path sticks out of the canvas by more than a pixel. */
const WIRES_OUTSIDE_CANVAS = `(() => {
  const canvas = document.querySelector('[data-testid="canvas"]').getBoundingClientRect();
  const found = [];
  for (const edge of document.querySelectorAll('.react-flow__edge')) {
    const path = edge.querySelector('path.react-flow__edge-path');
    if (!path) continue;
    const r = path.getBoundingClientRect();
    if (r.left < canvas.left - 1 || r.top < canvas.top - 1 || r.right > canvas.right + 1 || r.bottom > canvas.bottom + 1)
      found.push('the wire ' + (edge.getAttribute('aria-label') || '?') + ' sticks out of the canvas');
  }
  return found;
})()`;

async function wiresOutsideCanvas(view: FrameLocator): Promise<string[]> {
  return view.locator('body').evaluate((_el, code) => (0, eval)(code) as string[], WIRES_OUTSIDE_CANVAS);
}

async function wiresBehindNodes(view: FrameLocator): Promise<string[]> {
  return view.locator('body').evaluate((_el, code) => (0, eval)(code) as string[], WIRES_BEHIND_NODES);
}
