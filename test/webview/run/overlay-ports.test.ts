/**
 * The gradient overlay on a node with several outputs, in headless Chromium: a real RunSession
 * trains a graph with a split one step, its runStats go to the webview as the host passes them on,
 * and each wire leaving the split is drawn by the gradient of its own port (not the node's first).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { WebviewToHost } from '../../../extension/protocol.js';
import { buildWebview, Harness, documentState } from '../harness.js';
import { SessionHarness, splitIrisDoc } from '../../engine/run/harness.js';
import { edgeWidth } from '../../../webview/run/overlay-scale.js';
import { status } from './run-fixtures.js';

const root = resolve(__dirname, '..', '..', '..');

describe('overlay on a multi-output node (headless Chromium)', { timeout: 180_000 }, () => {
  let h: Harness;

  before(async () => {
    const out = mkdtempSync(join(root, '.e2e', 'overlay-ports-'));
    mkdirSync(out, { recursive: true });
    buildWebview(out);
    h = await Harness.start(out, { width: 1280, height: 860 });
    h.page.setDefaultTimeout(30_000);
    await h.waitForPosted((m): m is WebviewToHost => m.type === 'ready');
  });

  after(async () => {
    await h?.close();
  });

  it('each wire from a split is drawn by its own port’s gradient', async () => {
    const doc = splitIrisDoc();
    await h.send({ type: 'init', fileName: 'split.nngraph.json', version: 1, ...documentState(doc) });
    await h.page.locator('.op-node[data-node-id="halves"]').waitFor();
    const session = new SessionHarness();
    session.send({ type: 'runOptions', options: { overlay: true, prediction: false, hiddenUnits: false } });
    session.document(doc);
    session.send({ type: 'run', action: 'step' });
    const stats = session.of('runStats').at(-1)!;
    const norms = ['out0', 'out1'].map(
      (port) => stats.nodes.find((n) => n.node === `halves:${port}`)!.grad!.norm,
    );
    // Scaled apart so that the two wires' widths differ visibly (the overlay's log scale).
    const nodes = stats.nodes.map((n) =>
      n.node === 'halves:out1' && n.grad ? { ...n, grad: { ...n.grad, norm: n.grad.norm * 1e4 } } : n,
    );
    await h.send({ type: 'runStatus', status: status({ phase: 'paused', step: 1, epoch: 1 }) });
    await h.send({ type: 'runStats', step: 1, nodes });
    await h.page.getByTestId('overlay-step').getByText('step 1').waitFor();
    const width = (port: string, to: string) =>
      h.page
        .locator(
          `.react-flow__edge[data-testid="rf__edge-halves:${port}->${to}:"] path.react-flow__edge-path`,
        )
        .evaluate((p) => Number((p as SVGPathElement).style.strokeWidth));
    const [w0, w1] = [await width('out0', 'a'), await width('out1', 'b')];
    assert.equal(w0, edgeWidth(norms[0]!, 'grad'), 'out0’s wire: out0’s gradient');
    assert.equal(w1, edgeWidth(norms[1]! * 1e4, 'grad'), 'out1’s wire: out1’s gradient');
    assert.ok(w1 > w0, `${w0} vs ${w1}`);
    await h.page.screenshot({ path: join(root, '.e2e', 'screenshots', 'overlay-split-ports.png') });
  });
});
