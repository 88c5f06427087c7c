/**
 * The extension as users get it (the packaged .vsix) in the real VS Code workbench (code-server),
 * driven through Debian's chromium as a person would: open examples/spiral.nngraph.json, see the
 * graph, drag an op in from the palette, wire it, save, check the file on disk; undo, save, and
 * the file is back to what it was. The editor follows VS Code's light and high-contrast themes
 * (switched as a person does, through "Preferences: Color Theme", no reload) with readable text;
 * an unsaved change survives a window reload (hot exit). A broken file shows its errors and opens
 * as text. Screenshots (dark, light, high contrast dark and light) go to .e2e/screenshots/.
 */
import { after, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FrameLocator, Page } from 'playwright-core';
import { parseGraph } from '../../engine/graph/parse.js';
import { READABLE_ZOOM } from '../../webview/editor/opening-view.js';
import { e2eDir, repoRoot, webviewFrame } from './code-server.js';
import {
  checkWithScreenshot,
  connect,
  openFile,
  openGraph,
  pickColorTheme,
  runCommand,
  openWorkbench,
  waitForFile,
  type Workbench,
} from './workbench-actions.js';

const screenshots = join(e2eDir, 'screenshots');
/**
 * Desktop VS Code's defaults where the web's differ: in a browser VS Code saves a second after each
 * change (files.autoSave defaults to afterDelay there), which would hide the dirty state we test.
 */
const SETTINGS = { 'workbench.colorTheme': 'Default Dark Modern', 'files.autoSave': 'off' };

