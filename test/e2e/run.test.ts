/**
 * Training in the editor, end to end in the real VS Code workbench (code-server) with the packaged
 * .vsix: open the spiral, set the epochs in the run panel (a document edit), press Train and watch
 * the loss fall and the overlay's colours change, pause, step through backprop and check that the
 * gradient the panel shows for a node equals the engine's own full backward pass on the same batch
 * at the same weights (replayed here: training is deterministic for a seed), run the gradient check
 * and the analyses. Screenshots of the overlay, the decision boundary, the step-through panel and
 * the analyses go to .e2e/screenshots/.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { FrameLocator, Page } from 'playwright-core';
import { parseGraph } from '../../engine/graph/parse.js';
import { readWeights } from '../../engine/graph/weights.js';
import { prepareTraining } from '../../engine/train/session.js';
import { e2eDir, repoRoot } from './code-server.js';
import { openGraph, openWorkbench, runPanel, waitForFile, type Workbench } from './workbench-actions.js';
import { assertSameGradient, engineGradient } from './engine-oracle.js';

const screenshots = join(e2eDir, 'screenshots');
/** Enough epochs (a million steps) that the run is still going when the test pauses it. */
const EPOCHS = 100_000;

describe('training in the editor (code-server)', { timeout: 900_000 }, () => {
  let wb: Workbench | undefined;
  let page: Page;
  let view: FrameLocator;
  let spiralPath: string;

  before(async () => {
    const spiral = readFileSync(join(repoRoot, 'examples', 'spiral.nngraph.json'), 'utf8');
    wb = await openWorkbench(
      { 'workbench.colorTheme': 'Default Dark Modern' },
      { 'spiral.nngraph.json': spiral },
    );
    ({ page } = wb);
    spiralPath = join(wb.workspace, 'spiral.nngraph.json');
    mkdirSync(screenshots, { recursive: true });
  });

  after(async () => wb?.close());

  const { testId, text, number, waitForText } = runPanel(() => view);

  it('sets the epochs in the run panel as a document edit, saved to the file', async () => {
    view = await openGraph(page, 'spiral.nngraph.json');
    await testId('run-panel').waitFor();
    const field = testId('setting-epochs').locator('input');
    await field.fill(String(EPOCHS));
    await field.press('Enter');
    await page.keyboard.press('Control+S');
    const saved = await waitForFile(spiralPath, (t) => parseGraph(t).doc?.training.epochs === EPOCHS);
    assert.equal(parseGraph(saved).doc!.training.epochs, EPOCHS);
  });

  it('trains: the loss falls and the overlay colours change; pause stops it', async () => {
    await testId('run-play').click();
    await waitForText('run-phase', /running/i);
    // The first numbers after a few steps, then again a few seconds later.
    await waitUntil(async () => (await number('run-step')) >= 20, 'the run never took 20 steps');
    const early = { loss: await number('run-loss'), colours: await overlayColours() };
    await waitUntil(async () => (await number('run-step')) >= 1500, 'the run never reached step 1500');
    const later = { loss: await number('run-loss'), colours: await overlayColours() };
    assert.ok(later.loss < early.loss * 0.5, `loss fell from ${early.loss} to ${later.loss}`);
    assert.notDeepEqual(later.colours, early.colours, 'the overlay colours changed as the run trained');
    await page.screenshot({ path: join(screenshots, 'run-overlay.png') });

    await testId('run-tab-prediction').click();
    await testId('prediction-canvas').waitFor();
    await page.screenshot({ path: join(screenshots, 'run-decision-boundary.png') });

    await testId('run-pause').click();
    await waitForText('run-phase', /paused/i).catch(async (e: Error) => {
      await page.screenshot({ path: join(screenshots, 'run-pause-failed.png') });
      const bar = await page.locator('.statusbar').innerText();
      throw new Error(`${e.message}; the status bar says: ${bar}`);
    });
    const step = await number('run-step');
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(await number('run-step'), step, 'no step is taken while paused');
  });

  it('saves the trained weights beside the graph from the run panel', async () => {
    const step = await number('run-step');
    await testId('run-tab-train').click();
    await testId('save-weights').click();
    const file = join(dirname(spiralPath), 'spiral.weights.json');
    const readable = (t: string) => {
      try {
        return readWeights(t) !== null;
      } catch {
        return false;
      }
    };
    const weights = readWeights(await waitForFile(file, readable));
    assert.deepEqual(Object.keys(weights.weights).sort(), ['h1', 'h2', 'logits']);
    assert.equal(await number('run-step'), step, 'saving does not train');
  });

  it('steps backward three nodes; the gradient shown equals the engine’s full backward pass', async () => {
    const stepsTrained = await number('run-step');
    await testId('run-tab-step').click();
    await testId('trace-start').click();
    await waitForPosition(0);
    // Forward through every node, then three nodes of the backward pass: the last ones from the
    // keyboard (focus is on the Step button in the webview), as VS Code passes F10 / Shift+F10 on.
    const doc = parseGraph(readFileSync(spiralPath, 'utf8')).doc!;
    // The forward steps: the input's batch, then every computed node (the target has none).
    const clicks = doc.nodes.filter((n) => n.op !== 'target').length + 3;
    for (let i = 0; i < clicks; i++) {
      await testId('trace-step').click();
      await waitForPosition(i + 1);
    }
    for (const [key, position] of [
      ['F10', clicks + 1],
      ['Shift+F10', clicks],
      ['F10', clicks + 1],
      ['F10', clicks + 2],
    ] as const) {
      await page.keyboard.press(key);
      await waitForPosition(position);
    }
    const node = (await testId('trace-backward').locator('h3 code').innerText()).trim();
    const shown = JSON.parse((await testId('trace-incoming').getAttribute('data-first'))!) as number[];
    await page.screenshot({ path: join(screenshots, 'run-step-through.png') });

    // The engine's numbers: the same run replayed in this process to the same step, then the
    // batch the step-through took, through a full forward and backward pass.
    const session = prepareTraining(doc);
    for (let s = 0; s < stepsTrained; s++) session.trainer.trainStep();
    assertSameGradient(shown, engineGradient(session.trainer.loadNextBatch()!, node), node, 1e-6);
  });

  it('checks the gradients against finite differences at the trained weights', async () => {
    await testId('trace-end').click();
    await testId('gradcheck').click();
    await testId('gradcheck-worst').waitFor();
    // How far the run got depends on the machine's speed; once the network fits its batch, some
    // gradients fall below what differences resolve. Those show "–" (no verdict); none may fail.
    const verdicts = await badgeVerdicts();
    assert.ok(Object.keys(verdicts).length > 0, 'every checked node carries a badge');
    for (const [node, v] of Object.entries(verdicts))
      assert.ok(v === 'ok' || v === 'unresolved', `${node}: ${v}`);
    const summary = await text('gradcheck-worst');
    const worst = /worst ([0-9.eE+-]+)/.exec(summary)?.[1];
    if (worst !== undefined) assert.ok(Number(worst) < 1e-5, `worst relative error ${worst}`);
    else assert.match(summary, /too small to check/);
  });

  it('shows the analyses at the trained weights', async () => {
    await testId('run-tab-analyses').click();
    await testId('analysis-run').click();
    await testId('analysis-report').waitFor({ timeout: 120_000 });
    assert.equal(await testId('analysis-weights').getAttribute('data-kind'), 'trained');
    assert.ok(Number.isFinite(Number(await testId('hessian-top').getAttribute('data-value'))));
    await page.screenshot({ path: join(screenshots, 'run-analyses.png') });
  });

  it('checks the gradients early in a fresh run: every node resolved, worst below 1e-5', async () => {
    await testId('run-reset').click();
    await waitForText('run-phase', /idle/i);
    for (let i = 1; i <= 5; i++) {
      await testId('run-step-once').click();
      await waitUntil(async () => (await number('run-step')) === i, `step ${i} never showed`);
    }
    await testId('run-tab-step').click();
    await testId('gradcheck').click();
    await testId('gradcheck-worst').waitFor();
    const verdicts = await badgeVerdicts();
    assert.deepEqual(Object.keys(verdicts).sort(), ['h1', 'h2', 'logits']);
    for (const [node, v] of Object.entries(verdicts)) assert.equal(v, 'ok', node);
    const worst = Number(/worst ([0-9.eE+-]+)/.exec(await text('gradcheck-worst'))?.[1]);
    assert.ok(Number.isFinite(worst) && worst < 1e-5, `worst relative error ${worst}`);
    await page.screenshot({ path: join(screenshots, 'run-gradcheck.png') });
  });

  /** Each node's gradient-check badge: 'ok', 'bad' or 'unresolved'. */
  async function badgeVerdicts(): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    for (const node of await view.locator('.op-node').all()) {
      const badge = node.locator('[data-testid="node-gradcheck"]');
      if ((await badge.count()) === 0) continue;
      const cls = (await badge.getAttribute('class')) ?? '';
      out[(await node.getAttribute('data-node-id'))!] =
        ['ok', 'bad', 'unresolved'].find((v) => cls.split(/\s+/).includes(v)) ?? cls;
    }
    return out;
  }

  async function waitForPosition(position: number): Promise<void> {
    const shown = testId('trace-position');
    await waitUntil(
      // A trace that has arrived (before it does, the readout says 0 of 0).
      async () =>
        (await shown.getAttribute('data-position')) === String(position) &&
        (await shown.getAttribute('data-length')) !== '0',
      `the step-through never reached step ${position}`,
    );
  }

  /** Each node's overlay chip: its colour and the magnitude it stands for (what a person sees change). */
  async function overlayColours(): Promise<Record<string, string>> {
    const chips = view.locator('.op-node [data-testid="node-overlay-value"]');
    await chips.first().waitFor();
    const out: Record<string, string> = {};
    for (const node of await view.locator('.op-node').all()) {
      const chip = node.locator('[data-testid="node-overlay-value"]');
      if ((await chip.count()) === 0) continue;
      out[(await node.getAttribute('data-node-id'))!] =
        `${await chip.getAttribute('style')} ${await chip.getAttribute('data-value')}`;
    }
    return out;
  }
});

async function waitUntil(ready: () => Promise<boolean>, message: string, timeout = 120_000): Promise<void> {
  const deadline = Date.now() + timeout;
  while (!(await ready())) {
    if (Date.now() > deadline) throw new Error(message);
    await new Promise((r) => setTimeout(r, 100));
  }
}
