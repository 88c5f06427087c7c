/**
 * Exporting a graph as a PyTorch package into a temporary folder and running its train.py with
 * Debian's PyTorch (/usr/bin/python3, installed by scripts/setup-tests.sh), beside the engine's own
 * training of the same graph in float64.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import assert from 'node:assert/strict';
import { parseGraph } from '../../../engine/graph/parse.js';
import type { GraphDoc } from '../../../engine/graph/document.js';
import type { Weights } from '../../../engine/graph/weights.js';
import { pytorchPackage } from '../../../engine/pytorch/export.js';
import { prepareTraining } from '../../../engine/train/session.js';
import { epochJson } from '../../../engine/cli/commands/train.js';
import { readBundledFile } from '../../../engine/io/bundled-data.js';

export const PYTHON = '/usr/bin/python3';
export const examplesDir = resolve(__dirname, '../../../examples');

let checked = false;
/** Fails (never skips) with what to install when Debian's PyTorch is missing. */
export function requireTorch(): void {
  if (checked) return;
  const r = spawnSync(PYTHON, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8' });
  assert.equal(
    r.status,
    0,
    `${PYTHON} with torch is needed (Debian's python3-torch; bash scripts/setup-tests.sh installs it): ${r.stderr ?? r.error}`,
  );
  checked = true;
}

export function readExample(file: string): GraphDoc {
  const { doc } = parseGraph(readFileSync(join(examplesDir, file), 'utf8'));
  assert.ok(doc, file);
  return doc;
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `bps-pytorch-${prefix}-`));
}

/** Writes the package for a document into a new folder; returns the folder. */
export function exportTo(doc: GraphDoc, name: string, weights: Weights | null = null): string {
  const dir = join(tempDir(name), name);
  mkdirSync(dir);
  for (const f of pytorchPackage({
    doc,
    weights,
    readBundled: readBundledFile,
    source: `${name}.nngraph.json`,
    saveWeights: 'trained.json',
  }))
    writeFileSync(join(dir, f.name), f.contents);
  return dir;
}

export type JsonLine = Record<string, number | string | boolean>;

/** Runs train.py with the arguments; returns its JSON lines (every stdout line must be one). */
export function runTrainPy(dir: string, args: string[], timeoutMs = 120_000): JsonLine[] {
  requireTorch();
  const r = spawnSync(PYTHON, [join(dir, 'train.py'), '--device', 'cpu', '--json', ...args], {
    encoding: 'utf8',
    timeout: timeoutMs,
    env: { ...process.env, OMP_NUM_THREADS: '1' },
  });
  assert.equal(r.status, 0, `train.py ${args.join(' ')} failed:\n${r.stderr}\n${r.stdout}`);
  return r.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as JsonLine);
}

/** The engine's float64 epochs of a document, as `backprop-studio train --json` prints them. */
export function engineEpochs(doc: GraphDoc, epochs: number): Record<string, number>[] {
  const s = prepareTraining(doc, { dtype: 'float64', epochs, readBundled: readBundledFile });
  const r = s.trainer.run();
  return r.history.map((m) => ({ epoch: m.epoch, ...epochJson(m) }));
}

/** Asserts every number of every epoch line agrees within `tol` relative (and the keys are the same). */
export function assertSameEpochs(
  what: string,
  engine: Record<string, number>[],
  python: JsonLine[],
  tol = 1e-6,
): void {
  const epochs = python.filter((l) => l['final'] === undefined);
  assert.equal(epochs.length, engine.length, `${what}: epochs`);
  engine.forEach((e, i) => {
    const p = epochs[i]!;
    assert.deepEqual(Object.keys(p).sort(), Object.keys(e).sort(), `${what}: keys of epoch ${i + 1}`);
    for (const [k, v] of Object.entries(e)) {
      const q = p[k] as number;
      assert.ok(
        Math.abs(q - v) <= tol * Math.max(Math.abs(v), 1e-12),
        `${what}: epoch ${i + 1} ${k}: PyTorch ${q}, engine ${v} (relative ${Math.abs(q - v) / Math.abs(v)})`,
      );
    }
  });
}
