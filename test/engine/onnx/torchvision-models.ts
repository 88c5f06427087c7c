/**
 * torchvision's ResNet-18, MobileNetV2 (width 0.35) and SqueezeNet 1.1 with random weights, exported
 * by PyTorch 1.13 at opset 13 (scripts/export-torchvision-onnx.py), run into a cache folder outside
 * the repository (the files are about 60 MB) and reused while the script is unchanged.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import type { StoredTensor } from './reference-models.js';

const ROOT = resolve(__dirname, '../../..');
export const PYTHON = '/usr/bin/python3';
const SCRIPT = join(ROOT, 'scripts/export-torchvision-onnx.py');

export interface Manifest {
  generator: string;
  models: { name: string; file: string; input: StoredTensor; output: StoredTensor }[];
}

/** The folder for a generator's output: `~/.cache/backprop-studio-tests/<name>-<hash of the scripts>`. */
export function cacheDir(name: string, scripts: string[]): string {
  const hash = createHash('sha256');
  for (const s of scripts) hash.update(readFileSync(s));
  return join(homedir(), '.cache', 'backprop-studio-tests', `${name}-${hash.digest('hex').slice(0, 12)}`);
}

/** Runs a Python generator, failing with what to install when it can't. */
export function runPython(script: string, args: string[]): void {
  const res = spawnSync(PYTHON, [script, ...args], { encoding: 'utf8' });
  assert.equal(
    res.status,
    0,
    `${PYTHON} ${script} failed (it needs Debian's python3-torch, python3-torchvision, python3-onnx: bash scripts/setup-tests.sh):\n${res.stderr}`,
  );
}

/** The exported models, from the cache when the script has not changed since it wrote them. */
export function exported(): { dir: string; manifest: Manifest } {
  const dir = cacheDir('torchvision', [SCRIPT]);
  const manifest = join(dir, 'manifest.json');
  if (!existsSync(manifest)) runPython(SCRIPT, [dir]);
  return { dir, manifest: JSON.parse(readFileSync(manifest, 'utf8')) as Manifest };
}

/**
 * ResNet-18 from `exported()` re-saved with its weights in an external data file
 * (scripts/save-external-data.py: onnx.save_model(..., save_as_external_data=True)): the path of
 * resnet18.onnx, with resnet18.onnx.data beside it.
 */
export function resnet18WithExternalData(): string {
  const saveExternal = join(ROOT, 'scripts/save-external-data.py');
  const { dir: source, manifest } = exported();
  const dir = cacheDir('resnet18-external', [saveExternal, SCRIPT]);
  const model = join(dir, 'resnet18.onnx');
  const resnet = manifest.models.find((m) => m.name === 'resnet18')!;
  if (!existsSync(`${model}.data`)) runPython(saveExternal, [join(source, resnet.file), model]);
  return model;
}
