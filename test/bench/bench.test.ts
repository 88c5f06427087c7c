import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

const root = resolve(__dirname, '../..');

// A smoke test of the whole harness with a tiny timing budget: it bundles the tfjs side, runs every
// child process (engine, tfjs cpu and wasm, NumPy on OpenBLAS) and prints the JSON line. No timing is
// asserted; that all four start from the same loss checks they train the same network on the same data.
test('bench --json runs mlp-tiny and lenet5 on our engine, both tfjs backends and NumPy, and prints one JSON line', () => {
  const res = spawnSync(
    process.execPath,
    [
      'bin/backprop-studio.js',
      'bench',
      '--json',
      '--workload',
      'mlp-tiny',
      '--workload',
      'lenet5',
      '--rounds',
      '1',
    ],
    { cwd: root, encoding: 'utf8', env: { ...process.env, BPS_BENCH_BUDGET: '20,5,2' } },
  );
  assert.equal(res.status, 0, res.stderr);
  const lines = res.stdout.trim().split('\n');
  assert.equal(lines.length, 1, 'exactly one line of JSON');
  const report = JSON.parse(lines[0]!) as {
    machine: string;
    workloads: {
      name: string;
      engine_ms: number | null;
      tfjs_cpu_ms: number;
      tfjs_wasm_ms: number;
      numpy_ms: number | null;
      engine_gflops: number | null;
      same_start_loss: boolean | null;
    }[];
  };
  assert.match(report.machine, /cores, .*Node/);
  assert.deepEqual(
    report.workloads.map((w) => w.name),
    ['mlp-tiny', 'lenet5'],
  );
  for (const w of report.workloads) {
    for (const key of ['engine_ms', 'tfjs_cpu_ms', 'tfjs_wasm_ms', 'numpy_ms', 'engine_gflops'] as const) {
      assert.ok(key in w, `${w.name}: ${key} present`);
    }
    assert.ok(
      w.engine_ms! > 0 && w.tfjs_cpu_ms > 0 && w.tfjs_wasm_ms > 0,
      `${w.name}: all three implementations trained`,
    );
    assert.ok(
      w.numpy_ms !== null && w.numpy_ms > 0,
      `${w.name}: the NumPy anchor ran (it needs python3-numpy and libopenblas0-serial: bash scripts/setup-tests.sh)`,
    );
    assert.equal(
      w.same_start_loss,
      true,
      `${w.name}: engine, tfjs and NumPy start from the same loss: same network, weights, data`,
    );
  }
});

test('bench rejects an unknown workload with a usage message and exit code 2', () => {
  const res = spawnSync(process.execPath, ['bin/backprop-studio.js', 'bench', '--workload', 'nope'], {
    cwd: root,
    encoding: 'utf8',
  });
  assert.equal(res.status, 2);
  assert.match(
    res.stderr,
    /--workload needs one of mlp-tiny, mlp-mnist, cnn-small, lenet5, resnet-mini, attention-block, compile-1000; got nope/,
  );
  assert.doesNotMatch(res.stderr, /\n\s+at /, 'no stack trace');
});
