/**
 * The Analyses tab of the run panel in headless Chromium (the editor's own bundle, harness.ts),
 * drawing REAL reports: analyzeGraph on the sawtooth example at its hand-made weights (16 exact
 * pieces) and on the spiral (2-D regions), posted as `analysisResult` events the way the host
 * forwards the worker's answer to the webview's `analyze` request. Asserts that what is on screen
 * is the report's numbers, and saves screenshots under out/screenshots/.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Locator } from 'playwright-core';
import { parseGraph } from '../../../engine/graph/parse.js';
import { compileGraph } from '../../../engine/graph/compile.js';
import { readWeights } from '../../../engine/graph/weights.js';
import { analyzeGraph } from '../../../engine/analysis/graph.js';
import type { AnalysisReport, AnalysisWeights } from '../../../engine/analysis/report.js';
import { formatCount, formatNumber } from '../../../engine/analysis/format.js';
import type { GraphDoc } from '../../../engine/graph/document.js';
import type { WebviewToHost } from '../../../extension/protocol.js';
import { buildWebview, Harness, documentState } from '../harness.js';

const root = resolve(__dirname, '..', '..', '..');
const shots = join(root, 'out', 'screenshots');

function exampleDoc(name: string): GraphDoc {
  const parsed = parseGraph(readFileSync(join(root, 'examples', `${name}.nngraph.json`), 'utf8'));
  assert.ok(parsed.doc, `examples/${name} parses`);
  return parsed.doc;
}

function analyzeExample(name: string, weights: AnalysisWeights, weightsFile?: string): AnalysisReport {
  const doc = exampleDoc(name);
  const compiled = compileGraph(doc, {
    batchSize: doc.training.batchSize,
    dtype: 'float64',
    weights: weightsFile ? readWeights(readFileSync(join(root, weightsFile), 'utf8')) : undefined,
  });
  // A few hundred directions are plenty to time each mode (the rest is extrapolated, and said so).
  return analyzeGraph(compiled, { weights, modes: { maxDirections: 200, clock: () => performance.now() } });
}

/** data-value holds String(v), which writes −0 as 0. */
const unsigned = (v: number) => (v === 0 ? 0 : v);

type AnalyzeMsg = Extract<WebviewToHost, { type: 'analyze' }>;
const isAnalyze = (m: WebviewToHost): m is AnalyzeMsg => m.type === 'analyze';

