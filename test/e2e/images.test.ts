/**
 * Seeing inside an image classifier, end to end in the real VS Code workbench (code-server) with
 * the packaged .vsix: mnist-lenet trains on the MNIST digits shipped in the extension (one epoch on
 * its first 2,000 digits, so the test stays short), then the Images tab shows held-out samples
 * misclassified first, the confusion matrix, and for a clicked sample its saliency map and feature
 * maps, and the learned filters. Screenshots of each view go to .e2e/screenshots/ to be looked at.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FrameLocator, Page } from 'playwright-core';
import { parseGraph } from '../../engine/graph/parse.js';
import { serializeGraph } from '../../engine/graph/serialize.js';
import { e2eDir, repoRoot } from './code-server.js';
import { openGraph, openWorkbench, runPanel, type Workbench } from './workbench-actions.js';

const screenshots = join(e2eDir, 'screenshots');

describe('the Images view in the editor (code-server)', { timeout: 900_000 }, () => {
  let wb: Workbench | undefined;
  let page: Page;
  let view: FrameLocator;

  before(async () => {
    const doc = parseGraph(readFileSync(join(repoRoot, 'examples', 'mnist-lenet.nngraph.json'), 'utf8')).doc!;
    doc.training.dataset = { kind: 'mnist', samples: 2000 };
    doc.training.epochs = 1;
    wb = await openWorkbench(
      { 'workbench.colorTheme': 'Default Dark Modern' },
      { 'mnist-lenet.nngraph.json': serializeGraph(doc) },
    );
    ({ page } = wb);
    mkdirSync(screenshots, { recursive: true });
  });

  after(async () => wb?.close());

  const { testId } = runPanel(() => view);

  it('trains mnist-lenet on the shipped digits to the end of its epoch', async () => {
    view = await openGraph(page, 'mnist-lenet.nngraph.json');
    await testId('run-tab-images').click();
    await testId('run-play').click();
    await testId('images-view').waitFor({ timeout: 120_000 });
    await page.screenshot({ path: join(screenshots, 'images-while-training.png') });
    await view
      .getByTestId('run-phase')
      .getByText(/finished/i)
      .waitFor({ timeout: 600_000 });
  });

  it('shows samples misclassified first, a confusion matrix and per-class accuracy that learned', async () => {
    // The view after the last step (sent when the run stands still).
    await view.locator('[data-testid="images-view"][data-step="50"]').waitFor({ timeout: 60_000 });
    const summary = await testId('images-summary').innerText();
    const m = /(\d+) of (\d+) validation images right/.exec(summary);
    assert.ok(m, summary);
    const [right, of] = [Number(m[1]), Number(m[2])];
    assert.equal(of, 400);
    assert.ok(right / of > 0.6, `after one epoch on 1,600 digits: ${summary}`);
    const counts = await testId('confusion-matrix')
      .locator('td[data-count]')
      .evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-count'))));
    assert.equal(
      counts.reduce((a, b) => a + b, 0),
      of,
    );
    const samples = await testId('sample').evaluateAll((els) =>
      els.map((e) => e.getAttribute('data-label') !== e.getAttribute('data-predicted')),
    );
    assert.equal(samples.length, 48);
    const firstRight = samples.indexOf(false);
    assert.ok(firstRight === -1 || samples.slice(firstRight).every((w) => !w), 'misclassified first');
    await page.screenshot({ path: join(screenshots, 'images-grid.png') });
  });

  it('a clicked sample shows its saliency map and feature maps; the learned filters are drawn', async () => {
    const sample = testId('sample').first();
    const row = await sample.getAttribute('data-row');
    await sample.locator('canvas').click();
    await view.locator(`[data-testid="picked-sample"][data-row="${row}"]`).waitFor({ timeout: 60_000 });
    await testId('saliency-map').waitFor();
    assert.equal(await testId('feature-maps-c1').locator('canvas').count(), 6);
    assert.equal(await testId('feature-maps-c3').locator('canvas').count(), 16);
    await testId('picked-sample').evaluate((e) => e.scrollIntoView({ block: 'start' }));
    await page.screenshot({ path: join(screenshots, 'images-picked.png') });
    assert.equal(await testId('filters-c3').locator('canvas').count(), 96);
    await testId('learned-filters').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(screenshots, 'images-filters.png') });
  });
});
