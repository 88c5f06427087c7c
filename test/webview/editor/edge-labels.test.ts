/**
 * The wires' shape labels of every example, in headless Chromium at the VS Code e2e's canvas
 * size: no two labels overlap (webview/edge-labels.ts slides a label along its own wire when
 * another has its place: a residual skip and a block's wire sharing the gap between two bands, two
 * wires into the ports of one node). Screenshots of the graphs that had overlapping labels go to
 * out/edge-labels/ to be looked at.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseGraph } from '../../../engine/graph/parse.js';
import type { WebviewToHost } from '../../../extension/protocol.js';
import { buildWebview, Harness, documentState } from '../harness.js';

const root = resolve(__dirname, '..', '..', '..');
const examplesDir = join(root, 'examples');
const shots = join(root, 'out', 'edge-labels');
/** The webview's size in the e2e's 1400×900 workbench with the explorer open. */
const WEBVIEW = { width: 1030, height: 760 };
/** The examples whose labels overlapped before labels slid along their wires. */
const CROWDED = ['mobilenet-block', 'iris-two-inputs', 'resnet-small', 'transformer-sdpa'];

type Label = { wire: string; text: string; x: number; y: number; width: number; height: number };

/** Every drawn label's box on screen, once two frames in a row show them in the same places. */
async function settledLabels(h: Harness): Promise<Label[]> {
  const read = () =>
    h.page.evaluate(async () => {
      for (let i = 0; i < 2; i++) await new Promise((r) => requestAnimationFrame(r));
      return Array.from(document.querySelectorAll('.react-flow__edge')).flatMap((e) => {
        const bg = e.querySelector('.react-flow__edge-textbg');
        if (!bg) return [];
        const r = bg.getBoundingClientRect();
        const text = e.querySelector('.react-flow__edge-text')?.textContent ?? '';
        return [
          {
            wire: e.getAttribute('data-testid') ?? '',
            text,
            x: r.x,
            y: r.y,
            width: r.width,
            height: r.height,
          },
        ];
      });
    });
  let last = await read();
  for (;;) {
    const now = await read();
    if (JSON.stringify(now) === JSON.stringify(last)) return now;
    last = now;
  }
}

/** Each pair of labels whose boxes overlap, by wire and text. */
function overlapping(labels: readonly Label[]): string[] {
  const found: string[] = [];
  for (let i = 0; i < labels.length; i++)
    for (let j = i + 1; j < labels.length; j++) {
      const [a, b] = [labels[i]!, labels[j]!];
      if (a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height)
        found.push(`${a.wire} (${a.text}) overlaps ${b.wire} (${b.text})`);
    }
  return found;
}

describe('wire labels', { timeout: 300_000 }, () => {
  let h: Harness;

  before(async () => {
    mkdirSync(shots, { recursive: true });
    mkdirSync(join(root, '.e2e'), { recursive: true });
    const bundle = mkdtempSync(join(root, '.e2e', 'webview-'));
    buildWebview(bundle);
    h = await Harness.start(bundle, WEBVIEW);
    h.page.setDefaultTimeout(20_000);
  });
  after(async () => {
    await h?.close();
  });

  it('no two wire labels of an example overlap', async () => {
    const files = readdirSync(examplesDir).filter((n) => n.endsWith('.nngraph.json'));
    assert.ok(files.length >= CROWDED.length, 'the examples are there');
    const problems: string[] = [];
    for (const file of files) {
      const doc = parseGraph(readFileSync(join(examplesDir, file), 'utf8')).doc!;
      // A fresh page for each graph (the saved view state of the last one forgotten).
      await h.page.evaluate(() => sessionStorage.clear());
      await h.page.reload();
      await h.waitForPosted((m): m is WebviewToHost => m.type === 'ready');
      await h.send({ type: 'init', fileName: file, version: 1, ...documentState(doc) });
      await h.page.waitForFunction(
        (n) => document.querySelectorAll('.react-flow__edge-textbg').length === n,
        doc.edges.length,
      );
      const labels = await settledLabels(h);
      assert.equal(labels.length, doc.edges.length, `${file}: a label on every wire`);
      problems.push(...overlapping(labels).map((p) => `${file}: ${p}`));
      const name = file.replace('.nngraph.json', '');
      if (CROWDED.includes(name)) await h.page.screenshot({ path: join(shots, `${name}.png`) });
    }
    assert.deepEqual(problems, []);
    assert.deepEqual(h.errors, [], 'the page logged no error (the label probe keeps to the CSP)');
  });
});
