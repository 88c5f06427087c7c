/**
 * Beyond chains of layers, end to end in the real VS Code workbench (code-server) with the packaged
 * .vsix (issue #15): the transformer example (4-head attention from parts) trains to the end of
 * its 20 epochs and the run panel's validation accuracy is read (and, with the wall time from
 * Train to finished, printed and written to .e2e/multi-input-transformer.json); the two-input iris
 * network trains, is stepped through node by node (both input nodes are read; the gradient shown
 * equals the engine's own full backward pass on the same batch), gradient-checked, analysed and
 * exported from the run panel, PyTorch then TypeScript then ONNX, each button clicked after the one
 * before has opened its file and the graph's tab is shown again (the PyTorch package, the TypeScript
 * module and the ONNX model in onnxruntime compute the engine's logits at the trained weights).
 * Screenshots go to .e2e/screenshots/multi-*.png.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { spawnSync } from 'node:child_process';
import type { FrameLocator, Page } from 'playwright-core';
import * as ort from 'onnxruntime-node';
import { parseGraph } from '../../engine/graph/parse.js';
import { prepareTraining } from '../../engine/train/session.js';
import { e2eDir, repoRoot, webviewFrame } from './code-server.js';
import { openGraph, openWorkbench, runPanel, waitForFile, type Workbench } from './workbench-actions.js';
import { assertSameGradient, engineGradient } from './engine-oracle.js';
import { inputFeeds } from '../../engine/train/trainable.js';

const screenshots = join(e2eDir, 'screenshots');
const example = (name: string) => readFileSync(join(repoRoot, 'examples', name), 'utf8');

describe('graphs beyond chains of layers in the editor (code-server)', { timeout: 1_500_000 }, () => {
  let wb: Workbench | undefined;
  let page: Page;
  let view: FrameLocator;
  let workspace: string;

  before(async () => {
    wb = await openWorkbench(
      { 'workbench.colorTheme': 'Default Dark Modern' },
      {
        'transformer-reverse.nngraph.json': example('transformer-reverse.nngraph.json'),
        'iris-two-inputs.nngraph.json': example('iris-two-inputs.nngraph.json'),
      },
    );
    ({ page, workspace } = wb);
    mkdirSync(screenshots, { recursive: true });
  });

  after(async () => wb?.close());

  const { testId, text, waitForPhase } = runPanel(() => view);

  it('the transformer learns to reverse its sequences: validation accuracy read from the run panel', async () => {
    view = await openGraph(page, 'transformer-reverse.nngraph.json');
    await testId('run-panel').waitFor();
    await testId('run-tab-train').click();
    const started = Date.now();
    await testId('run-play').click();
    await waitForPhase(/running/i, 60_000);
    await page.screenshot({ path: join(screenshots, 'multi-transformer-training.png') });
    await waitForPhase(/finished/i, 1_200_000);
    const seconds = (Date.now() - started) / 1000;
    const last = testId('accuracy-last');
    await view.locator('[data-testid="accuracy-last"][data-epoch="20"]').waitFor({ timeout: 30_000 });
    const validation = Number(await last.getAttribute('data-validation'));
    const train = Number(await last.getAttribute('data-train'));
    const shown = await last.innerText();
    await page.screenshot({ path: join(screenshots, 'multi-transformer-trained.png') });
    const result = { example: 'transformer-reverse', epochs: 20, validation, train, seconds, shown };
    writeFileSync(join(e2eDir, 'multi-input-transformer.json'), JSON.stringify(result, null, 2) + '\n');
    console.log(`transformer-reverse in the editor: ${JSON.stringify(result)}`);
    assert.match(shown, /validation \d/, 'the panel shows the validation accuracy');
    assert.ok(validation >= 0.9, `validation accuracy ${validation} (${shown})`);
  });

  it('the two-input iris network trains; step-through reads both inputs and matches the full pass', async () => {
    view = await openGraph(page, 'iris-two-inputs.nngraph.json');
    await view.locator('.op-node[data-node-id="petal"]').waitFor();
    await testId('run-tab-train').click();
    await testId('run-play').click();
    await waitForPhase(/finished/i, 300_000);
    const validation = Number(await testId('accuracy-last').getAttribute('data-validation'));
    assert.ok(validation >= 0.8, `iris validation accuracy ${validation}`);

    await testId('run-tab-step').click();
    await testId('trace-start').click();
    const position = testId('trace-position');
    // Position 0 of a trace that has arrived: before it does, the readout says 0 of 0.
    await view.locator('[data-testid="trace-position"][data-position="0"]:not([data-length="0"])').waitFor();
    const length = Number(await position.getAttribute('data-length'));
    const fed = await testId('trace-fed').allInnerTexts();
    assert.deepEqual(fed.sort(), ['petal', 'sepal', 'species'], 'the batch feeds both inputs and the target');
    await page.screenshot({ path: join(screenshots, 'multi-iris-step-start.png') });
    const doc = parseGraph(example('iris-two-inputs.nngraph.json')).doc!;
    const computed = doc.nodes.filter((n) => n.op !== 'input' && n.op !== 'target').map((n) => n.id);
    const inputs = doc.nodes.filter((n) => n.op === 'input').map((n) => n.id);
    assert.equal(
      length,
      inputs.length + 2 * computed.length,
      'a step per input (its batch), a forward and a backward step per node',
    );
    const fedSteps = new Map<string, string>();
    const reads = new Map<string, string>();
    const backward: string[] = [];
    let shot = false;
    for (let i = 1; i <= length; i++) {
      await testId('trace-step').click();
      await view.locator(`[data-testid="trace-position"][data-position="${i}"]`).waitFor();
      if (i <= inputs.length) {
        const node = (await testId('trace-forward').getByTestId('trace-node').innerText()).trim();
        fedSteps.set(node, await testId('trace-forward').innerText());
      } else if (i <= inputs.length + computed.length) {
        const node = (await testId('trace-forward').getByTestId('trace-node').innerText()).trim();
        reads.set(node, await testId('trace-forward').innerText());
      } else {
        const node = (await testId('trace-backward').getByTestId('trace-node').innerText()).trim();
        backward.push(node);
        if (node === 'petal_h' && !shot) {
          await page.screenshot({ path: join(screenshots, 'multi-iris-step-petal.png') });
          shot = true;
        }
      }
    }
    assert.deepEqual([...fedSteps.keys()], inputs, 'first each input, showing its batch');
    for (const text of fedSteps.values()) assert.match(text, /fed by the batch/);
    assert.deepEqual([...reads.keys()].sort(), [...computed].sort(), 'every node stepped forward');
    assert.deepEqual([...backward].sort(), [...computed].sort(), 'every node stepped backward');
    assert.match(reads.get('sepal_h')!, /reads sepal\b/);
    assert.match(reads.get('petal_h')!, /reads petal\b/);

    // The last backward step (sepal_h or petal_h) against the engine: the same run replayed here
    // to its end, then the first fresh batch (what Start takes once a run is finished).
    const last = backward.at(-1)!;
    const shown = JSON.parse((await testId('trace-incoming').getAttribute('data-first'))!) as number[];
    const session = prepareTraining(doc);
    assert.equal(session.trainer.run().status, 'completed');
    assertSameGradient(shown, engineGradient(session.trainer.loadFreshBatch(), last), last, 1e-5);
    await page.screenshot({ path: join(screenshots, 'multi-iris-step-end.png') });
    await testId('trace-end').click();
  });

  it('checks the two-input network’s gradients: every layer checked, none wrong', async () => {
    await testId('gradcheck').click();
    await testId('gradcheck-worst').waitFor({ timeout: 120_000 });
    const verdicts: Record<string, string> = {};
    for (const node of await view.locator('.op-node').all()) {
      const badge = node.locator('[data-testid="node-gradcheck"]');
      if ((await badge.count()) === 0) continue;
      const cls = (await badge.getAttribute('class')) ?? '';
      verdicts[(await node.getAttribute('data-node-id'))!] =
        ['ok', 'bad', 'unresolved'].find((v) => cls.split(/\s+/).includes(v)) ?? cls;
    }
    assert.deepEqual(Object.keys(verdicts).sort(), ['logits', 'petal_h', 'sepal_h']);
    for (const [node, v] of Object.entries(verdicts))
      assert.ok(v === 'ok' || v === 'unresolved', `${node}: ${v}`);
    const summary = await text('gradcheck-worst');
    const worst = /worst ([0-9.eE+-]+)/.exec(summary)?.[1];
    if (worst !== undefined) assert.ok(Number(worst) < 1e-5, `worst relative error ${worst}`);
    else assert.match(summary, /too small to check/);
    await page.screenshot({ path: join(screenshots, 'multi-iris-gradcheck.png') });
  });

  it('analyses the two-input network, saying which views need one input', async () => {
    await testId('run-tab-analyses').click();
    await testId('analysis-run').click();
    await testId('analysis-report').waitFor({ timeout: 180_000 });
    assert.equal(await testId('analysis-weights').getAttribute('data-kind'), 'trained');
    assert.ok(Number.isFinite(Number(await testId('hessian-top').getAttribute('data-value'))));
    assert.match(await text('regions-note'), /2 inputs \('sepal', 'petal'\)/);
    assert.match(await text('modes-mlp-note'), /2 inputs/);
    await page.screenshot({ path: join(screenshots, 'multi-iris-analyses.png') });
    await testId('regions-note').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(screenshots, 'multi-iris-analyses-notes.png') });
    await testId('run-tab-prediction').click();
    assert.match(await text('prediction-reason'), /2 inputs \('sepal', 'petal'\)/);
    await page.screenshot({ path: join(screenshots, 'multi-iris-prediction.png') });
  });

  it('exports the trained two-input network from the run panel, one format after another: PyTorch, TypeScript and ONNX compute its logits', async () => {
    // The engine's logits at the trained weights: the same run replayed here (deterministic for a seed).
    const doc = parseGraph(example('iris-two-inputs.nngraph.json')).doc!;
    const session = prepareTraining(doc);
    assert.equal(session.trainer.run().status, 'completed');
    const ds = session.dataset;
    const n = ds.x.shape[0]!;
    const g = session.compiled.withBatchSize(n);
    g.program.setTraining(false);
    for (const { slot, x } of inputFeeds(g, ds)) g.program.value(slot).data.set(x.data);
    g.program.forward();
    const engine = Array.from(g.program.value(g.prediction).data);
    // The exports take each sample's inputs side by side: sepal's two features, then petal's.
    const rows = Array.from({ length: n }, (_, i) => [
      ...Array.from(ds.inputs!.sepal!.data.subarray(2 * i, 2 * i + 2)),
      ...Array.from(ds.inputs!.petal!.data.subarray(2 * i, 2 * i + 2)),
    ]);
    const close = (what: string, got: readonly number[]) => {
      assert.equal(got.length, engine.length, what);
      got.forEach((v, i) =>
        assert.ok(
          Math.abs(v - engine[i]!) <= 1e-4 * Math.max(1, Math.abs(engine[i]!)),
          `${what}[${i}]: ${v} vs ${engine[i]}`,
        ),
      );
    };
    // An export that opens its file hides the graph editor (same tab group): its webview is made
    // again when its tab is clicked, and the run panel comes back on the Train tab with the run.
    const backToGraph = async () => {
      await page.locator('.tab', { hasText: 'iris-two-inputs.nngraph.json' }).click();
      await page.locator('.tab.active', { hasText: 'iris-two-inputs.nngraph.json' }).waitFor();
      view = webviewFrame(page);
      await view.locator('.op-node[data-node-id="petal"]').waitFor();
      await testId('run-view-train').waitFor();
    };

    await testId('run-tab-train').click();
    // The Data section shows which features feed which input (not "[object Object]").
    const inputsField = testId('setting-dataset-inputs');
    assert.equal(
      await inputsField.evaluate((el) => (el as HTMLInputElement).value),
      'sepal: sepal_length, sepal_width; petal: petal_length, petal_width',
    );
    await testId('export-pytorch').click();
    const pkg = join(workspace, 'iris-two-inputs-pytorch');
    await waitForFile(join(pkg, 'model.py'), (t) => t.includes('def forward(self, sepal, petal'));
    await waitForFile(join(pkg, 'weights.json'), (t) => t.includes('backprop-studio.weights'));
    await page.locator('.tab.active', { hasText: 'model.py' }).waitFor();
    await page.screenshot({ path: join(screenshots, 'multi-iris-exported-pytorch.png') });
    writeFileSync(join(pkg, 'rows.json'), JSON.stringify(rows));
    const script = [
      'import json, torch, model',
      'm = model.Model().double()',
      "model.load_weights(m, 'weights.json')",
      'm.eval()',
      "x = torch.tensor(json.load(open('rows.json')), dtype=torch.float64)",
      'print(json.dumps(m(*model.model_inputs(x)).flatten().tolist()))',
    ].join('\n');
    const py = spawnSync('/usr/bin/python3', ['-c', script], { cwd: pkg, encoding: 'utf8' });
    assert.equal(py.status, 0, py.stderr);
    close('PyTorch export', JSON.parse(py.stdout) as number[]);

    await backToGraph();
    await page.screenshot({ path: join(screenshots, 'multi-iris-back-to-graph.png') });
    await testId('export-typescript').click();
    const tsFile = join(workspace, 'iris-two-inputs.ts');
    await waitForFile(tsFile, (t) => t.includes('export function forward'));
    await page.locator('.tab.active', { hasText: 'iris-two-inputs.ts' }).waitFor();
    const ts = (await import(pathToFileURL(tsFile).href)) as { forward(inputs: number[][]): number[][] };
    // The trained logits (not the initial weights'): exported with the run's weights.
    close('TypeScript export', ts.forward(rows).flat());

    await backToGraph();
    await testId('export-onnx').click();
    const onnxFile = join(workspace, 'iris-two-inputs.onnx');
    await waitForFile(onnxFile, (t) => t.length > 0);
    await page.screenshot({ path: join(screenshots, 'multi-iris-exported-onnx.png') });
    const model = await ort.InferenceSession.create(onnxFile);
    assert.deepEqual(model.inputNames, ['sepal', 'petal'], 'one ONNX input per graph input');
    const feeds = Object.fromEntries(
      model.inputNames.map((name) => [
        name,
        new ort.Tensor('float32', Float32Array.from(ds.inputs![name]!.data), [n, 2]),
      ]),
    );
    const out = (await model.run(feeds))[model.outputNames[0]!]!;
    close('ONNX export (onnxruntime)', Array.from(out.data as Float32Array));
  });
});
