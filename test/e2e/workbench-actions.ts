/**
 * What a person does in the workbench, for the end-to-end tests: wait for the extension, open a
 * file through Quick Open, run a command, switch the colour theme, drag a connection, wait for a
 * file on disk to change.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, FrameLocator, Locator, Page } from 'playwright-core';
import {
  CodeServer,
  freshProfile,
  installExtension,
  launchBrowser,
  packageExtension,
  readPrereqs,
  webviewFrame,
  type Profile,
} from './code-server.js';

/**
 * Drags a connection from one handle to another with the mouse in small steps (React Flow follows
 * mousemove events; a single jump is sometimes missed on a loaded machine) until `edge` appears.
 */
export async function connect(page: Page, from: Locator, to: Locator, edge: Locator): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const a = (await from.boundingBox())!;
    const b = (await to.boundingBox())!;
    await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
    await page.mouse.down();
    await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 12 });
    await page.mouse.up();
    try {
      await edge.waitFor({ timeout: 5_000 });
      return;
    } catch (e) {
      if (attempt === 3) throw e;
    }
  }
}

/** The workbench draws before extensions register: wait until our command is in the palette. */
export async function waitForExtension(page: Page): Promise<void> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor();
    await input.fill('>Backprop Studio: New Network');
    const row = page.locator('.quick-input-list .monaco-list-row', { hasText: 'New Network' });
    const found = await row
      .first()
      .waitFor({ timeout: 3000 })
      .then(() => true)
      .catch(() => false);
    await page.keyboard.press('Escape');
    if (found) return;
    if (Date.now() > deadline) throw new Error('the extension never registered its commands');
  }
}

export async function openFile(page: Page, name: string): Promise<FrameLocator> {
  await page.keyboard.press('Control+P');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor();
  await input.fill(name);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: name }).first().waitFor();
  await page.keyboard.press('Enter');
  await page.locator('.tab.active', { hasText: name }).waitFor();
  return webviewFrame(page);
}

export async function waitForFile(path: string, ready: (text: string) => boolean): Promise<string> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    // A file not written yet reads as empty.
    const text = existsSync(path) ? readFileSync(path, 'utf8') : '';
    if (ready(text)) return text;
    if (Date.now() > deadline) throw new Error(`${path} did not change as expected; it holds:\n${text}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** F1, the command's title, Enter. */
export async function runCommand(page: Page, title: string): Promise<void> {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor();
  await input.fill(`>${title}`);
  const exact = new RegExp(`(^|: )${title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
  const row = page.locator('.quick-input-list .monaco-list-row .label-name', { hasText: exact }).first();
  await row.waitFor();
  await row.click();
}

/** "Preferences: Color Theme" and pick `label`, as a person switches themes (no reload). */
export async function pickColorTheme(page: Page, label: string): Promise<void> {
  await runCommand(page, 'Preferences: Color Theme');
  const input = page.locator('.quick-input-widget input');
  await input.fill(label);
  const row = page.locator('.quick-input-list .monaco-list-row .label-name', {
    hasText: new RegExp(`^${label}$`),
  });
  await row.first().waitFor();
  await row.first().click();
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
}

export interface Workbench {
  profile: Profile;
  workspace: string;
  server: CodeServer;
  browser: BrowserContext;
  page: Page;
  /** Closes the browser and stops the server. */
  close(): Promise<void>;
}

/**
 * The packaged .vsix installed into a fresh profile with `settings`, code-server serving a new
 * workspace holding `files` (name → text or bytes), and chromium showing it once the extension is ready.
 */
export async function openWorkbench(
  settings: Record<string, unknown>,
  files: Record<string, string | Uint8Array>,
): Promise<Workbench> {
  const pre = readPrereqs();
  const vsix = packageExtension();
  const profile = freshProfile(settings);
  const workspace = join(profile.dir, 'workspace');
  mkdirSync(workspace);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(workspace, name), text);
  installExtension(pre, profile, vsix);
  const server = await CodeServer.start(pre, profile, workspace);
  const browser = await launchBrowser(pre, profile);
  const close = async () => {
    await browser.close();
    await server.stop();
  };
  try {
    const page = browser.pages()[0] ?? (await browser.newPage());
    // Generous: the machine running CI may be busy with other work (2 shared cores).
    page.setDefaultTimeout(60_000);
    await page.goto(`${server.url}/?folder=${encodeURIComponent(workspace)}`, {
      waitUntil: 'domcontentloaded',
      timeout: 120_000,
    });
    await page.locator('.monaco-workbench').waitFor({ timeout: 120_000 });
    await waitForExtension(page);
    return { profile, workspace, server, browser, page, close };
  } catch (e) {
    await close();
    throw e;
  }
}
