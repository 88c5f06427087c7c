/**
 * The webview bundle in headless Chromium without VS Code: the page VS Code would show (same HTML,
 * same CSP) served from a local server, with `acquireVsCodeApi` stubbed to record what the webview
 * posts. The test plays the host: it reads the posted messages and answers with HostToWebview.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { webviewHtml } from '../../extension/webview-html.js';
import type { HostToWebview, WebviewToHost } from '../../extension/protocol.js';
import type { Diagnostic, GraphDoc, NodeId } from '../../engine/graph/document.js';
import { checkGraph, type SymbolicShape } from '../../engine/graph/check.js';

const root = resolve(__dirname, '..', '..');
export const CHROMIUM = '/usr/bin/chromium';

/** Bundles the webview into its own folder (so it never races `npm run package` over dist/). */
export function buildWebview(outdir: string, production = false, extra: readonly string[] = []): void {
  const args = [
    'scripts/build.mjs',
    '--webview-only',
    '--outdir',
    outdir,
    ...(production ? ['--production'] : []),
    ...extra,
  ];
  const res = spawnSync(process.execPath, args, {
    cwd: root,
    encoding: 'utf8',
  });
  if (res.status !== 0) throw new Error(`building the webview failed:\n${res.stdout}${res.stderr}`);
}

/**
 * What the host sends of a document with init and docChanged (extension/graph-text.ts): the document,
 * its problems and its nodes' shapes, for a test playing the host. The problems are the test's to give.
 */
export function documentState(
  doc: GraphDoc | null,
  diagnostics: Diagnostic[] = [],
): { doc: GraphDoc | null; diagnostics: Diagnostic[]; shapes: [NodeId, SymbolicShape][] } {
  return { doc, diagnostics, shapes: doc ? [...checkGraph(doc).shapes] : [] };
}

/** A few of VS Code's dark theme variables, so the page looks as it does in the editor. */
const THEME = `body {
  --vscode-font-family: system-ui, sans-serif; --vscode-font-size: 13px; --vscode-editor-font-family: monospace;
  --vscode-editor-background: #1f1f1f; --vscode-editor-foreground: #cccccc; --vscode-foreground: #cccccc;
  --vscode-sideBar-background: #181818; --vscode-panel-border: #2b2b2b; --vscode-descriptionForeground: #9d9d9d;
  --vscode-editorWidget-background: #202020; --vscode-editorWidget-border: #454545; --vscode-focusBorder: #0078d4;
  --vscode-errorForeground: #f85149; --vscode-list-hoverBackground: #2a2d2e; --vscode-input-background: #313131;
  --vscode-input-foreground: #cccccc; --vscode-editorLineNumber-foreground: #6e7681;
  --vscode-button-secondaryBackground: #313131; --vscode-button-secondaryForeground: #cccccc;
}`;

/**
 * VS Code keeps a webview's state (JSON) across reloads of the page: so does sessionStorage. Like
 * VS Code's, setState returns the state it was given.
 */
const STUB = `window.__posted = [];
window.acquireVsCodeApi = () => ({
  postMessage: (m) => window.__posted.push(JSON.parse(JSON.stringify(m))),
  getState: () => { const s = sessionStorage.getItem('vscode-state'); return s === null ? undefined : JSON.parse(s); },
  setState: (s) => { sessionStorage.setItem('vscode-state', JSON.stringify(s)); return s; },
});`;

export class Harness {
  private constructor(
    readonly page: Page,
    private readonly browser: Browser,
    private readonly server: Server,
  ) {}

  static async start(bundleDir: string, viewport = { width: 1280, height: 800 }): Promise<Harness> {
    const nonce = 'dGVzdC1ub25jZQ==';
    const server = createServer((req, res) => {
      const url = req.url ?? '/';
      if (url === '/') {
        const origin = `http://${req.headers.host}`;
        const html = webviewHtml({
          scriptUri: '/webview.js',
          styleUri: '/webview.css',
          cspSource: origin,
          nonce,
          title: 'harness',
        })
          .replace('</head>', `<style nonce="${nonce}">${THEME}</style>\n</head>`)
          .replace(
            `<script nonce="${nonce}" src`,
            `<script nonce="${nonce}">${STUB}</script>\n<script nonce="${nonce}" src`,
          );
        res.writeHead(200, { 'content-type': 'text/html' }).end(html);
        return;
      }
      if (url === '/favicon.ico') return void res.writeHead(204).end();
      const name = url.slice(1).split('?')[0]!;
      if (!/^webview\.(js|css)$/.test(name)) return void res.writeHead(404).end();
      const type = name.endsWith('.js') ? 'text/javascript' : 'text/css';
      res.writeHead(200, { 'content-type': type }).end(readFileSync(join(bundleDir, name)));
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    const { port } = server.address() as { port: number };
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--no-first-run',
        '--disable-background-networking',
      ],
    });
    const page = await browser.newPage({ viewport });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    await page.goto(`http://127.0.0.1:${port}/`);
    const h = new Harness(page, browser, server);
    h.errors = errors;
    return h;
  }

  errors: string[] = [];

  async posted(): Promise<WebviewToHost[]> {
    return this.page.evaluate(() => (window as unknown as { __posted: WebviewToHost[] }).__posted);
  }

  async clearPosted(): Promise<void> {
    await this.page.evaluate(() => ((window as unknown as { __posted: unknown[] }).__posted = []));
  }

  /** Waits until the webview has posted a message matching `match`, and returns it. */
  async waitForPosted<T extends WebviewToHost>(
    match: (m: WebviewToHost) => m is T,
    timeout = 15_000,
  ): Promise<T> {
    const deadline = Date.now() + timeout;
    for (;;) {
      const hit = (await this.posted()).find(match);
      if (hit) return hit;
      if (Date.now() > deadline)
        throw new Error(`no such message; posted: ${JSON.stringify(await this.posted())}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async send(msg: HostToWebview): Promise<void> {
    await this.page.evaluate((m) => window.postMessage(m, '*'), msg);
  }

  async close(): Promise<void> {
    await this.browser.close();
    await new Promise((r) => this.server.close(r));
  }
}
