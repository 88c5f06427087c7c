/**
 * Seeing inside a network, in headless Chromium (harness.ts): the Images tab on mnist-lenet and the
 * hidden units' heatmaps on a spiral network's nodes, fed with the events the real engine makes
 * (engine/run: a RunSession trained a few steps on MNIST, a Predictor on the spiral). Asserts what
 * is drawn and what the page asks for; screenshots go to out/images-view/ to be looked at.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { WebviewToHost } from '../../../extension/protocol.js';
import type { ImagesView, RunEvent, RunRequest } from '../../../engine/run/protocol.js';
import { buildWebview, Harness, documentState } from '../harness.js';
import { status } from './run-fixtures.js';
import { exampleDoc, SessionHarness } from '../../engine/run/harness.js';
import { readBundledFile } from '../../../engine/io/bundled-data.js';
import { createPredictor } from '../../../engine/run/prediction.js';
import { compileGraph } from '../../../engine/graph/compile.js';
import { loadDataset } from '../../../engine/data/load.js';

const root = resolve(__dirname, '..', '..', '..');
const shots = join(root, 'out', 'images-view');

const isRequest =
  <T extends RunRequest['type']>(type: T) =>
  (m: WebviewToHost): m is Extract<RunRequest, { type: T }> =>
    m.type === type;

/** The Images view of mnist-lenet after a few steps on 600 digits, from the real engine. */
function lenetImages(picked: number | null): Extract<RunEvent, { type: 'runImages' }> {
  const s = new SessionHarness({ readBundled: readBundledFile });
  const doc = exampleDoc('mnist-lenet');
  doc.training.dataset = { kind: 'mnist', samples: 600 };
  s.document(doc);
  s.send({
    type: 'runOptions',
    options: { overlay: false, prediction: false, hiddenUnits: false, images: true, pickedSample: picked },
  });
  for (let i = 0; i < 5; i++) s.send({ type: 'run', action: 'step' });
  const last = s.of('runImages').at(-1);
  assert.ok(last, 'the engine sent the Images view');
  return last;
}

