/**
 * The engine worker thread's script, bundled from extension/worker/engine-worker.ts as the build
 * does (esbuild, CommonJS, for Node), once per process and removed when it exits: for the tests
 * and scripts that start the real thread.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as esbuild from 'esbuild';

const root = join(__dirname, '../../..');

let built: Promise<string> | null = null;

/** The path of the bundled worker script. */
export function buildWorker(): Promise<string> {
  built ??= bundle();
  return built;
}

async function bundle(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'engine-worker-'));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  await esbuild.build({
    absWorkingDir: root,
    entryPoints: { worker: 'extension/worker/engine-worker.ts' },
    outdir: dir,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    logLevel: 'error',
  });
  return join(dir, 'worker.js');
}
