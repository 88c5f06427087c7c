/**
 * The run panel's finer controls in headless Chromium (harness.ts), the test playing the host: the
 * switches (one Toggle: label, keyboard, focus ring), a refusal shown as a dismissible notice, view
 * settings that survive a reload of the page, the step-through's keys and the canvas following
 * the stepped node, and tensor cells that stay on one line. Screenshots go to out/run-panel/.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { GraphDoc } from '../../../engine/graph/document.js';
import type { WebviewToHost } from '../../../extension/protocol.js';
import type { RunRequest } from '../../../engine/run/protocol.js';
import type { BackwardStep, Step } from '../../../engine/autodiff/step-through.js';
import { buildWebview, Harness, documentState } from '../harness.js';
import { BACKWARD_STEP, FORWARD_STEP, metrics, overlayStats, status } from './run-fixtures.js';
import { formatCell } from '../../../webview/run/TensorTable.js';

const root = resolve(__dirname, '..', '..', '..');
const shots = join(root, 'out', 'run-panel');

const isRequest =
  <T extends RunRequest['type']>(type: T) =>
  (m: WebviewToHost): m is Extract<RunRequest, { type: T }> =>
    m.type === type;
const isReady = (m: WebviewToHost): m is WebviewToHost => m.type === 'ready';

describe('run panel controls in headless Chromium', { timeout: 180_000 }, () => {
  let h: Harness;
  let doc: GraphDoc;

  async function open(): Promise<void> {
    await h.waitForPosted(isReady);
    await h.send({ type: 'init', fileName: 'spiral.nngraph.json', version: 1, ...documentState(doc) });
    await h.page.locator('.op-node').first().waitFor();
  }
  /** The trace request the page posts next (the posted list is cleared first). */
  async function nextTrace(press: () => Promise<void>): Promise<Extract<RunRequest, { type: 'trace' }>> {
    await h.clearPosted();
    await press();
    return h.waitForPosted(isRequest('trace'));
  }
  async function blur(): Promise<void> {
    await h.page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  }
  async function viewportTransform(): Promise<string> {
    return h.page.locator('.react-flow__viewport').evaluate((el) => (el as HTMLElement).style.transform);
  }
  /** Whether node `id` lies wholly inside the canvas. */
  async function inView(id: string): Promise<boolean> {
    const canvas = (await h.page.getByTestId('canvas').boundingBox())!;
    const node = (await h.page.locator(`.react-flow__node[data-id="${id}"]`).boundingBox())!;
    return (
      node.x >= canvas.x &&
      node.y >= canvas.y &&
      node.x + node.width <= canvas.x + canvas.width &&
      node.y + node.height <= canvas.y + canvas.height
    );
  }
  /** Waits until the viewport's transform is the same on two animation frames in a row. */
  async function viewportSettled(): Promise<void> {
    await h.page.waitForFunction(
      () => {
        const w = window as unknown as { __lastTransform?: string };
        const t = (document.querySelector('.react-flow__viewport') as HTMLElement).style.transform;
        const same = w.__lastTransform === t;
        w.__lastTransform = t;
        return same;
      },
      undefined,
      { polling: 'raf' },
    );
  }
  /** Waits `n` animation frames (at least). */
  async function frames(n: number): Promise<void> {
    for (let k = 0; k < n; k++)
      await h.page.evaluate(() => new Promise<void>((done) => requestAnimationFrame(() => done())));
  }

  before(async () => {
    mkdirSync(shots, { recursive: true });
    const e2eDir = join(root, '.e2e');
    mkdirSync(e2eDir, { recursive: true });
    const out = mkdtempSync(join(e2eDir, 'run-controls-'));
    buildWebview(out);
    h = await Harness.start(out, { width: 1280, height: 860 });
    h.page.setDefaultTimeout(30_000);
    doc = JSON.parse(readFileSync(join(root, 'examples', 'spiral.nngraph.json'), 'utf8')) as GraphDoc;
    await open();
  });

  after(async () => {
    await h?.close();
  });

  it('every on/off control is one labelled switch that Space toggles, with a focus ring', async () => {
    await h.send({ type: 'runStatus', status: status({ phase: 'idle' }) });
    const overlay = h.page.getByRole('switch', { name: 'Overlay' });
    assert.equal(await overlay.getAttribute('data-testid'), 'overlay-toggle');
    await h.page.getByTestId('run-tab-train').click();
    assert.equal(
      await h.page.getByRole('switch', { name: 'log scale' }).getAttribute('data-testid'),
      'loss-log-scale',
    );
    await h.page.getByTestId('run-tab-prediction').click();
    assert.equal(
      await h.page.getByRole('switch', { name: 'Live prediction' }).getAttribute('data-testid'),
      'prediction-toggle',
    );
    assert.equal(await h.page.locator('input[type="checkbox"]:not([role="switch"])').count(), 0);

    await h.clearPosted();
    await overlay.focus();
    await h.page.keyboard.press('Space');
    assert.equal((await h.waitForPosted(isRequest('runOptions'))).options.overlay, false);
    assert.equal(await overlay.isChecked(), false);
    const outline = await overlay.evaluate((el) => getComputedStyle(el).outlineStyle);
    assert.equal(outline, 'solid', 'a keyboard-focused switch shows the focus ring');
    await h.clearPosted();
    await h.page.keyboard.press('Space');
    assert.equal((await h.waitForPosted(isRequest('runOptions'))).options.overlay, true);
    await blur();
  });

  it('a refusal with no request id is shown in the panel until dismissed or until an action works', async () => {
    await h.send({ type: 'runStatus', status: status({ phase: 'finished', step: 300, epoch: 30 }) });
    await h.send({
      type: 'runRejected',
      requestId: null,
      reason: 'The run is finished: press Reset to train again.',
    });
    const notice = h.page.getByTestId('run-notice');
    await notice.getByText('The run is finished: press Reset to train again.').waitFor();
    assert.equal(await h.page.getByTestId('notice').count(), 0, 'not also a toast over the canvas');
    await h.page.screenshot({ path: join(shots, 'notice-dark.png') });
    await h.page.getByTestId('run-notice-dismiss').click();
    await notice.waitFor({ state: 'detached' });

    await h.send({ type: 'runRejected', requestId: null, reason: 'No batch is left in this run.' });
    await notice.waitFor();
    // Progress that is not the user's doing leaves it; the reset the notice asks for clears it.
    await h.send(metrics(300, 2, 30, 0));
    await h.send({ type: 'runStatus', status: status({ phase: 'finished', step: 300, epoch: 30 }) });
    await h.page.getByTestId('run-phase').getByText('finished').waitFor();
    assert.equal(await notice.count(), 1);
    await h.send({ type: 'runStatus', status: status({ phase: 'idle', step: 0, epoch: 0 }) });
    await notice.waitFor({ state: 'detached' });
  });

  it('the overlay metric and switch, the loss scale, the open tab and the folded dock survive a reload', async () => {
    await h.send({ type: 'runStats', step: 5, nodes: overlayStats() });
    await h.page.getByTestId('overlay-metric-param').click();
    await h.page.getByTestId('overlay-toggle').uncheck();
    await h.page.getByTestId('run-tab-train').click();
    await h.page.getByTestId('loss-log-scale').check();
    await h.page.getByTestId('run-tab-prediction').click();
    await h.page.getByTestId('run-dock-toggle').click();
    await h.page.getByTestId('run-view-prediction').waitFor({ state: 'detached' });

    await h.page.reload();
    await open();
    const options = await h.waitForPosted(isRequest('runOptions'));
    assert.equal(options.options.overlay, false, 'the worker is told the overlay is off');
    assert.equal(await h.page.getByTestId('overlay-toggle').isChecked(), false);
    assert.equal(await h.page.getByTestId('overlay-metric-param').getAttribute('aria-checked'), 'true');
    assert.equal(await h.page.getByTestId('run-dock-toggle').getAttribute('aria-expanded'), 'false');
    await h.page.getByTestId('run-dock-toggle').click();
    await h.page.getByTestId('run-view-prediction').waitFor();
    await h.page.getByTestId('run-tab-train').click();
    assert.equal(await h.page.getByTestId('loss-log-scale').isChecked(), true);

    // Back to the defaults for the tests that follow.
    await h.page.getByTestId('loss-log-scale').uncheck();
    await h.page.getByTestId('overlay-toggle').check();
    await h.page.getByTestId('overlay-metric-grad').click();
    await blur();
  });

  it('F10 starts and steps, Shift+F10 steps back, F8 runs to the end; not while typing', async () => {
    await h.send({ type: 'runStatus', status: status({ phase: 'paused', step: 20, epoch: 2 }) });
    await h.page.getByTestId('run-phase').getByText('paused').waitFor();
    const start = await nextTrace(() => h.page.keyboard.press('F10'));
    assert.equal(start.action, 'start');
    await h.page.getByTestId('run-view-step').waitFor();
    await h.send({ type: 'runStatus', status: status({ phase: 'paused', step: 20, tracing: true }) });
    await h.send({ type: 'traceStep', requestId: start.requestId, position: 0, length: 13, step: null });
    await h.page
      .getByTestId('trace-hint')
      .getByText(/Before the first forward step/)
      .waitFor();

    assert.equal((await nextTrace(() => h.page.keyboard.press('F10'))).action, 'step');
    await h.send({
      type: 'traceStep',
      requestId: start.requestId,
      position: 2,
      length: 13,
      step: FORWARD_STEP,
    });
    await h.page.getByTestId('trace-output').waitFor();
    assert.equal((await nextTrace(() => h.page.keyboard.press('Shift+F10'))).action, 'back');
    assert.equal((await nextTrace(() => h.page.keyboard.press('F8'))).action, 'finish');

    for (const [id, key] of [
      ['trace-step', 'F10'],
      ['trace-back', 'Shift+F10'],
      ['trace-finish', 'F8'],
    ] as const) {
      const title = (await h.page.getByTestId(id).getAttribute('title'))!;
      assert.ok(title.endsWith(`(${key})`), `${id}: ${title}`);
    }

    // In the run-to dropdown F10 is the dropdown's; the next request is the Shift+F10 pressed after it.
    await h.page.getByTestId('trace-target-node').focus();
    const typed = await nextTrace(async () => {
      await h.page.keyboard.press('F10');
      await blur();
      await h.page.keyboard.press('Shift+F10');
    });
    assert.equal(typed.action, 'back');
    assert.equal((await h.posted()).filter(isRequest('trace')).length, 1);
  });

  it('the canvas pans to a stepped node that is off-screen, zoom unchanged, and not to one in view', async () => {
    // Drag the empty pane far right: the right end of the graph leaves the view.
    const canvas = (await h.page.getByTestId('canvas').boundingBox())!;
    // A point on the empty pane, in the left half (not on a node, the legend or the controls).
    const from = await h.page.evaluate((c) => {
      for (let y = c.y + c.height - 60; y > c.y + 60; y -= 20)
        for (let x = c.x + 60; x < c.x + c.width / 2; x += 20)
          if (document.elementFromPoint(x, y)?.classList.contains('react-flow__pane')) return { x, y };
      return null;
    }, canvas);
    assert.ok(from, 'the canvas has an empty spot to drag');
    await h.page.mouse.move(from.x, from.y);
    await h.page.mouse.down();
    await h.page.mouse.move(from.x + canvas.width * 0.6, from.y, { steps: 8 });
    await h.page.mouse.up();
    await viewportSettled();
    assert.equal(await inView('logits'), false, 'logits is off-screen before the step');
    const zoomBefore = (await viewportTransform()).match(/scale\(([^)]+)\)/)![1];

    await h.send({ type: 'traceStep', requestId: 1, position: 9, length: 13, step: BACKWARD_STEP });
    await h.page.locator('.op-node.trace-backward[data-node-id="logits"]').waitFor();
    await h.page.waitForFunction(
      () => {
        const c = document.querySelector('[data-testid="canvas"]')!.getBoundingClientRect();
        const n = document.querySelector('.react-flow__node[data-id="logits"]')!.getBoundingClientRect();
        return n.left >= c.left && n.right <= c.right && n.top >= c.top && n.bottom <= c.bottom;
      },
      undefined,
      { polling: 'raf' },
    );
    await viewportSettled();
    assert.ok(await inView('logits'));
    assert.equal((await viewportTransform()).match(/scale\(([^)]+)\)/)![1], zoomBefore, 'zoom unchanged');

    // The next step is on another node in view: the view stays put.
    assert.ok(await inView('a2'), 'a2 is in view beside logits');
    const before = await viewportTransform();
    const forward: Step = { ...FORWARD_STEP, node: 'a2' };
    await h.send({ type: 'traceStep', requestId: 1, position: 6, length: 13, step: forward });
    await h.page.locator('.op-node.trace-forward[data-node-id="a2"]').waitFor();
    await frames(4);
    assert.equal(await viewportTransform(), before);
  });

  it('tensor cells keep a fixed number of significant digits on one line, the table scrolling sideways', async () => {
    await h.page.setViewportSize({ width: 900, height: 860 });
    const data = Float32Array.from({ length: 24 }, (_, i) =>
      i % 3 === 0 ? -1.2345678e-12 * (i + 1) : i % 3 === 1 ? 123456.78 * (i + 1) : -0.98765432 / (i + 1),
    );
    const wide: BackwardStep = {
      ...(BACKWARD_STEP as BackwardStep),
      incoming: { shape: [3, 8], data },
    };
    await h.send({ type: 'traceStep', requestId: 1, position: 10, length: 13, step: wide });
    const cells = h.page.getByTestId('trace-incoming').locator('td:not(.more)');
    await h.page.getByTestId('trace-incoming').and(h.page.locator('[data-shape="3x8"]')).waitFor();
    assert.equal(await cells.count(), 24);
    const lines = await cells.evaluateAll((tds) =>
      tds.map((td) => {
        const r = document.createRange();
        r.selectNodeContents(td);
        return { text: td.textContent ?? '', lines: r.getClientRects().length };
      }),
    );
    lines.forEach((c, i) => {
      assert.equal(c.lines, 1, `cell ${i} (${c.text}) is on one line`);
      assert.equal(c.text, formatCell(data[i]!), `cell ${i}`);
    });
    // The table scrolls inside the panel; nothing of it is cut off at the panel's edge.
    const table = h.page.getByTestId('trace-incoming').locator('.tensor-scroll');
    const scrolls = await table.evaluate((el) => el.scrollWidth > el.clientWidth);
    assert.ok(scrolls, 'the 8-column table is wider than its column here: it scrolls sideways');
    const details = (await h.page.locator('.step-details').boundingBox())!;
    const box = (await table.boundingBox())!;
    assert.ok(box.x + box.width <= details.x + details.width + 0.5, 'the table ends inside the panel');
    await h.page.screenshot({ path: join(shots, 'step-through-wide-tensor-dark.png') });
    assert.deepEqual(h.errors, [], 'no errors in the page console');
  });

  it('a dataset that can’t be used is shown before Train, with Choose CSV…; a failed Play says it once', async () => {
    const message =
      "The dataset file 'data.csv' (training.dataset.path) does not exist. Choose a CSV beside the graph, or a built-in dataset (training.dataset.kind).";
    const diagnostics = [
      { severity: 'error', code: 'dataset-unreadable', setting: 'training.dataset.path', message, line: 40 },
    ] as const;
    await h.send({ type: 'runStatus', status: status({ phase: 'idle' }) });
    await h.send({ type: 'docChanged', version: 2, ...documentState(doc, [...diagnostics]) });
    const banner = h.page.getByTestId('run-dataset-problem');
    assert.equal(await banner.locator('span').first().innerText(), message);
    await h.clearPosted();
    await banner.getByTestId('run-dataset-choose').click();
    await h.waitForPosted(
      (m): m is Extract<WebviewToHost, { type: 'chooseDataset' }> => m.type === 'chooseDataset',
    );
    // Play failed with the same words: one banner (the run's), still offering the choice.
    await h.send({ type: 'runStatus', status: status({ phase: 'failed', error: { message } }) });
    await h.page.getByTestId('run-error').getByTestId('run-dataset-choose').waitFor();
    assert.equal(await banner.count(), 0);
    await h.send({ type: 'runStatus', status: status({ phase: 'idle' }) });
    await h.send({ type: 'docChanged', version: 3, ...documentState(doc) });
    assert.equal(await banner.count(), 0);
    assert.deepEqual(h.errors, [], 'no errors in the page console');
  });
});