describe('the Analyses view in headless Chromium', { timeout: 180_000 }, () => {
  let h: Harness;
  const sawtooth = analyzeExample(
    'sawtooth',
    { kind: 'file', file: 'examples/sawtooth.weights.json' },
    'examples/sawtooth.weights.json',
  );
  const spiral = analyzeExample('spiral', { kind: 'trained', step: 120, epoch: 13 });
  const sine = analyzeExample('sine', { kind: 'initial' });
  const byId = (id: string): Locator => h.page.getByTestId(id);
  const valueOf = async (id: string) => Number(await byId(id).getAttribute('data-value'));

  /** Clicks Analyze, checks the request and the busy state, and answers with `report`. */
  async function analyzeAndAnswer(report: AnalysisReport): Promise<void> {
    await h.clearPosted();
    await byId('analysis-run').click();
    const req = await h.waitForPosted(isAnalyze);
    await byId('analysis-busy').waitFor();
    assert.equal(await byId('analysis-run').getAttribute('disabled'), '');
    await h.send({ type: 'analysisResult', requestId: req.requestId, report });
    await byId('analysis-busy').waitFor({ state: 'detached' });
  }

  before(async () => {
    const e2eDir = join(root, '.e2e');
    mkdirSync(e2eDir, { recursive: true });
    mkdirSync(shots, { recursive: true });
    const out = mkdtempSync(join(e2eDir, 'analysis-'));
    buildWebview(out);
    h = await Harness.start(out, { width: 1280, height: 1500 });
    h.page.setDefaultTimeout(30_000);
    await h.waitForPosted((m): m is WebviewToHost => m.type === 'ready');
    const doc = exampleDoc('sawtooth');
    await h.send({ type: 'init', fileName: 'sawtooth.nngraph.json', version: 1, ...documentState(doc) });
    await h.page.locator('.op-node').first().waitFor();
    await byId('run-tab-analyses').click();
    // A tall dock, so the screenshots show the whole view: drag its edge up.
    const edge = (await byId('run-dock-resize').boundingBox())!;
    await h.page.mouse.move(edge.x + edge.width / 2, edge.y + edge.height / 2);
    await h.page.mouse.down();
    await h.page.mouse.move(edge.x + edge.width / 2, 170, { steps: 5 });
    await h.page.mouse.up();
  });

  after(async () => {
    await h?.close();
  });

  it('offers Analyze before any report, and asks the host when clicked', async () => {
    await byId('analysis-empty').waitFor();
    assert.equal((await byId('analysis-run').textContent())?.trim(), 'Analyze');
    await analyzeAndAnswer(sawtooth);
    assert.equal((await byId('analysis-run').textContent())?.trim(), 'Analyze again');
    assert.deepEqual(h.errors, []);
  });

  it('an analysis in progress shows the part it is in and a Cancel; cancelled, the last report stays', async () => {
    await h.clearPosted();
    await byId('analysis-run').click();
    const req = await h.waitForPosted(isAnalyze);
    await h.send({
      type: 'taskProgress',
      requestId: req.requestId,
      kind: 'analyze',
      done: 120,
      total: 400,
      label: 'Hessian: Lanczos 12/40',
    });
    const progress = byId('analysis-progress');
    await h.page.getByText('30 %').waitFor();
    assert.match(await progress.innerText(), /30 %\s+Hessian: Lanczos 12\/40/);
    assert.equal(await byId('analysis-run').getAttribute('disabled'), '');
    await h.page.screenshot({ path: join(shots, 'analysis-progress.png') });
    await h.clearPosted();
    await byId('analysis-progress-cancel').click();
    const cancel = await h.waitForPosted(
      (m): m is Extract<WebviewToHost, { type: 'cancelTask' }> => m.type === 'cancelTask',
    );
    assert.equal(cancel.requestId, req.requestId);
    await h.send({
      type: 'taskCancelled',
      requestId: req.requestId,
      kind: 'analyze',
      reason: 'Analysis cancelled.',
    });
    await byId('analysis-busy').waitFor({ state: 'detached' });
    assert.equal((await byId('analysis-cancelled').innerText()).trim(), 'Analysis cancelled.');
    // The toolkit's button reflects `disabled` to its attribute a moment after React sets it.
    await h.page.waitForFunction(
      () => !document.querySelector('[data-testid="analysis-run"]')?.hasAttribute('disabled'),
    );
    assert.equal((await byId('analysis-run').textContent())?.trim(), 'Analyze again');
    assert.equal(
      await byId('analysis-report').getAttribute('class'),
      'analysis-grid',
      'the last report, not dimmed',
    );
  });

  it('sawtooth: 16 exact pieces at depth 4, drawn as the polyline with its 15 breakpoints', async () => {
    const o = sawtooth.regions.oneD!;
    assert.equal(o.pieces, 16, 'the example itself');
    assert.equal(await valueOf('regions-pieces'), o.pieces);
    assert.equal((await byId('regions-pieces').textContent())?.trim(), '16');
    assert.equal(await valueOf('regions-depth'), o.depth);
    assert.equal(await valueOf('regions-power'), 2 ** o.depth);
    assert.match((await byId('regions-compare').textContent())!, /16 linear pieces = 2\^4/);
    assert.equal(await byId('regions-breakpoint').count(), o.breakpoints.length);
    const points = (await byId('regions-polyline').getAttribute('points'))!.trim().split(/\s+/);
    assert.equal(points.length, o.polyline.x.length);
    assert.equal(
      await byId('regions-breakpoints').textContent(),
      `Breakpoints on [-2, 2]: ${o.breakpoints.map(formatNumber).join(', ')}`,
    );
    assert.equal(
      await byId('analysis-weights').textContent(),
      'At the weights in examples/sawtooth.weights.json.',
    );
  });

  it('sawtooth: forward vs reverse mode shows the cost model, the measured times and the MLP formulas', async () => {
    for (const id of ['gradient', 'jacobian'] as const) {
      const c = sawtooth.modes[id];
      for (const mode of ['forward', 'reverse'] as const) {
        assert.equal(await valueOf(`modes-${id}-${mode}-directions`), c[mode].directions);
        assert.equal(await valueOf(`modes-${id}-${mode}-flops`), c[mode].flops);
        assert.equal(
          (await byId(`modes-${id}-${mode}-flops`).textContent())?.trim(),
          formatCount(c[mode].flops),
        );
        assert.equal(await valueOf(`modes-${id}-${mode}-bytes`), c[mode].bytes);
        assert.equal(await valueOf(`modes-${id}-${mode}-ms`), c.measured![mode].msAll);
      }
    }
    // One scalar loss, 20 parameters: reverse mode wins the gradient; 50 outputs > 20 parameters: forward the Jacobian.
    assert.equal(await byId('modes-gradient-verdict').getAttribute('data-winner'), 'reverse');
    assert.match(
      (await byId('modes-gradient-verdict').textContent())!,
      /one scalar output needs a single VJP/,
    );
    assert.equal(await byId('modes-jacobian-verdict').getAttribute('data-winner'), 'forward');
    const mlp = sawtooth.modes.mlp!;
    assert.equal(await byId('modes-mlp-forward-formula').textContent(), mlp.formula.forwardFormula);
    assert.equal(await byId('modes-mlp-reverse-formula').textContent(), mlp.formula.reverseFormula);
    assert.equal(await valueOf('modes-mlp-forward-formula'), mlp.formula.forwardMultiplyAdds);
    assert.equal(await valueOf('modes-mlp-forward-flops'), mlp.model.forward.flops);
    assert.equal(await byId('modes-mlp-widths').textContent(), mlp.formula.widths.join(', '));
  });

  it('sawtooth: the Hessian with its dense cross-check, and the eigenvector entries by node', async () => {
    const hs = sawtooth.hessian;
    assert.equal(await valueOf('hessian-top'), hs.top.value);
    assert.equal(await valueOf('hessian-bottom'), hs.bottom.value);
    assert.equal(await byId('hessian-method').getAttribute('data-method'), 'lanczos+dense');
    assert.match((await byId('hessian-crosscheck').textContent())!, /Dense eigenvalues agree with Lanczos/);
    assert.equal(await byId('hessian-spectrum').getAttribute('data-source'), 'dense');
    assert.equal(
      await byId('hessian-spectrum').locator('.spectrum-tick').count(),
      hs.dense!.eigenvalues!.length,
    );
    assert.match((await byId('hessian-remarks').textContent())!, /2\/λ_max = /);
    const rows = byId('hessian-top-components').getByTestId('hessian-top-components-row');
    assert.equal(await rows.count(), hs.top.largest.length);
    const first = hs.top.largest[0]!;
    assert.equal(
      (await rows.first().locator('.bar-label').textContent())?.trim(),
      `${first.node}.${first.param}[${first.at.join(', ')}]`,
    );
    assert.equal(Number(await rows.first().locator('.num').getAttribute('data-value')), first.value);
    // Clicking a node name selects that node on the canvas.
    await rows.first().getByTestId('analysis-node-link').click();
    await h.page.locator(`.op-node.selected[data-node-id="${first.node}"]`).waitFor();
  });

  it('sawtooth: the Kronecker view shows φᵀ ⊗ I beside G φᵀ, and that they agree', async () => {
    const k = sawtooth.kronecker!;
    assert.equal(await byId('kron-node').textContent(), k.node);
    const jac = byId('kron-jacobian');
    assert.equal(Number(await jac.getAttribute('data-rows')), k.jacobian.length);
    assert.equal(Number(await jac.getAttribute('data-cols')), k.jacobian[0]!.length);
    const cells = await jac
      .locator('.cell')
      .evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-value'))));
    assert.deepEqual(cells, k.jacobian.flat().map(unsigned));
    const vjp = await byId('kron-vjp')
      .locator('.cell')
      .evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-value'))));
    assert.deepEqual(vjp, k.vjp.flat().map(unsigned));
    assert.equal(await byId('kron-check').getAttribute('data-agree'), 'true');
    const gIsZero = k.g.flat().every((v) => v === 0);
    assert.equal(await byId('kron-zero').count(), gIsZero ? 1 : 0);
    assert.equal(await valueOf('kron-difference'), k.maxDifference);
    await h.page.screenshot({ path: join(shots, 'analysis-sawtooth.png') });
    await byId('analysis-kronecker').scrollIntoViewIfNeeded();
    await h.page.screenshot({ path: join(shots, 'analysis-sawtooth-kronecker.png') });
  });

  it('spiral: the 2-D regions drawn over the input plane, one colour per region', async () => {
    await h.send({ type: 'docChanged', version: 2, ...documentState(exampleDoc('spiral')) });
    await h.page.locator('.op-node[data-node-id="logits"]').waitFor();
    await analyzeAndAnswer(spiral);
    const g = spiral.regions.twoD!;
    assert.equal(await valueOf('regions-count'), g.regions);
    assert.equal(await valueOf('regions-depth'), g.depth);
    assert.equal(await byId('regions-pieces').count(), 0);
    const canvas = byId('regions-grid');
    assert.equal(Number(await canvas.getAttribute('width')), g.width);
    // Two cells in different regions (away from edges) have different colours; the same region, the same.
    const pixels = await canvas.evaluate((c: HTMLCanvasElement) =>
      Array.from(c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data),
    );
    const colourAt = (r: number, c: number) => {
      const at = 4 * ((g.height - 1 - r) * g.width + c);
      return pixels.slice(at, at + 3).join(',');
    };
    const interior = (r: number, c: number) =>
      c + 1 < g.width &&
      r + 1 < g.height &&
      g.region[r * g.width + c + 1] === g.region[r * g.width + c] &&
      g.region[(r + 1) * g.width + c] === g.region[r * g.width + c];
    const seen = new Map<number, string>();
    for (let r = 0; r < g.height; r++)
      for (let c = 0; c < g.width; c++) {
        if (!interior(r, c)) continue;
        const id = g.region[r * g.width + c]!;
        const colour = colourAt(r, c);
        if (seen.has(id)) assert.equal(colour, seen.get(id), `region ${id} has one colour`);
        else seen.set(id, colour);
      }
    assert.ok(seen.size > 20, `many regions drawn (${seen.size})`);
    assert.ok(new Set(seen.values()).size > 20, 'in many colours');
    assert.equal(await byId('analysis-weights').textContent(), 'After training: step 120, epoch 13.');
    assert.equal(await byId('hessian-method').getAttribute('data-method'), 'lanczos');
    assert.equal(await byId('hessian-spectrum').getAttribute('data-source'), 'ritz');
    assert.equal(
      await byId('hessian-spectrum').locator('.spectrum-tick').count(),
      spiral.hessian.ritzValues.length,
    );
    assert.equal(await valueOf('hessian-top'), spiral.hessian.top.value);
    assert.equal(await byId('modes-gradient-verdict').getAttribute('data-winner'), 'reverse');
    assert.equal(await byId('modes-gradient-forward-extrapolated').count(), 1);
    await byId('kron-note').waitFor();
    const bottom = spiral.hessian.bottom.largest[0]!.node;
    await byId('hessian-bottom-components').getByTestId('analysis-node-link').first().click();
    await h.page.locator(`.op-node.selected[data-node-id="${bottom}"]`).waitFor();
    await h.page.screenshot({ path: join(shots, 'analysis-spiral.png') });
    assert.deepEqual(h.errors, []);
  });
  it('sine (tanh): no linear regions, and the reason; at the initial weights', async () => {
    await h.send({ type: 'docChanged', version: 3, ...documentState(exampleDoc('sine')) });
    await analyzeAndAnswer(sine);
    assert.ok(sine.regions.note, 'a tanh network has no exact regions');
    assert.equal(await byId('regions-note').textContent(), `No regions to draw: ${sine.regions.note}.`);
    assert.equal(await byId('regions-plot').count(), 0);
    assert.equal(await byId('regions-grid').count(), 0);
    assert.equal(await byId('analysis-weights').getAttribute('data-kind'), 'initial');
    assert.equal(await byId('hessian-method').getAttribute('data-method'), 'lanczos+dense');
    assert.equal(await valueOf('hessian-bottom'), sine.hessian.bottom.value);
    assert.deepEqual(h.errors, []);
  });
});
