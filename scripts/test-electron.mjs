#!/usr/bin/env node
// Runs the extension-host suite (test/extension-host/) in a desktop VS Code via @vscode/test-electron.
// It downloads VS Code unless VSCODE_EXECUTABLE names an installed one; machines without access to
// Microsoft's update server run the same suite in code-server instead (test/e2e/).
import { runTests } from '@vscode/test-electron';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
try {
  await runTests({
    extensionDevelopmentPath: root,
    extensionTestsPath: join(root, 'out/extension-host/index.js'),
    ...(process.env.VSCODE_EXECUTABLE ? { vscodeExecutablePath: process.env.VSCODE_EXECUTABLE } : {}),
    launchArgs: ['--disable-extensions', '--disable-workspace-trust', mkdtempSync(join(tmpdir(), 'bps-ws-'))],
  });
} catch (e) {
  console.error(`extension-host tests failed: ${e instanceof Error ? e.message : e}`);
  process.exit(1);
}
