/**
 * The real networks of issue #14 (torchvision's ResNet-18, MobileNetV2 0.35 and SqueezeNet 1.1,
 * exported by PyTorch 1.13: test/engine/onnx/torchvision-models.ts) imported and opened in the graph
 * editor, in headless Chromium at the VS Code e2e's canvas size: every node is drawn, no two nodes
 * overlap, and the graph opens at a readable zoom with its input in view. Screenshots (the
 * opening view and the whole graph) go to out/screenshots/torchvision-<name>*.png.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { importOnnx } from '../../../engine/onnx/import.js';
import type { WebviewToHost } from '../../../extension/protocol.js';
import { READABLE_ZOOM } from '../../../webview/editor/opening-view.js';
import { exported } from '../../engine/onnx/torchvision-models.js';
import { buildWebview, Harness, documentState } from '../harness.js';

const root = resolve(__dirname, '..', '..', '..');
const shots = join(root, 'out', 'screenshots');
/** The webview's size in the e2e's 1400×900 workbench with the explorer open. */
const WEBVIEW = { width: 1030, height: 760 };

describe('imported torchvision networks in the graph editor', { timeout: 300_000 }, () => {
  const { dir, manifest } = exported();
  let bundle: string;
  const pages: Harness[] = [];

  before(() => {
    mkdirSync(shots, { recursive: true });
    mkdirSync(join(root, '.e2e'), { recursive: true });
    bundle = mkdtempSync(join(root, '.e2e', 'webview-'));
    buildWebview(bundle);
  });
  after(async () => {
    for (const h of pages) await h.close();
  });

  for (const m of manifest.models)
    it(`${m.name}: every node drawn, none overlapping, opening readable`, async () => {
      const { doc } = importOnnx(new Uint8Array(readFileSync(join(dir, m.file))));
      const h = await Harness.start(bundle, WEBVIEW);
      pages.push(h);
      h.page.setDefaultTimeout(30_000);
      await h.waitForPosted((msg): msg is WebviewToHost => msg.type === 'ready');
      await h.send({
        type: 'init',
        fileName: `${m.name}.nngraph.json`,
        version: 1,
        ...documentState(doc),
      });
      await h.page.locator('.op-node').first().waitFor();
      await h.page.waitForTimeout(300);
      assert.equal(await h.page.locator('.op-node').count(), doc.nodes.length, 'every node is drawn');
      const zoom = await h.page
        .locator('.react-flow__viewport')
        .evaluate((el) => new DOMMatrixReadOnly(getComputedStyle(el).transform).a);
      assert.ok(zoom >= READABLE_ZOOM, `opening zoom ${zoom}`);
      const boxes = await h.page.locator('.op-node').evaluateAll((els) =>
        els.map((el) => ({
          id: el.getAttribute('data-node-id'),
          r: el.getBoundingClientRect().toJSON() as DOMRect,
        })),
      );
      await h.page.screenshot({ path: join(shots, `torchvision-${m.name}.png`) });
      const pane = (await h.page.locator('.react-flow__pane').boundingBox())!;
      const input = boxes.find((b) => b.id === 'input')!;
      assert.ok(input.r.x >= pane.x && input.r.y >= pane.y, 'the input node is in view');
      for (let i = 0; i < boxes.length; i++)
        for (let j = i + 1; j < boxes.length; j++) {
          const [a, b] = [boxes[i]!.r, boxes[j]!.r];
          const overlap =
            a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
          assert.ok(!overlap, `nodes '${boxes[i]!.id}' and '${boxes[j]!.id}' overlap`);
        }
      await h.page.getByTestId('fit-view').click();
      await h.page.waitForTimeout(400);
      await h.page.screenshot({ path: join(shots, `torchvision-${m.name}-whole.png`) });
    });
});
