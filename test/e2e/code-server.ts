/**
 * Running the real VS Code workbench (code-server) for the end-to-end tests, following
 * ../shared/notes/vscode-e2e.md: prerequisites from scripts/setup-tests.sh, a throwaway profile per
 * run, the server in its own process group so everything it starts stops with it, and Debian's
 * chromium driven by playwright-core. A missing prerequisite fails loudly; nothing is skipped.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const repoRoot = resolve(__dirname, '..', '..');
export const e2eDir = join(repoRoot, '.e2e');

export interface Prereqs {
  node: string;
  codeServerEntry: string;
  chromium: string;
}

export function readPrereqs(): Prereqs {
  const file = join(e2eDir, 'prereqs.json');
  const fix =
    'Run `bash scripts/setup-tests.sh` (as root, or with sudo; `npm test` runs it) to install them.';
  if (!existsSync(file))
    throw new Error(`The VS Code end-to-end test needs code-server, Node 24 and chromium. ${fix}`);
  const p = JSON.parse(readFileSync(file, 'utf8')) as Prereqs;
  for (const [what, path] of Object.entries(p))
    if (typeof path === 'string' && path.startsWith('/') && !existsSync(path))
      throw new Error(`${what} is missing at ${path}. ${fix}`);
  return p;
}

/** Builds the .vsix users install (`npm run package`) and returns its path. */
export function packageExtension(): string {
  const res = spawnSync('npm', ['run', '--silent', 'package'], { cwd: repoRoot, encoding: 'utf8' });
  if (res.status !== 0) throw new Error(`npm run package failed:\n${res.stdout}\n${res.stderr}`);
  return join(repoRoot, 'backprop-studio.vsix');
}

export async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.once('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => ok(port));
    });
  });
}

export interface Profile {
  dir: string;
  userData: string;
  extensions: string;
  env: NodeJS.ProcessEnv;
}

/** A fresh user-data and extensions folder (a remembered "open as text" can't leak between runs). */
export function freshProfile(settings: Record<string, unknown>): Profile {
  mkdirSync(e2eDir, { recursive: true });
  const dir = mkdtempSync(join(e2eDir, 'run-'));
  const userData = join(dir, 'user');
  const extensions = join(dir, 'extensions');
  mkdirSync(join(userData, 'User'), { recursive: true });
  mkdirSync(extensions, { recursive: true });
  writeSettings({ dir, userData, extensions, env: {} }, settings);
  const env = {
    ...process.env,
    XDG_CONFIG_HOME: join(dir, 'xdg-config'),
    XDG_DATA_HOME: join(dir, 'xdg-data'),
    XDG_CACHE_HOME: join(dir, 'xdg-cache'),
  };
  return { dir, userData, extensions, env };
}

export function writeSettings(profile: Profile, settings: Record<string, unknown>): void {
  const quiet = {
    'workbench.startupEditor': 'none',
    'security.workspace.trust.enabled': false,
    'telemetry.telemetryLevel': 'off',
    'extensions.autoUpdate': false,
    'extensions.autoCheckUpdates': false,
    'update.mode': 'none',
    'workbench.tips.enabled': false,
    'chat.disableAIFeatures': true,
    'workbench.secondarySideBar.defaultVisibility': 'hidden',
  };
  writeFileSync(
    join(profile.userData, 'User', 'settings.json'),
    JSON.stringify({ ...quiet, ...settings }, null, 2),
  );
}

export function installExtension(pre: Prereqs, profile: Profile, vsix: string): void {
  const res = spawnSync(
    pre.node,
    [
      pre.codeServerEntry,
      '--install-extension',
      vsix,
      '--user-data-dir',
      profile.userData,
      '--extensions-dir',
      profile.extensions,
    ],
    { env: profile.env, encoding: 'utf8', timeout: 120_000 },
  );
  if (res.status !== 0)
    throw new Error(`installing ${vsix} into code-server failed:\n${res.stdout}\n${res.stderr}`);
}

export class CodeServer {
  private constructor(
    readonly url: string,
    private readonly child: ChildProcess,
    readonly log: () => string,
  ) {}

  static async start(pre: Prereqs, profile: Profile, folder: string): Promise<CodeServer> {
    const port = await freePort();
    let output = '';
    const child = spawn(
      pre.node,
      [
        pre.codeServerEntry,
        '--bind-addr',
        `127.0.0.1:${port}`,
        '--auth',
        'none',
        '--disable-telemetry',
        '--disable-update-check',
        '--disable-workspace-trust',
        '--disable-getting-started-override',
        '--reconnection-grace-time',
        '5',
        '--vscode-option',
        'enable-smoke-test-driver',
        '--user-data-dir',
        profile.userData,
        '--extensions-dir',
        profile.extensions,
        folder,
      ],
      // Its own process group, so stop() ends the extension host and watchers it starts too.
      { env: profile.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child.stdout!.on('data', (b: Buffer) => (output += b.toString()));
    child.stderr!.on('data', (b: Buffer) => (output += b.toString()));
    const server = new CodeServer(`http://127.0.0.1:${port}`, child, () => output);
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`code-server exited with ${child.exitCode}:\n${output}`);
      try {
        if ((await fetch(`${server.url}/healthz`)).ok) return server;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) {
        await server.stop();
        throw new Error(`code-server did not answer /healthz within 60 s:\n${output}`);
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  async stop(): Promise<void> {
    const pid = this.child.pid;
    if (pid === undefined || this.child.exitCode !== null) return;
    const exited = new Promise<void>((r) => this.child.once('exit', () => r()));
    try {
      process.kill(-pid, 'SIGTERM');
    } catch {
      return;
    }
    const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 5000));
    if ((await Promise.race([exited, timeout])) === 'timeout') {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
}

export async function launchBrowser(pre: Prereqs, profile: Profile): Promise<BrowserContext> {
  return chromium.launchPersistentContext(mkdtempSync(join(profile.dir, 'chromium-')), {
    executablePath: pre.chromium,
    headless: true,
    viewport: { width: 1400, height: 900 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** The graph editor's document: two iframes deep inside the workbench. */
export function webviewFrame(page: Page) {
  return page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');
}
