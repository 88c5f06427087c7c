/**
 * Both weights formats through the CLI: `train --save-weights` writes safetensors when the name
 * says so, and `run`, `analyze` and `export` read it, given or found beside the graph.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeWeightsFile, encodeWeightsFile } from '../../../engine/graph/weights.js';

const root = join(__dirname, '../../..');
const cli = (...args: string[]) => {
  const r = spawnSync(process.execPath, [join(root, 'bin/backprop-studio.js'), ...args], {
    encoding: 'utf8',
    cwd: root,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
};

test('train --save-weights x.weights.safetensors; run, analyze and export read it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bps-weights-'));
  try {
    const graph = join(dir, 'spiral.nngraph.json');
    copyFileSync(join(root, 'examples/spiral.nngraph.json'), graph);
    const st = join(dir, 'spiral.weights.safetensors');
    const trained = cli('train', graph, '--epochs', '2', '--save-weights', st);
    assert.equal(trained.code, 0, trained.err);
    const bytes = new Uint8Array(readFileSync(st));
    assert.notEqual(bytes[0], '{'.charCodeAt(0), 'binary, not JSON');
    const weights = decodeWeightsFile(bytes);

    writeFileSync(join(dir, 'x.json'), JSON.stringify({ shape: [1, 2], data: [0.3, -0.2] }));
    // Found beside the graph, as the JSON file would be.
    const run = cli('run', graph, '--input', join(dir, 'x.json'));
    assert.equal(run.code, 0, run.err);
    assert.match(run.err, /using the weights in .*spiral\.weights\.safetensors/);
    // The same weights as JSON give the same output.
    const json = join(dir, 'same.weights.json');
    writeFileSync(json, encodeWeightsFile(weights, 'json'));
    const viaJson = cli('run', graph, '--input', join(dir, 'x.json'), '--weights', json);
    assert.equal(viaJson.out, run.out);

    const analyzed = cli('analyze', graph, '--weights', st, '--json');
    assert.equal(analyzed.code, 0, analyzed.err);
    const onnx = join(dir, 'spiral.onnx');
    const exported = cli('export', graph, '--to', 'onnx', '--weights', st, '-o', onnx);
    assert.equal(exported.code, 0, exported.err);
    assert.ok(existsSync(onnx));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