describe('seeing inside a network, in headless Chromium', { timeout: 240_000 }, () => {
  let h: Harness;
  let out: string;

  before(async () => {
    mkdirSync(shots, { recursive: true });
    const e2eDir = join(root, '.e2e');
    mkdirSync(e2eDir, { recursive: true });
    out = mkdtempSync(join(e2eDir, 'images-view-'));
    buildWebview(out);
    h = await Harness.start(out, { width: 1280, height: 900 });
    h.page.setDefaultTimeout(30_000);
  });

  after(async () => {
    await h?.close();
  });

  it('mnist-lenet: samples misclassified first, a confusion matrix and per-class accuracy', async () => {
    const doc = exampleDoc('mnist-lenet');
    await h.waitForPosted((m): m is WebviewToHost => m.type === 'ready');
    await h.send({ type: 'init', fileName: 'mnist-lenet.nngraph.json', version: 1, ...documentState(doc) });
    await h.page.locator('.op-node').first().waitFor();
    await h.send({ type: 'runStatus', status: status({ phase: 'paused', step: 5, epoch: 1, epochs: 5 }) });
    await h.page.getByTestId('run-tab-images').click();
    await h.page.getByTestId('images-reason').waitFor();
    const event = lenetImages(null);
    const view: ImagesView = event.view;
    await h.send(event);
    await h.page.getByTestId('images-view').waitFor();
    const samples = h.page.getByTestId('sample');
    assert.equal(await samples.count(), view.grid.rows.length);
    const shown = await samples.evaluateAll((els) =>
      els.map((e) => [Number(e.getAttribute('data-label')), Number(e.getAttribute('data-predicted'))]),
    );
    const wrong = shown.filter(([l, p]) => l !== p).length;
    assert.equal(wrong, Math.min(view.evaluated - view.correct, view.grid.rows.length));
    shown.slice(0, wrong).forEach(([l, p]) => assert.notEqual(l, p, 'the misclassified come first'));
    // Each sample is the image drawn: some ink, some background.
    const ink = await samples
      .first()
      .locator('canvas')
      .evaluate((c: HTMLCanvasElement) => {
        const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
        let lit = 0;
        for (let i = 0; i < d.length; i += 4) if (d[i]! > 128) lit++;
        return [lit, d.length / 4];
      });
    assert.ok(ink[0]! > 20 && ink[0]! < ink[1]! / 2, `a digit's strokes: ${ink[0]} of ${ink[1]} pixels lit`);
    const counts = await h.page
      .getByTestId('confusion-matrix')
      .locator('td[data-count]')
      .evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-count'))));
    assert.equal(counts.length, 100);
    assert.equal(
      counts.reduce((a, b) => a + b, 0),
      view.evaluated,
    );
    assert.deepEqual(counts, Array.from(view.confusion));
    assert.equal(await h.page.getByTestId('class-accuracy').count(), 10);
    assert.match(
      await h.page.getByTestId('images-summary').innerText(),
      new RegExp(`${view.correct} of 120 validation`),
    );
    await h.page.getByTestId('picked-hint').waitFor();
    await h.page.screenshot({ path: join(shots, 'images-grid.png') });
  });

  it('clicking a sample picks it; its saliency map, feature maps and the learned filters are drawn', async () => {
    await h.clearPosted();
    const third = h.page.getByTestId('sample').nth(2);
    const row = Number(await third.getAttribute('data-row'));
    await third.locator('canvas').click();
    const msg = await h.waitForPosted(isRequest('runOptions'));
    assert.equal(msg.options.pickedSample, row);
    assert.equal(msg.options.images, true);
    const event = lenetImages(row);
    await h.send(event);
    const picked = h.page.getByTestId('picked-sample');
    await picked.waitFor();
    assert.equal(await picked.getAttribute('data-row'), String(row));
    await h.page.locator('.sample.picked').waitFor();
    const saliencyInk = await h.page.getByTestId('saliency-map').evaluate((c: HTMLCanvasElement) => {
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 0; i < d.length; i += 4) if (d[i]! + d[i + 1]! + d[i + 2]! > 30) n++;
      return n;
    });
    assert.ok(saliencyInk > 20, `the saliency map shows where the loss is sensitive (${saliencyInk} pixels)`);
    for (const [node, channels] of [
      ['c1', 6],
      ['r1', 6],
      ['s2', 6],
      ['c3', 16],
      ['s4', 16],
    ] as const) {
      const maps = h.page.getByTestId(`feature-maps-${node}`);
      assert.equal(await maps.locator('canvas').count(), channels, node);
    }
    assert.equal(await h.page.getByTestId('filters-c1').locator('canvas').count(), 6);
    assert.equal(await h.page.getByTestId('filters-c3').locator('canvas').count(), 16 * 6);
    assert.equal(await h.page.getByTestId('probabilities').locator('li').count(), 10);
    await picked.evaluate((e) => e.scrollIntoView({ block: 'start' }));
    await h.page.screenshot({ path: join(shots, 'images-picked.png') });
    await h.page.getByTestId('learned-filters').scrollIntoViewIfNeeded();
    await h.page.screenshot({ path: join(shots, 'images-filters.png') });
  });

  it('step-through draws a tensor that is images as pictures: the first sample’s channels', async () => {
    await h.page.getByTestId('run-tab-step').click();
    await h.send({
      type: 'runStatus',
      status: status({ phase: 'paused', step: 5, epoch: 1, tracing: true }),
    });
    const data = Float32Array.from({ length: 2 * 6 * 28 * 28 }, (_, i) => Math.sin(i / 7));
    await h.send({
      type: 'traceStep',
      requestId: 1,
      position: 1,
      length: 24,
      step: {
        phase: 'forward',
        index: 0,
        node: 'c1',
        op: 'conv2d',
        inputs: ['x', 'c1.weight'],
        output: { shape: [2, 6, 28, 28], data },
      },
    });
    const pictures = h.page.getByTestId('trace-output-images');
    await pictures.waitFor();
    assert.equal(await pictures.locator('canvas').count(), 6);
    await h.page.screenshot({ path: join(shots, 'step-through-images.png') });
    await h.send({
      type: 'runStatus',
      status: status({ phase: 'paused', step: 5, epoch: 1, tracing: false }),
    });
  });

  it('a spiral network shows its hidden units over the plane on their nodes', async () => {
    const doc = exampleDoc('spiral');
    await h.send({ type: 'docChanged', version: 2, ...documentState(doc) });
    await h.page.locator('.op-node[data-node-id="h1"]').waitFor();
    const data = loadDataset(doc.training.dataset);
    const view = createPredictor(compileGraph(doc, { batchSize: 8, seed: 1 }), data).predict({
      hiddenUnits: true,
    });
    assert.equal(view.kind, 'boundary');
    await h.send({ type: 'runPrediction', step: 7, view });
    const units = view.kind === 'boundary' ? view.units! : [];
    assert.ok(units.length > 0);
    for (const u of units) {
      const strip = h.page.locator(`.op-node[data-node-id="${u.node}"] [data-testid="unit-heatmaps"]`);
      await strip.waitFor();
      assert.equal(await strip.locator('canvas').count(), u.shown, u.node);
    }
    await h.page.screenshot({ path: join(shots, 'unit-heatmaps.png') });
  });
});
