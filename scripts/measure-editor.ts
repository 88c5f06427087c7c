/**
 * How the graph editor webview behaves on a big graph, measured in headless Chromium with the
 * same harness as the webview tests: time from the host's `init` to every node drawn, and frame
 * times (requestAnimationFrame intervals) while panning the canvas (at the opening view, and with
 * the whole graph fitted in view) and while dragging a node.
 *
 *   npx tsx scripts/measure-editor.ts [nodes=500]
 *
 * Headless Chromium renders in software (no GPU), so these are upper bounds for a desktop VS Code.
 */
import { mkdtempSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { GraphDoc, GraphEdge, GraphNode } from '../engine/graph/document.js';
import type { WebviewToHost } from '../extension/protocol.js';
import { buildWebview, Harness, documentState } from '../test/webview/harness.js';

const count = Number(process.argv[2] ?? 500);

/** A wide, layered graph: an input, then layers of tanh/add nodes, each fed by the layer before. */
function bigGraph(n: number): GraphDoc {
  const perLayer = 10;
  const nodes: GraphNode[] = [{ id: 'x', op: 'input', attrs: { features: 8 }, position: { x: 0, y: 0 } }];
  const edges: GraphEdge[] = [];
  for (let i = 1; i < n; i++) {
    const layer = Math.floor((i - 1) / perLayer);
    const row = (i - 1) % perLayer;
    const isAdd = layer % 2 === 1;
    const id = `n${i}`;
    nodes.push({
      id,
      op: isAdd ? 'add' : 'tanh',
      attrs: {},
      position: { x: 220 * (layer + 1), y: 110 * row },
    });
    const prev = (k: number) => (layer === 0 ? 'x' : `n${(layer - 1) * perLayer + 1 + (k % perLayer)}`);
    if (isAdd) {
      edges.push({ from: prev(row), to: id, toPort: 'a' }, { from: prev(row + 1), to: id, toPort: 'b' });
    } else edges.push({ from: prev(row), to: id });
  }
  return {
    format: 'backprop-studio.graph',
    version: 1,
    nodes,
    edges,
    training: {
      dataset: { kind: 'spiral' },
      optimizer: { kind: 'adam', lr: 0.01 },
      batchSize: 32,
      epochs: 1,
    },
  };
}

function stats(xs: number[]): string {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))]!.toFixed(1);
  return `median ${at(0.5)} ms, p95 ${at(0.95)} ms, max ${at(1)} ms over ${s.length} frames`;
}

async function frameTimes(h: Harness, gesture: () => Promise<void>): Promise<number[]> {
  // A string, not a function: tsx would wrap a named inner function with a helper the page lacks.
  await h.page.evaluate(`(() => {
    window.__frames = [];
    window.__stop = false;
    let last = performance.now();
    const tick = (t) => {
      window.__frames.push(t - last);
      last = t;
      if (!window.__stop) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  })()`);
  await gesture();
  return h.page.evaluate(() => {
    const w = window as unknown as { __frames: number[]; __stop: boolean };
    w.__stop = true;
    return w.__frames.slice(1);
  });
}

async function zoom(h: Harness): Promise<number> {
  return h.page
    .locator('.react-flow__viewport')
    .evaluate((el) => new DOMMatrixReadOnly(getComputedStyle(el).transform).a);
}

async function main(): Promise<void> {
  const out = mkdtempSync(join(resolve(__dirname, '..', '.e2e'), 'measure-'));
  buildWebview(out, true);
  const h = await Harness.start(out, { width: 1400, height: 900 });
  try {
    await h.waitForPosted((m): m is { type: 'ready' } => m.type === 'ready');
    const doc = bigGraph(count);
    const t0 = Date.now();
    await h.send({ type: 'init', fileName: 'big.nngraph.json', version: 1, ...documentState(doc) });
    await h.page.waitForFunction(
      (n) => document.querySelectorAll('.op-node').length === n,
      doc.nodes.length,
      {
        timeout: 120_000,
      },
    );
    await h.page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    console.log(`${doc.nodes.length} nodes, ${doc.edges.length} edges`);
    console.log(`open (init → every node drawn): ${Date.now() - t0} ms`);

    const pane = (await h.page.locator('.react-flow__pane').boundingBox())!;
    const cx = pane.x + pane.width / 2;
    const cy = pane.y + pane.height / 2;
    const panOnce = () =>
      frameTimes(h, async () => {
        await h.page.mouse.move(cx, cy);
        await h.page.mouse.down();
        for (let i = 0; i < 60; i++) await h.page.mouse.move(cx - i * 5, cy - i * 2);
        await h.page.mouse.up();
      });
    console.log(`pan at the opening view (zoom ${(await zoom(h)).toFixed(2)}): ${stats(await panOnce())}`);

    // Drag the node nearest the canvas centre (one that is on screen, so the gesture is a drag).
    const boxes = await h.page.locator('.op-node').evaluateAll((els) =>
      els.map((e) => {
        const r = e.getBoundingClientRect();
        return { id: e.getAttribute('data-node-id')!, x: r.x, y: r.y, width: r.width, height: r.height };
      }),
    );
    const centre = (b: { x: number; y: number; width: number; height: number }) =>
      Math.hypot(b.x + b.width / 2 - cx, b.y + b.height / 2 - cy);
    const node = boxes.reduce((best, b) => (centre(b) < centre(best) ? b : best));
    const drag = await frameTimes(h, async () => {
      await h.page.mouse.move(node.x + 20, node.y + 8);
      await h.page.mouse.down();
      for (let i = 0; i < 60; i++) await h.page.mouse.move(node.x + 20 + i * 3, node.y + 8 + i * 2);
      await h.page.mouse.up();
    });
    const moved = await h.waitForPosted(
      (m): m is Extract<WebviewToHost, { type: 'edit' }> => m.type === 'edit' && m.edit.kind === 'moveNodes',
    );
    if (moved.type !== 'edit' || moved.edit.kind !== 'moveNodes' || moved.edit.moves[0]?.id !== node.id)
      throw new Error(`the drag did not move ${node.id}`);
    console.log(`drag a node (${node.id}): ${stats(drag)}`);

    // The whole graph in view: every node painted small, the heaviest case for panning.
    await h.page.getByTestId('fit-view').click();
    await h.page.waitForTimeout(500);
    console.log(`pan after Fit view (zoom ${(await zoom(h)).toFixed(2)}): ${stats(await panOnce())}`);
  } finally {
    await h.close();
  }
}

void main();
