/**
 * The run panel in headless Chromium (harness.ts) on the spiral example: the test plays the host,
 * posting RunEvents shaped like the worker's (run-fixtures.ts), and asserts on what is drawn (DOM,
 * canvas pixels, the canvas's data attributes) and on the RunRequests and setTraining edits the
 * panel posts. Screenshots (dark and light theme) go to out/run-panel/ to be looked at.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { GraphDoc } from '../../../engine/graph/document.js';
import type { GraphEdit } from '../../../engine/graph/edits.js';
import type { HostToWebview, WebviewToHost } from '../../../extension/protocol.js';
import type { RunRequest } from '../../../engine/run/protocol.js';
import { buildWebview, Harness, documentState } from '../harness.js';
import {
  BACKWARD_STEP,
  FORWARD_STEP,
  metrics,
  overlayStats,
  sawtoothCase,
  sectorBoundary,
  spiralDataset,
  status,
} from './run-fixtures.js';
import { CLASS_COLOURS } from '../../../engine/plot/boundary.js';
import { exampleDoc, SessionHarness } from '../../engine/run/harness.js';
import type { OverlayNodeStats } from '../../../engine/run/protocol.js';

const root = resolve(__dirname, '..', '..', '..');
const shots = join(root, 'out', 'run-panel');

type EditMsg = Extract<WebviewToHost, { type: 'edit' }>;
const isSetTraining = (
  m: WebviewToHost,
): m is EditMsg & { edit: Extract<GraphEdit, { kind: 'setTraining' }> } =>
  m.type === 'edit' && m.edit.kind === 'setTraining';
const isRequest =
  <T extends RunRequest['type']>(type: T) =>
  (m: WebviewToHost): m is Extract<RunRequest, { type: T }> =>
    m.type === type;

/** VS Code's light theme variables, to check the panel in both themes. */
const LIGHT = `
  --vscode-editor-background: #ffffff; --vscode-editor-foreground: #3b3b3b; --vscode-foreground: #3b3b3b;
  --vscode-sideBar-background: #f8f8f8; --vscode-panel-border: #e5e5e5; --vscode-descriptionForeground: #717171;
  --vscode-editorWidget-background: #f8f8f8; --vscode-editorWidget-border: #c8c8c8; --vscode-focusBorder: #005fb8;
  --vscode-errorForeground: #e51400; --vscode-list-hoverBackground: #f2f2f2; --vscode-input-background: #ffffff;
  --vscode-input-foreground: #3b3b3b; --vscode-editorLineNumber-foreground: #6e7681;
  --vscode-button-secondaryBackground: #e5e5e5; --vscode-button-secondaryForeground: #3b3b3b;
  --vscode-panel-background: #f8f8f8; --vscode-dropdown-background: #ffffff; --vscode-dropdown-foreground: #3b3b3b;
  --vscode-dropdown-border: #cecece; --vscode-button-secondaryHoverBackground: #cccccc;
  --vscode-badge-background: #cccccc; --vscode-badge-foreground: #3b3b3b;`;