describe('the graph editor in the VS Code workbench (code-server)', { timeout: 600_000 }, () => {
  let wb: Workbench | undefined;
  let page: Page;
  let workspace: string;
  let spiralPath: string;
  let original: string;

  before(async () => {
    original = readFileSync(join(repoRoot, 'examples', 'spiral.nngraph.json'), 'utf8');
    wb = await openWorkbench(SETTINGS, {
      'spiral.nngraph.json': original,
      'broken.nngraph.json': '{\n  "format": "backprop-studio.graph",\n  "nodes": [\n',
    });
    ({ workspace, page } = wb);
    spiralPath = join(workspace, 'spiral.nngraph.json');
  });

  after(async () => wb?.close());

  const check = checkWithScreenshot(() => page);

  check('opens the example as a graph with shapes on its edges', async () => {
    const view = await openGraph(page, 'spiral.nngraph.json');
    const doc = parseGraph(original).doc!;
    assert.equal(await view.locator('.op-node').count(), doc.nodes.length);
    assert.equal(await view.locator('.react-flow__edge').count(), doc.edges.length);
    const labels = await view.locator('.react-flow__edge-text').allTextContents();
    assert.ok(
      labels.length > 0 && labels.every((l) => /^(N|\d+)(×(N|\d+))*$|^scalar$/.test(l)),
      labels.join(),
    );
    // Readable on first open at this window size, with the data's way in on screen.
    await waitForZoom(view);
    assert.ok((await zoomOf(view)) >= READABLE_ZOOM, `opening zoom ${await zoomOf(view)}`);
    assert.ok(
      await inView(view, `.op-node[data-node-id="${doc.nodes[0]!.id}"]`),
      'the first node is in view',
    );
    mkdirSync(screenshots, { recursive: true });
    await checkThemeColours(view, 'dark');
    await page.screenshot({ path: join(screenshots, 'workbench-dark.png') });
    await screenshotNodes(page, view, 'nodes-dark.png');
  });

  check('drags an op in, wires it, saves the change; undo and save restore the file', async () => {
    const view = webviewFrame(page);
    const doc = parseGraph(original).doc!;
    const source = doc.nodes.find((n) => n.op === 'input')!;
    const before = doc.nodes.length;

    const pane = view.locator('.react-flow__pane');
    const box = (await pane.boundingBox())!;
    // Drop it where the new node (about 170×60) covers no other: the first free spot on a grid.
    const nodes = await Promise.all(
      (await view.locator('.op-node').all()).map(async (n) => (await n.boundingBox())!),
    );
    const spot = [0.15, 0.3, 0.45, 0.6, 0.75, 0.85]
      .flatMap((fy) => [0.1, 0.35, 0.6, 0.8].map((fx) => ({ x: box.width * fx, y: box.height * fy })))
      .find(({ x, y }) =>
        nodes.every(
          (n) =>
            box.x + x + 190 < n.x ||
            box.x + x - 100 > n.x + n.width ||
            box.y + y + 70 < n.y ||
            box.y + y - 30 > n.y + n.height,
        ),
      );
    assert.ok(spot, 'the canvas has room for one more node');
    await view.locator('.palette-op[data-op="tanh"]').dragTo(pane, { targetPosition: spot });
    const added = view.locator('.op-node[data-node-id="tanh"]');
    await added.waitFor({ timeout: 10_000 });
    assert.equal(await view.locator('.op-node').count(), before + 1);

    await connect(
      page,
      view.locator(`.op-node[data-node-id="${source.id}"] .react-flow__handle-right`),
      added.locator('.react-flow__handle-left'),
      view.locator(`.react-flow__edge[aria-label="Edge from ${source.id} to tanh"]`),
    );
    await view.locator('.op-node[data-node-id="tanh"] [data-testid="node-shape"]').getByText('N×').waitFor();

    await page.keyboard.press('Control+S');
    // Written whole (a read can land mid-write on a busy machine).
    const saved = await waitForFile(spiralPath, (t) => t !== original && parseGraph(t).doc !== null);
    const savedDoc = parseGraph(saved).doc!;
    assert.equal(savedDoc.nodes.length, before + 1);
    assert.deepEqual(savedDoc.nodes.at(-1)!.op, 'tanh');
    assert.deepEqual(savedDoc.edges.at(-1), { from: source.id, to: 'tanh' }, saved);
    assert.deepEqual(savedDoc.nodes.slice(0, before), doc.nodes, 'the other nodes are untouched');

    // Undo is VS Code's own (the text document's), reached from the focused webview.
    await page.keyboard.press('Control+Z');
    await page.keyboard.press('Control+Z');
    await view.locator('.op-node[data-node-id="tanh"]').waitFor({ state: 'detached', timeout: 10_000 });
    await page.keyboard.press('Control+S');
    assert.equal(await waitForFile(spiralPath, (t) => t === original), original);
  });

  check('follows the light and high-contrast themes without a reload, text readable in each', async () => {
    const view = webviewFrame(page);
    for (const theme of THEMES) {
      await pickColorTheme(page, theme.label);
      await view.locator(`body.${theme.bodyClass}`).waitFor({ timeout: 20_000 });
      await view.locator('.op-node').first().waitFor();
      await checkThemeColours(view, theme.kind);
      await page.screenshot({ path: join(screenshots, `workbench-${theme.file}.png`) });
      await screenshotNodes(page, view, `nodes-${theme.file}.png`);
    }
    // Hidden and shown again in the light theme: the webview is rebuilt from its saved state.
    await pickColorTheme(page, 'Light Modern');
    await page.keyboard.press('Control+N');
    await page.locator('.tab.active', { hasText: 'Untitled' }).waitFor();
    await page.locator('.tab', { hasText: 'spiral.nngraph.json' }).click();
    await page.locator('.tab.active', { hasText: 'spiral.nngraph.json' }).waitFor();
    await view.locator('body.vscode-light').waitFor();
    await view.locator('.op-node').first().waitFor();
    assert.ok(await inView(view, '.op-node'), 'a node is in view after the editor is shown again');
    await pickColorTheme(page, 'Dark Modern');
  });

  check('keeps an unsaved change across a window reload (hot exit), and reverts it', async () => {
    const view = webviewFrame(page);
    const pane = view.locator('.react-flow__pane');
    const box = (await pane.boundingBox())!;
    await view
      .locator('.palette-op[data-op="sigmoid"]')
      .dragTo(pane, { targetPosition: { x: box.width * 0.3, y: box.height * 0.15 } });
    await view.locator('.op-node[data-node-id="sigmoid"]').waitFor({ timeout: 10_000 });
    await page.locator('.tab.active.dirty', { hasText: 'spiral.nngraph.json' }).waitFor();
    // VS Code writes the hot-exit backup of a dirty document about a second after the change
    // (longer on a busy machine).
    await page.waitForTimeout(5000);

    await page.reload({ waitUntil: 'domcontentloaded' });
    await page.locator('.monaco-workbench').waitFor({ timeout: 120_000 });
    await page.locator('.tab.active.dirty', { hasText: 'spiral.nngraph.json' }).waitFor({ timeout: 60_000 });
    const restored = webviewFrame(page);
    await restored.locator('.op-node[data-node-id="sigmoid"]').waitFor({ timeout: 60_000 });
    assert.ok(await inView(restored, '.op-node'), 'the restored editor draws its nodes in view');
    assert.equal(readFileSync(spiralPath, 'utf8'), original, 'the unsaved change is not on disk');

    await runCommand(page, 'File: Revert File');
    await restored
      .locator('.op-node[data-node-id="sigmoid"]')
      .waitFor({ state: 'detached', timeout: 10_000 });
    await page.locator('.tab.active.dirty').waitFor({ state: 'detached' });
  });

  check('shows why a broken file is not a graph and opens it as text', async () => {
    await openFile(page, 'broken.nngraph.json');
    const view = webviewFrame(page);
    await view.getByTestId('broken').waitFor({ timeout: 20_000 });
    assert.match(await view.getByTestId('broken').innerText(), /not valid JSON at line \d+/);
    await view.getByTestId('open-as-text').click();
    await page.locator('.monaco-editor .view-lines').filter({ hasText: 'backprop-studio.graph' }).waitFor();
    assert.equal(readFileSync(join(workspace, 'broken.nngraph.json'), 'utf8').length > 0, true);
  });

  check(
    'New Network… from the Sawtooth template brings its weights; loaded, the analyses show 16 pieces',
    async () => {
      await runCommand(page, 'Backprop Studio: New Network…');
      const input = page.locator('.quick-input-widget input');
      await input.fill('Sawtooth');
      await page
        .locator('.quick-input-list .monaco-list-row', { hasText: 'sawtooth.nngraph.json' })
        .first()
        .waitFor();
      await page.keyboard.press('Enter');
      // The save dialog (a quick input in the browser) offers the workspace's sawtooth.nngraph.json.
      const graphPath = join(workspace, 'sawtooth.nngraph.json');
      await page.waitForFunction(
        (want) =>
          (document.querySelector('.quick-input-widget input') as HTMLInputElement | null)?.value.endsWith(
            want,
          ),
        'sawtooth.nngraph.json',
      );
      await page.keyboard.press('Enter');
      // Saved under the offered name (not "sawtooth.nngraph.json.nngraph.json", as a filter of
      // ['nngraph.json'] once made the dialog write), then opened in the graph editor.
      await waitForFile(graphPath, (t) => t.length > 0);
      await page.locator('.tab.active', { hasText: 'sawtooth.nngraph.json' }).waitFor();
      assert.equal(
        readFileSync(graphPath, 'utf8'),
        readFileSync(join(repoRoot, 'examples', 'sawtooth.nngraph.json'), 'utf8'),
      );
      const template = readFileSync(join(repoRoot, 'examples', 'sawtooth.weights.json'), 'utf8');
      const copied = await waitForFile(join(workspace, 'sawtooth.weights.json'), (t) => t.length > 0);
      assert.equal(
        copied,
        template,
        'the template’s weights, copied beside the new graph from the installed .vsix',
      );

      const view = webviewFrame(page);
      await view.getByTestId('load-weights').click();
      await view
        .getByTestId('run-weights-from')
        .getByText('sawtooth.weights.json')
        .waitFor({ timeout: 30_000 });
      await view.getByTestId('run-tab-analyses').click();
      await view.getByTestId('analysis-run').click();
      await view.getByTestId('analysis-report').waitFor({ timeout: 120_000 });
      assert.equal(await view.getByTestId('analysis-weights').getAttribute('data-kind'), 'file');
      assert.equal(
        await view.getByTestId('regions-breakpoints').getAttribute('data-count'),
        '15',
        '2^4 = 16 linear pieces: 15 breakpoints',
      );
      await page.screenshot({ path: join(screenshots, 'sawtooth-loaded-analyses.png') });
    },
  );

  check(
    'runs the extension-host suite in a development host (the suite @vscode/test-electron runs)',
    async () => {
      const built = spawnSync(process.execPath, ['scripts/build.mjs', '--tests'], {
        cwd: repoRoot,
        encoding: 'utf8',
      });
      assert.equal(built.status, 0, built.stderr);
      const remote = (path: string) => `vscode-remote://${new URL(wb!.server.url).host}${path}`;
      const payload = [
        ['extensionDevelopmentPath', remote(repoRoot)],
        ['extensionTestsPath', remote(join(repoRoot, 'out', 'extension-host', 'index.js'))],
      ];
      // The workbench above has had its turn: its extension host (and engine worker) would only
      // compete with the development host's for the machine's two cores.
      await page.goto('about:blank');
      const devPage = await wb!.browser.newPage();
      const consoleLines: string[] = [];
      devPage.on('console', (m) => consoleLines.push(m.text()));
      const exit = new Promise<{ code: number; logs: unknown }>((ok) =>
        devPage.exposeFunction('codeAutomationExit', (code: number, logs: unknown) => ok({ code, logs })),
      );
      await devPage.goto(
        `${wb!.server.url}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`,
        { waitUntil: 'domcontentloaded', timeout: 120_000 },
      );
      const result = await Promise.race([
        exit,
        new Promise<never>((_, fail) =>
          setTimeout(
            () =>
              fail(
                new Error(
                  `the suite did not finish in 240 s; the development host's console ended with:\n${consoleLines
                    .slice(-40)
                    .join('\n')}`,
                ),
              ),
            240_000,
          ),
        ),
      ]);
      await devPage.close();
      assert.equal(
        result.code,
        0,
        `extension-host suite failed: ${JSON.stringify(result.logs).slice(0, 2000)}`,
      );
    },
  );
});

