/**
 * The extension as users get it (the packaged .vsix) in the real VS Code workbench (code-server),
 * driven through Debian's chromium as a person would: open examples/spiral.nngraph.json, see the
 * graph, drag an op in from the palette, wire it, save, check the file on disk; undo, save, and
 * the file is back to what it was. A broken file shows its errors and opens as text.
 * Screenshots (dark and light) go to .e2e/screenshots/.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { parseGraph } from '../../engine/graph/parse.js';
import {
  CodeServer,
  e2eDir,
  freshProfile,
  installExtension,
  launchBrowser,
  packageExtension,
  readPrereqs,
  repoRoot,
  webviewFrame,
  type Profile,
} from './code-server.js';
import { connect, openFile, waitForExtension, waitForFile } from './workbench-actions.js';

const screenshots = join(e2eDir, 'screenshots');
const DARK = { 'workbench.colorTheme': 'Default Dark Modern' };

describe('the graph editor in the VS Code workbench (code-server)', { timeout: 600_000 }, () => {
  let profile: Profile;
  let server: CodeServer | undefined;
  let browser: BrowserContext | undefined;
  let page: Page;
  let workspace: string;
  let spiralPath: string;
  let original: string;

  before(async () => {
    const pre = readPrereqs();
    const vsix = packageExtension();
    profile = freshProfile(DARK);
    workspace = join(profile.dir, 'workspace');
    mkdirSync(workspace);
    spiralPath = join(workspace, 'spiral.nngraph.json');
    copyFileSync(join(repoRoot, 'examples', 'spiral.nngraph.json'), spiralPath);
    original = readFileSync(spiralPath, 'utf8');
    writeFileSync(
      join(workspace, 'broken.nngraph.json'),
      '{\n  "format": "backprop-studio.graph",\n  "nodes": [\n',
    );
    installExtension(pre, profile, vsix);
    server = await CodeServer.start(pre, profile, workspace);
    browser = await launchBrowser(pre, profile);
    page = browser.pages()[0] ?? (await browser.newPage());
    // Generous: the machine running CI may be busy with other work (2 shared cores).
    page.setDefaultTimeout(60_000);
    await page.goto(`${server.url}/?folder=${encodeURIComponent(workspace)}`, {
      waitUntil: 'domcontentloaded',
      timeout: 120_000,
    });
    await page.locator('.monaco-workbench').waitFor({ timeout: 120_000 });
    await waitForExtension(page);
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('opens the example as a graph with shapes on its edges', async () => {
    await openFile(page, 'spiral.nngraph.json');
    const view = webviewFrame(page);
    const doc = parseGraph(original).doc!;
    await view.locator('.op-node').first().waitFor({ timeout: 30_000 });
    assert.equal(await view.locator('.op-node').count(), doc.nodes.length);
    assert.equal(await view.locator('.react-flow__edge').count(), doc.edges.length);
    const labels = await view.locator('.react-flow__edge-text').allTextContents();
    assert.ok(
      labels.length > 0 && labels.every((l) => /^(N|\d+)(×(N|\d+))*$|^scalar$/.test(l)),
      labels.join(),
    );
    mkdirSync(screenshots, { recursive: true });
    await page.screenshot({ path: join(screenshots, 'workbench-dark.png') });
  });

  it('drags an op in, wires it, saves the change; undo and save restore the file', async () => {
    const view = webviewFrame(page);
    const doc = parseGraph(original).doc!;
    const source = doc.nodes.find((n) => n.op === 'input')!;
    const before = doc.nodes.length;

    const pane = view.locator('.react-flow__pane');
    const box = (await pane.boundingBox())!;
    await view
      .locator('.palette-op[data-op="tanh"]')
      .dragTo(pane, { targetPosition: { x: box.width * 0.2, y: box.height * 0.12 } });
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
    const saved = await waitForFile(spiralPath, (t) => t !== original);
    const savedDoc = parseGraph(saved).doc!;
    assert.equal(savedDoc.nodes.length, before + 1);
    assert.deepEqual(savedDoc.nodes.at(-1)!.op, 'tanh');
    assert.deepEqual(savedDoc.edges.at(-1), { from: source.id, to: 'tanh' });
    assert.deepEqual(savedDoc.nodes.slice(0, before), doc.nodes, 'the other nodes are untouched');

    // Undo is VS Code's own (the text document's), reached from the focused webview.
    await page.keyboard.press('Control+Z');
    await page.keyboard.press('Control+Z');
    await view.locator('.op-node[data-node-id="tanh"]').waitFor({ state: 'detached', timeout: 10_000 });
    await page.keyboard.press('Control+S');
    assert.equal(await waitForFile(spiralPath, (t) => t === original), original);
  });

  it('shows why a broken file is not a graph and opens it as text', async () => {
    await openFile(page, 'broken.nngraph.json');
    const view = webviewFrame(page);
    await view.getByTestId('broken').waitFor({ timeout: 20_000 });
    assert.match(await view.getByTestId('broken').innerText(), /not valid JSON at line \d+/);
    await view.getByTestId('open-as-text').click();
    await page.locator('.monaco-editor .view-lines').filter({ hasText: 'backprop-studio.graph' }).waitFor();
    assert.equal(readFileSync(join(workspace, 'broken.nngraph.json'), 'utf8').length > 0, true);
  });

  it('runs the extension-host suite in a development host (the suite @vscode/test-electron runs)', async () => {
    const built = spawnSync(process.execPath, ['scripts/build.mjs', '--tests'], {
      cwd: repoRoot,
      encoding: 'utf8',
    });
    assert.equal(built.status, 0, built.stderr);
    const remote = (path: string) => `vscode-remote://${new URL(server!.url).host}${path}`;
    const payload = [
      ['extensionDevelopmentPath', remote(repoRoot)],
      ['extensionTestsPath', remote(join(repoRoot, 'out', 'extension-host', 'index.js'))],
    ];
    const devPage = await browser!.newPage();
    const exit = new Promise<{ code: number; logs: unknown }>((ok) =>
      devPage.exposeFunction('codeAutomationExit', (code: number, logs: unknown) => ok({ code, logs })),
    );
    await devPage.goto(
      `${server!.url}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`,
      { waitUntil: 'domcontentloaded', timeout: 120_000 },
    );
    const result = await Promise.race([
      exit,
      new Promise<never>((_, fail) =>
        setTimeout(() => fail(new Error('the suite did not finish in 180 s')), 180_000),
      ),
    ]);
    await devPage.close();
    assert.equal(
      result.code,
      0,
      `extension-host suite failed: ${JSON.stringify(result.logs).slice(0, 2000)}`,
    );
  });
});