describe('run panel webview in headless Chromium', { timeout: 180_000 }, () => {
  let h: Harness;
  let doc: GraphDoc;
  const version = 1;

  async function send(msg: HostToWebview): Promise<void> {
    await h.send(msg);
  }
  /** Sets theme variables on body (through the CSSOM: the page's CSP refuses inline style tags). */
  async function useTheme(vars: string): Promise<void> {
    await h.page.evaluate((text) => {
      for (const decl of text.split(';')) {
        const [name, value] = decl.split(':').map((x) => x.trim());
        if (name && value) document.body.style.setProperty(name, value);
      }
      document.body.classList.add('vscode-light');
    }, vars);
  }
  async function shot(name: string): Promise<void> {
    await h.page.screenshot({ path: join(shots, `${name}.png`) });
  }
  async function attr(testId: string, name: string): Promise<string | null> {
    return h.page.getByTestId(testId).getAttribute(`data-${name}`);
  }
  /** Pixels of the canvas that are not transparent. */
  async function inkedPixels(testId: string): Promise<number> {
    return h.page.getByTestId(testId).evaluate((c: HTMLCanvasElement) => {
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 3; i < d.length; i += 4) if (d[i]! > 0) n++;
      return n;
    });
  }

  before(async () => {
    mkdirSync(shots, { recursive: true });
    const e2eDir = join(root, '.e2e');
    mkdirSync(e2eDir, { recursive: true });
    const out = mkdtempSync(join(e2eDir, 'run-panel-'));
    buildWebview(out);
    h = await Harness.start(out, { width: 1280, height: 860 });
    h.page.setDefaultTimeout(30_000);
    doc = JSON.parse(readFileSync(join(root, 'examples', 'spiral.nngraph.json'), 'utf8')) as GraphDoc;
    await h.waitForPosted((m): m is WebviewToHost => m.type === 'ready');
    await send({ type: 'init', fileName: 'spiral.nngraph.json', version, ...documentState(doc) });
    await h.page.locator('.op-node').first().waitFor();
  });

  after(async () => {
    await h?.close();
  });

  it('tells the worker what it shows once the document is there', async () => {
    const msg = await h.waitForPosted(isRequest('runOptions'));
    assert.deepEqual(msg.options, {
      overlay: true,
      prediction: true,
      hiddenUnits: false,
      images: true,
      pickedSample: null,
    });
    await h.clearPosted();
  });

  it('shows an idle run with its controls and the document’s settings', async () => {
    await send({ type: 'runStatus', status: status({ phase: 'idle', epochs: 100 }) });
    // 'idle' shows before any status too: wait for what this status changes (drawn on the next frame).
    await h.page.waitForFunction(() =>
      /epoch\s*0\s*\/\s*100/.test(document.querySelector('[data-testid="run-epoch"]')?.textContent ?? ''),
    );
    await h.page.getByTestId('run-phase').getByText('idle').waitFor();
    assert.equal(await h.page.getByTestId('run-pause').count(), 0);
    assert.equal(await h.page.getByTestId('setting-optimizer-lr').locator('input').inputValue(), '0.01');
    assert.equal(await h.page.getByTestId('setting-batchSize').locator('input').inputValue(), '32');
    assert.equal(await attr('loss-chart', 'trace-points'), '0');
    assert.notEqual(
      await h.page.getByTestId('save-weights').getAttribute('disabled'),
      null,
      'nothing trained: nothing to save',
    );
  });

  it('Train posts play; while running, Pause posts pause', async () => {
    await h.page.getByTestId('run-play').click();
    assert.equal((await h.waitForPosted(isRequest('run'))).action, 'play');
    await h.clearPosted();
    await send({ type: 'runStatus', status: status({ step: 25, epoch: 3, epochs: 100, loss: 0.82 }) });
    await h.page.getByTestId('run-pause').click();
    assert.equal((await h.waitForPosted(isRequest('run'))).action, 'pause');
    await h.clearPosted();
    assert.match(await h.page.getByTestId('run-step').innerText(), /step\s*25/);
    assert.match(await h.page.getByTestId('run-loss').innerText(), /0\.82/);
  });

  it('draws the batch losses and the epoch curves as they arrive', async () => {
    await send(metrics(0, 10, 0, 1));
    await send(metrics(10, 10, 1, 1));
    await send(metrics(20, 5, 2, 0));
    await h.page.waitForFunction(
      () => document.querySelector('[data-testid="loss-chart"]')?.getAttribute('data-trace-points') === '25',
    );
    assert.equal(await attr('loss-chart', 'train-points'), '2');
    assert.equal(await attr('loss-chart', 'validation-points'), '2');
    assert.equal(await attr('accuracy-chart', 'validation-points'), '2');
    assert.ok((await inkedPixels('loss-chart')) > 500, 'the loss chart has ink');
    assert.ok((await inkedPixels('accuracy-chart')) > 300, 'the accuracy chart has ink');
    await h.page.getByTestId('loss-log-scale').check();
    assert.equal(await attr('loss-chart', 'scale'), 'log');
    await send({
      type: 'runStatus',
      status: status({ phase: 'paused', step: 25, epoch: 3, epochs: 100, loss: 0.61 }),
    });
    await h.page.getByTestId('run-phase').getByText('paused').waitFor();
    await shot('train-dark');
  });

  it('once trained, Save weights and the exports are requests to the host', async () => {
    // The run is at step 25 (the tests above): there are weights to save.
    const save = h.page.getByTestId('save-weights');
    await h.page.waitForFunction(
      () => document.querySelector('[data-testid="save-weights"]')?.getAttribute('disabled') === null,
    );
    assert.match((await save.getAttribute('title'))!, /after step 25/);
    await save.click();
    await h.waitForPosted(
      (m): m is Extract<WebviewToHost, { type: 'saveWeights' }> => m.type === 'saveWeights',
    );
    await h.page.getByTestId('export-typescript').click();
    const ts = await h.waitForPosted(
      (m): m is Extract<WebviewToHost, { type: 'export' }> => m.type === 'export',
    );
    assert.equal(ts.format, 'typescript');
    await h.clearPosted();
    await h.page.getByTestId('export-onnx').click();
    const onnx = await h.waitForPosted(
      (m): m is Extract<WebviewToHost, { type: 'export' }> => m.type === 'export',
    );
    assert.equal(onnx.format, 'onnx');
    await h.clearPosted();
    await h.page.getByTestId('export-pytorch').click();
    const pytorch = await h.waitForPosted(
      (m): m is Extract<WebviewToHost, { type: 'export' }> => m.type === 'export',
    );
    assert.equal(pytorch.format, 'pytorch');
    await h.clearPosted();
  });

  it('Load weights asks the host; a run started from a file says which', async () => {
    await h.page.getByTestId('load-weights').click();
    await h.waitForPosted(
      (m): m is Extract<WebviewToHost, { type: 'loadWeights' }> => m.type === 'loadWeights',
    );
    await h.clearPosted();
    await send({
      type: 'runStatus',
      status: { ...status({ phase: 'paused', step: 0 }), weightsFrom: 'spiral.weights.json' },
    });
    await h.page.getByTestId('run-weights-from').getByText('spiral.weights.json').waitFor();
    await send({
      type: 'runStatus',
      status: status({ phase: 'paused', step: 25, epoch: 3, epochs: 100, loss: 0.61 }),
    });
    await h.page.getByTestId('run-weights-from').waitFor({ state: 'detached' });
  });

  it('a changed setting is one setTraining edit; a bad value is explained and not sent', async () => {
    const lr = h.page.getByTestId('setting-optimizer-lr').locator('input');
    await lr.fill('-1');
    await h.page.getByText(/training\.optimizer\.lr must be greater than 0/).waitFor();
    await lr.press('Enter');
    await lr.fill('0.003');
    await lr.press('Enter');
    const msg = await h.waitForPosted(isSetTraining);
    assert.deepEqual(msg.edit.training, { ...doc.training, optimizer: { kind: 'adam', lr: 0.003 } });
    assert.equal((await h.posted()).filter(isSetTraining).length, 1, 'only the valid value was sent');
    await h.clearPosted();
  });

  it('switching the dataset keeps the settings the new kind also has', async () => {
    await h.page.getByTestId('setting-dataset-kind').selectOption('moons');
    const msg = await h.waitForPosted(isSetTraining);
    assert.deepEqual(msg.edit.training.dataset, {
      kind: 'moons',
      classes: 3,
      samples: 300,
      noise: 0.1,
      seed: 1,
    });
    await h.clearPosted();
  });

  it('a failed run names the node and shows it on the canvas', async () => {
    await send({
      type: 'runStatus',
      status: status({
        phase: 'failed',
        step: 31,
        epoch: 4,
        loss: null,
        error: {
          message: "The loss became NaN at step 31: it first appeared in node 'h2'. Lower the learning rate.",
          node: 'h2',
        },
      }),
    });
    await h.page
      .getByTestId('run-error')
      .getByText(/first appeared in node 'h2'/)
      .waitFor();
    await h.page.getByTestId('run-error-node').click();
    await h.page.locator('.react-flow__node.selected .op-node[data-node-id="h2"]').waitFor();
    await h.page.getByTestId('run-error-reset').click();
    assert.equal((await h.waitForPosted(isRequest('run'))).action, 'reset');
    await h.clearPosted();
  });

  it('a run behind the document says so and offers a reset', async () => {
    await send({ type: 'runStatus', status: status({ phase: 'paused', step: 40, epoch: 4, stale: true }) });
    await h.page.getByTestId('run-stale').waitFor();
    assert.equal(await h.page.getByTestId('run-error').count(), 0, 'the failure is gone');
    await send({ type: 'runStatus', status: status({ phase: 'idle', step: 0, epoch: 0 }) });
    await h.page.getByTestId('run-stale').waitFor({ state: 'detached' });
    assert.equal(await attr('loss-chart', 'trace-points'), '0', 'a reset clears the curves');
  });

  /** The overlay colour of a node as [r, g, b] (null when it has none). */
  async function nodeColor(id: string): Promise<[number, number, number] | null> {
    const c = await h.page
      .locator(`.op-node[data-node-id="${id}"]`)
      .evaluate((el) => (el as HTMLElement).style.getPropertyValue('--overlay'));
    return c ? (c.match(/\d+/g)!.map(Number) as [number, number, number]) : null;
  }
  const stats = (scale: number, overrides: Record<string, number> = {}): OverlayNodeStats[] =>
    overlayStats(scale).map((n) => {
      const k = overrides[n.node];
      if (k === undefined || !n.grad) return n;
      return { ...n, grad: { ...n.grad, norm: n.grad.norm * k } };
    });

  it('colours nodes and wires by gradient size on a fixed log scale, without rebuilding the flow', async () => {
    await send({ type: 'runStatus', status: status({ phase: 'running', step: 30, epoch: 3, loss: 0.7 }) });
    await h.page.evaluate(() => {
      (window as unknown as { __h1: Element | null }).__h1 = document.querySelector(
        '.op-node[data-node-id="h1"]',
      );
    });
    await send({ type: 'runStats', step: 30, nodes: stats(1) });
    await h.page.locator('.op-node.overlaid[data-node-id="h1"]').waitFor();
    const healthy = (await nodeColor('h1'))!;
    assert.ok(Math.abs(healthy[0] - healthy[2]) < 60, `healthy is near grey: ${healthy}`);
    assert.equal(
      await h.page
        .locator('.op-node[data-node-id="h1"] [data-testid="node-overlay-value"]')
        .getAttribute('data-value'),
      '0.08',
    );
    assert.equal(
      await h.page.locator('.op-node[data-node-id="x"].overlaid').count(),
      0,
      'no gradient at the input',
    );

    await send({ type: 'runStats', step: 31, nodes: stats(1e-6) });
    await h.page.getByTestId('overlay-step').getByText('step 31').waitFor();
    const vanishing = (await nodeColor('h1'))!;
    assert.ok(vanishing[2] - vanishing[0] > 80, `vanishing is blue: ${vanishing}`);
    const wire = h.page.locator(
      '.react-flow__edge[data-testid="rf__edge-h1->a1:"] path.react-flow__edge-path',
    );
    const thin = Number(await wire.evaluate((p) => (p as SVGPathElement).style.strokeWidth));

    await send({ type: 'runStats', step: 32, nodes: stats(1e4) });
    await h.page.getByTestId('overlay-step').getByText('step 32').waitFor();
    const exploding = (await nodeColor('h1'))!;
    assert.ok(exploding[0] - exploding[2] > 80, `exploding is red: ${exploding}`);
    const thick = Number(await wire.evaluate((p) => (p as SVGPathElement).style.strokeWidth));
    assert.ok(thick > thin + 2, `exploding wires are thicker: ${thin} → ${thick}`);
    assert.ok(
      await h.page.evaluate(
        () =>
          (window as unknown as { __h1: Element }).__h1 ===
          document.querySelector('.op-node[data-node-id="h1"]'),
      ),
      'the node element survived three stats updates (the flow was not rebuilt)',
    );
  });

  it('switches between output gradient, parameter gradient and activation', async () => {
    await send({ type: 'runStats', step: 33, nodes: stats(1, { h1: 1e-5, a1: 1e-5 }) });
    await h.page.getByTestId('overlay-metric-param').click();
    await h.page.locator('.op-node.overlay-none[data-node-id="a1"]').waitFor();
    const param = await h.page
      .locator('.op-node[data-node-id="h1"] [data-testid="node-overlay-value"]')
      .getAttribute('data-value');
    assert.equal(Number(param), Math.hypot(0.3, 0.05));
    await h.page.getByTestId('overlay-metric-activation').click();
    await h.page.locator('.op-node.overlaid[data-node-id="a1"]').waitFor();
    assert.match(await h.page.getByTestId('overlay-legend').innerText(), /‖output‖/);
    await h.page.getByTestId('overlay-metric-grad').click();
    await h.page.getByTestId('run-tab-train').click();
    await shot('overlay-dark');
  });

  it('hovering a node shows its numbers and a histogram', async () => {
    await h.page.locator('.op-node[data-node-id="logits"]').hover();
    const card = h.page.getByTestId('node-stats');
    await card.waitFor();
    assert.equal(await card.getAttribute('data-node'), 'logits');
    const norm = await card
      .locator('[data-testid="stats-table"] td[data-stat="norm"]')
      .getAttribute('data-value');
    assert.equal(Number(norm), 0.2);
    for (const k of ['mean', 'std', 'min', 'max'])
      assert.equal(await card.locator(`td[data-stat="${k}"]`).count(), 1, k);
    assert.equal(await card.locator('[data-testid="stats-histogram"] rect').count(), 10);
    assert.match(await card.getByTestId('stats-params').innerText(), /weight[\s\S]*bias/);
    await shot('overlay-hover-dark');
    await h.page.mouse.move(5, 5);
    await card.waitFor({ state: 'detached' });
  });

  it('the overlay can be switched off, and the worker is told', async () => {
    await h.clearPosted();
    await h.page.getByTestId('overlay-toggle').uncheck();
    const msg = await h.waitForPosted(isRequest('runOptions'));
    assert.equal(msg.options.overlay, false);
    await h.page.locator('.op-node.overlaid').first().waitFor({ state: 'detached' });
    await h.page.getByTestId('overlay-toggle').check();
    await h.page.locator('.op-node.overlaid').first().waitFor();
    await h.clearPosted();
  });

  it('a gradient check shows each node’s worst error and the worst overall', async () => {
    await h.page.getByTestId('gradcheck').click();
    const req = await h.waitForPosted(isRequest('gradcheck'));
    const worst = {
      node: 'h2',
      worstRelError: 3.2e-3,
      where: 'weight',
      resolved: true,
      checked: 200,
      kinks: 0,
    };
    await send({
      type: 'gradcheckResult',
      requestId: req.requestId,
      nodes: [
        { node: 'h1', worstRelError: 2.1e-9, where: 'bias', resolved: true, checked: 90, kinks: 3 },
        worst,
        { node: 'logits', worstRelError: 0, where: 'output', resolved: false, checked: 12, kinks: 0 },
      ],
      worst,
      floor: 1e-5,
    });
    await h.page.locator('.op-node[data-node-id="h2"] [data-testid="node-gradcheck"].bad').waitFor();
    assert.match(
      await h.page.locator('.op-node[data-node-id="h1"] [data-testid="node-gradcheck"].ok').innerText(),
      /2\.10e-9/,
    );
    assert.match(
      (await h.page
        .locator('.op-node[data-node-id="h1"] [data-testid="node-gradcheck"]')
        .getAttribute('title'))!,
      /3 of 93 elements left out at ReLU kinks/,
    );
    // Too small to check is neither a pass nor a failure: a dash, and the tooltip says why.
    const logits = h.page.locator(
      '.op-node[data-node-id="logits"] [data-testid="node-gradcheck"].unresolved',
    );
    assert.equal((await logits.innerText()).trim(), '–');
    assert.match((await logits.getAttribute('title'))!, /below 1e-5, too small for finite differences/);
    assert.match(await h.page.getByTestId('gradcheck-worst').innerText(), /worst 3\.20e-3 at h2\.weight/);
    // When nothing can be resolved, the summary says so instead of naming a "worst".
    await h.clearPosted();
    await h.page.getByTestId('gradcheck').click();
    const again = await h.waitForPosted(isRequest('gradcheck'));
    await send({
      type: 'gradcheckResult',
      requestId: again.requestId,
      nodes: [{ node: 'h1', worstRelError: 0, where: 'weight', resolved: false, checked: 90, kinks: 0 }],
      worst: null,
      floor: 1e-5,
    });
    await h.page.getByText(/every gradient is below 1e-5: too small to check/).waitFor();
    await h.clearPosted();
  });

  it('a gradient check in progress shows its progress and a Cancel that posts cancelTask', async () => {
    await h.page.getByTestId('gradcheck').click();
    const req = await h.waitForPosted(isRequest('gradcheck'));
    const progress = h.page.getByTestId('gradcheck-progress');
    await progress.waitFor();
    assert.equal(await h.page.getByTestId('gradcheck').count(), 0, 'Cancel in place of the button');
    // Progress of another request (an old one) is not this check's.
    await send({
      type: 'taskProgress',
      requestId: req.requestId - 1,
      kind: 'gradcheck',
      done: 9,
      total: 10,
      label: 'old',
    });
    await send({
      type: 'taskProgress',
      requestId: req.requestId,
      kind: 'gradcheck',
      done: 45,
      total: 100,
      label: 'h1.weight',
    });
    await h.page.getByText('Checking… 45 %').waitFor();
    assert.match(await progress.innerText(), /h1\.weight/);
    assert.equal(await progress.getAttribute('aria-valuenow'), '45');
    await shot('gradcheck-progress-dark');
    await h.clearPosted();
    await h.page.getByTestId('gradcheck-progress-cancel').click();
    const cancel = await h.waitForPosted(isRequest('cancelTask'));
    assert.equal(cancel.requestId, req.requestId);
    await send({
      type: 'taskCancelled',
      requestId: req.requestId,
      kind: 'gradcheck',
      reason: 'Gradient check cancelled.',
    });
    assert.equal(
      (await h.page.getByTestId('gradcheck-cancelled').innerText()).trim(),
      'Gradient check cancelled.',
    );
    await h.page.getByTestId('gradcheck').waitFor();
    assert.equal(await h.page.getByTestId('gradcheck-progress').count(), 0);
    // The next check clears the message.
    await h.page.getByTestId('gradcheck').click();
    const next = await h.waitForPosted(isRequest('gradcheck'));
    assert.equal(await h.page.getByTestId('gradcheck-cancelled').count(), 0);
    await send({ type: 'gradcheckResult', requestId: next.requestId, nodes: [], worst: null, floor: 1e-5 });
    await h.page.getByTestId('gradcheck-worst').waitFor();
    await h.clearPosted();
  });

  it('draws the decision boundary with the data, validation points as rings', async () => {
    await h.page.getByTestId('run-tab-prediction').click();
    await send({ type: 'runDataset', dataset: spiralDataset() });
    await h.page.getByTestId('prediction-canvas').waitFor();
    assert.equal(await attr('prediction-canvas', 'kind'), 'data', 'the data alone before a prediction');
    const boundary = sectorBoundary();
    await send({ type: 'runPrediction', step: 40, view: boundary });
    await h.page.waitForFunction(
      () =>
        document.querySelector('[data-testid="prediction-canvas"]')?.getAttribute('data-kind') === 'boundary',
    );
    assert.equal(await attr('prediction-canvas', 'points'), '90');
    assert.equal(await attr('prediction-canvas', 'validation-points'), '18');
    assert.match(await h.page.getByTestId('prediction-step').innerText(), /after step 40/);
    // The plot's top-left corner is the cell at (x0, y1): its class colour shows there.
    const [left, top] = (await attr('prediction-canvas', 'plot'))!.split(',').map(Number);
    const rgb = await h.page
      .getByTestId('prediction-canvas')
      .evaluate(
        (c: HTMLCanvasElement, [x, y]) =>
          [...c.getContext('2d')!.getImageData(x!, y!, 1, 1).data].slice(0, 3),
        [left! + 4, top! + 4],
      );
    const expected = CLASS_COLOURS[boundary.label[(boundary.ny - 1) * boundary.nx]!]!;
    const distance = Math.hypot(...rgb.map((v, k) => v - expected[k]!));
    assert.ok(distance < 40, `corner pixel ${rgb} is the class colour ${expected}`);
    await shot('prediction-boundary-dark');
  });

  it('a 1-D regression shows the fitted curve, hidden units on request and breakpoints', async () => {
    const { dataset, view } = sawtoothCase();
    await send({ type: 'runDataset', dataset });
    await send({ type: 'runPrediction', step: 41, view });
    await h.page.waitForFunction(
      () =>
        document.querySelector('[data-testid="prediction-canvas"]')?.getAttribute('data-kind') === 'curve',
    );
    assert.equal(await attr('prediction-canvas', 'units'), '4');
    assert.equal(await attr('prediction-canvas', 'breakpoints'), '4');
    await h.clearPosted();
    await h.page.getByTestId('hidden-units-toggle').check();
    const msg = await h.waitForPosted(isRequest('runOptions'));
    assert.deepEqual(msg.options, {
      overlay: true,
      prediction: true,
      hiddenUnits: true,
      images: true,
      pickedSample: null,
    });
    await shot('prediction-curve-dark');
    await send({ type: 'runDataset', dataset: spiralDataset() });
    await send({ type: 'runPrediction', step: 42, view: sectorBoundary() });
    await h.clearPosted();
  });

  it('steps through backprop: start, forward, backward with the local rule, back, run to, end', async () => {
    await h.page.getByTestId('run-tab-step').click();
    await h.page.getByTestId('trace-start').click();
    const start = await h.waitForPosted(isRequest('trace'));
    assert.equal(start.action, 'start');
    await send({ type: 'runStatus', status: status({ phase: 'paused', step: 42, epoch: 5, tracing: true }) });
    await send({ type: 'traceStep', requestId: start.requestId, position: 0, length: 13, step: null });
    await h.page
      .getByTestId('trace-hint')
      .getByText(/Before the first forward step/)
      .waitFor();
    await h.clearPosted();

    await h.page.getByTestId('trace-step').click();
    const step = await h.waitForPosted(isRequest('trace'));
    assert.equal(step.action, 'step');
    // The input's own first step: the batch fed to it, lit on the canvas.
    await send({
      type: 'traceStep',
      requestId: step.requestId,
      position: 1,
      length: 13,
      step: {
        phase: 'forward',
        index: -1,
        fed: true,
        node: 'x',
        op: 'input',
        inputs: [],
        output: FORWARD_STEP.output,
      },
    });
    await h.page
      .getByTestId('trace-forward')
      .getByText(/fed by the batch, nothing computed/)
      .waitFor();
    await h.page.locator('.op-node.trace-forward[data-node-id="x"]').waitFor();
    await send({ type: 'traceStep', requestId: step.requestId, position: 2, length: 13, step: FORWARD_STEP });
    const output = h.page.getByTestId('trace-output');
    await output.waitFor();
    assert.equal(await output.getAttribute('data-shape'), '4x3');
    assert.equal(await output.getAttribute('data-max'), '9');
    assert.match(await output.innerText(), /-1\.25/);
    await h.page.locator('.op-node.trace-forward[data-node-id="h1"]').waitFor();
    assert.match(await h.page.getByTestId('trace-position').innerText(), /step\s*2\s*of 13/);
    await h.clearPosted();

    await send({
      type: 'traceStep',
      requestId: step.requestId,
      position: 9,
      length: 13,
      step: BACKWARD_STEP,
    });
    await h.page.getByTestId('trace-backward').waitFor();
    await h.page.locator('.op-node.trace-backward[data-node-id="logits"]').waitFor();
    assert.equal(
      await h.page.locator('.op-node.trace-forward').count(),
      0,
      'only the current node is marked',
    );
    assert.match(await h.page.getByTestId('trace-rule').innerText(), /φᵀ ⊗ I[\s\S]*G φᵀ/);
    const incoming = Number(await h.page.getByTestId('trace-incoming').getAttribute('data-norm'));
    assert.ok(Math.abs(incoming - Math.hypot(0.01, -0.02, 0.01, 0.03, 0, -0.03)) < 1e-6);
    const weight = h.page.getByTestId('trace-passed-logits.weight');
    assert.equal(await weight.getByTestId('trace-accumulated').getAttribute('data-shape'), '3x2');
    assert.equal(await h.page.getByTestId('trace-passed-a2').count(), 1);
    await shot('step-through-dark');

    await h.page.getByTestId('trace-back').click();
    assert.equal((await h.waitForPosted(isRequest('trace'))).action, 'back');
    await h.clearPosted();
    // Following the step panned the canvas to 'logits'; bring the whole graph back to pick 'h2'.
    await h.page.getByTestId('fit-view').click();
    await h.page.waitForTimeout(400);
    await h.page.locator('.op-node[data-node-id="h2"]').click();
    await h.page.waitForFunction(
      () =>
        (document.querySelector('[data-testid="trace-target-node"]') as HTMLSelectElement)?.value === 'h2',
    );
    await h.page.getByTestId('trace-run-to').click();
    const to = await h.waitForPosted(isRequest('traceTo'));
    assert.deepEqual(to.target, { node: 'h2', phase: 'backward' });
    await h.clearPosted();

    await h.page.getByTestId('trace-to-backward').click();
    assert.deepEqual((await h.waitForPosted(isRequest('traceTo'))).target, {
      node: 'loss',
      phase: 'backward',
    });
    await h.clearPosted();

    await h.page.getByTestId('trace-end').click();
    assert.equal((await h.waitForPosted(isRequest('trace'))).action, 'end');
    await send({
      type: 'runStatus',
      status: status({ phase: 'paused', step: 42, epoch: 5, tracing: false }),
    });
    await h.page.locator('.op-node.trace-backward').waitFor({ state: 'detached' });
    await h.page
      .getByTestId('trace-hint')
      .getByText(/Start takes the run/)
      .waitFor();
    await h.clearPosted();
  });

  it('draws what the real engine sends for the spiral (curves, overlay, boundary, a backward step)', async () => {
    const engine = new SessionHarness();
    engine.document(exampleDoc('spiral'));
    engine.send({ type: 'runOptions', options: { overlay: true, prediction: true, hiddenUnits: false } });
    engine.send({ type: 'run', action: 'play' });
    engine.runTasks(40);
    engine.send({ type: 'run', action: 'pause' });
    engine.runTasks(2);
    // Forward everything, as the host does.
    await send({ type: 'runStatus', status: status({ phase: 'idle', step: 0 }) });
    for (const e of engine.runEvents) await send(e);
    engine.clear();
    assert.match(await h.page.getByTestId('run-step').innerText(), /step\s*[1-9]/);
    await h.page.getByTestId('run-tab-train').click();
    assert.ok(Number(await attr('loss-chart', 'trace-points')) > 0);
    await h.page.locator('.op-node.overlaid[data-node-id="h1"]').waitFor();
    await h.page.getByTestId('run-tab-prediction').click();
    await h.page.waitForFunction(
      () =>
        document.querySelector('[data-testid="prediction-canvas"]')?.getAttribute('data-kind') === 'boundary',
    );
    await shot('engine-prediction-dark');

    await h.page.getByTestId('run-tab-step').click();
    engine.send({ type: 'trace', requestId: 900, action: 'start' });
    // Forward through every node, then three backward steps: the loss, the last linear layer, its input.
    let backward = 0;
    for (let k = 0; backward < 3 && k < 100; k++) {
      engine.send({ type: 'trace', requestId: 901 + k, action: 'step' });
      engine.runTasks(2);
      if (engine.of('traceStep').at(-1)?.step?.phase === 'backward') backward++;
    }
    for (const e of engine.runEvents) await send(e);
    const last = engine.of('traceStep').at(-1)!;
    assert.equal(last.step?.phase, 'backward', `step ${last.position} of ${last.length} is backward`);
    // The page draws once per animation frame: wait for the last step to be the one drawn.
    await h.page.waitForFunction(
      (p) => document.querySelector('[data-testid="trace-position"]')?.getAttribute('data-position') === p,
      String(last.position),
    );
    await h.page.getByTestId('trace-backward').waitFor();
    const shown = Number(await h.page.getByTestId('trace-incoming').getAttribute('data-norm'));
    const engineNorm = Math.hypot(...(last.step as { incoming: { data: Float32Array } }).incoming.data);
    assert.ok(Math.abs(shown - engineNorm) <= 1e-6 * Math.max(1, engineNorm), `${shown} vs ${engineNorm}`);
    await h.page.locator(`.op-node.trace-backward[data-node-id="${last.step!.node}"]`).waitFor();
    await shot('engine-step-through-dark');
  });

  it('looks right in the light theme too', async () => {
    await useTheme(LIGHT);
    await h.page.waitForTimeout(100);
    await shot('step-through-light');
    await send({
      type: 'runStatus',
      status: status({ phase: 'paused', step: 25, epoch: 3, epochs: 100, loss: 0.61 }),
    });
    await send(metrics(0, 25, 0, 2));
    await h.page.getByTestId('run-tab-train').click();
    await shot('train-light');
    await h.page.getByTestId('run-tab-prediction').click();
    await shot('prediction-light');
    await h.page.locator('.op-node[data-node-id="logits"]').hover();
    await h.page.getByTestId('node-stats').waitFor();
    await shot('overlay-hover-light');
    // The size of an editor in a 1400×900 VS Code window with the side bar open.
    await h.page.setViewportSize({ width: 800, height: 760 });
    await h.page.mouse.move(5, 5);
    await h.page.getByTestId('run-tab-train').click();
    await h.page.waitForTimeout(200);
    await shot('train-narrow-light');
    assert.deepEqual(h.errors, [], 'no errors in the page console');
  });
});