const THEMES = [
  { label: 'Light Modern', bodyClass: 'vscode-light', kind: 'light', file: 'light' },
  { label: 'Dark High Contrast', bodyClass: 'vscode-high-contrast', kind: 'dark', file: 'high-contrast' },
  {
    label: 'Light High Contrast',
    bodyClass: 'vscode-high-contrast-light',
    kind: 'light',
    file: 'high-contrast-light',
  },
] as const;

/** A close-up of the first three nodes at screen resolution, to look at text and colours. */
async function screenshotNodes(page: Page, view: FrameLocator, file: string): Promise<void> {
  const boxes = await Promise.all(
    [0, 1, 2].map(async (i) => (await view.locator('.op-node').nth(i).boundingBox())!),
  );
  const x = Math.min(...boxes.map((b) => b.x)) - 16;
  const y = Math.min(...boxes.map((b) => b.y)) - 16;
  const right = Math.max(...boxes.map((b) => b.x + b.width)) + 16;
  const bottom = Math.max(...boxes.map((b) => b.y + b.height)) + 16;
  await page.screenshot({
    path: join(screenshots, file),
    clip: { x, y, width: right - x, height: bottom - y },
  });
}

async function zoomOf(view: FrameLocator): Promise<number> {
  return view
    .locator('.react-flow__viewport')
    .evaluate((el) => new DOMMatrixReadOnly(getComputedStyle(el).transform).a);
}

/** The opening viewport is set once the nodes are measured: wait for it to settle. */
async function waitForZoom(view: FrameLocator): Promise<void> {
  let last = -1;
  for (let i = 0; i < 50; i++) {
    const z = await zoomOf(view);
    if (z === last) return;
    last = z;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Whether the first element matching `selector` lies inside the canvas pane. */
async function inView(view: FrameLocator, selector: string): Promise<boolean> {
  const pane = (await view.locator('.react-flow__pane').boundingBox())!;
  const el = (await view.locator(selector).first().boundingBox())!;
  return (
    el.x >= pane.x &&
    el.y >= pane.y &&
    el.x + el.width <= pane.x + pane.width &&
    el.y + el.height <= pane.y + pane.height
  );
}

/**
 * In the page: the canvas background's luminance and the contrast ratios (WCAG) of node and
 * edge-label text and of the category stripes against what they are drawn on. A string, not a function: tsx would wrap the named
 * inner functions with a helper the page doesn't have.
 */
const MEASURE_COLOURS = `(() => {
  const flow = document.querySelector('.react-flow');
  const rgb = (s) => (s.match(/[\\d.]+/g) || []).map(Number);
  const luminance = ([r, g, b]) => {
    const lin = (v) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
    return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
  };
  const over = (top, under) => [0, 1, 2].map((i) => top[i] * (top[3] ?? 1) + under[i] * (1 - (top[3] ?? 1)));
  const ratio = (fg, bg) => {
    const [hi, lo] = [luminance(fg), luminance(bg)].sort((x, y) => y - x);
    return (hi + 0.05) / (lo + 0.05);
  };
  const style = (sel) => getComputedStyle(flow.querySelector(sel));
  const canvas = rgb(getComputedStyle(flow).backgroundColor);
  const node = over(rgb(style('.op-node').backgroundColor), canvas);
  const labelBg = over(rgb(style('.react-flow__edge-textbg').fill), canvas);
  return {
    canvas: luminance(canvas),
    name: ratio(over(rgb(style('.op-name').color), node), node),
    attrs: ratio(over(rgb(style('.op-attrs').color), node), node),
    shape: ratio(over(rgb(style('.op-shape').color), node), node),
    edgeLabel: ratio(over(rgb(style('.react-flow__edge-text').fill), labelBg), labelBg),
    dataStripe: ratio(over(rgb(style('.op-node.cat-data').borderLeftColor), canvas), canvas),
    layersStripe: ratio(over(rgb(style('.op-node.cat-layers').borderLeftColor), canvas), canvas),
    activationsStripe: ratio(over(rgb(style('.op-node.cat-activations').borderLeftColor), canvas), canvas),
  };
})()`;

/**
 * The canvas follows the theme (light or dark background), the node and edge-label text has at
 * least WCAG AA contrast (4.5:1) against what it is drawn on, and the category stripes 3:1.
 */
async function checkThemeColours(view: FrameLocator, kind: 'light' | 'dark'): Promise<void> {
  const c = (await view.locator('.react-flow').evaluate(MEASURE_COLOURS)) as Record<string, number>;
  const show = JSON.stringify(c, (_k, v: unknown) => (typeof v === 'number' ? Number(v.toFixed(2)) : v));
  assert.ok(kind === 'light' ? c.canvas! > 0.5 : c.canvas! < 0.5, `${kind} canvas: ${show}`);
  for (const key of ['name', 'attrs', 'shape', 'edgeLabel'])
    assert.ok(c[key]! >= 4.5, `${kind} theme: ${key} text contrast below 4.5:1: ${show}`);
  // Graphics that carry meaning (the category stripe) need 3:1 against the canvas (WCAG 1.4.11).
  for (const key of ['dataStripe', 'layersStripe', 'activationsStripe'])
    assert.ok(c[key]! >= 3, `${kind} theme: ${key} contrast below 3:1: ${show}`);
}
