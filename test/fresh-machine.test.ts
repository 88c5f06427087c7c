/**
 * A fresh clone needs nothing but the README's commands: `npm ci` must not download onnxruntime's
 * CUDA binaries (the committed .npmrc switches that off, not an environment variable CI alone sets),
 * and `npm test` sets up its own prerequisites (scripts/setup-tests.sh) before any test runs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..');

test("npm ci skips onnxruntime-node's CUDA download through the committed .npmrc alone", () => {
  // Ask onnxruntime-node's own install logic, under npm (which turns .npmrc keys into
  // npm_config_* variables) and with none of the project's variables set.
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !/onnxruntime/i.test(k)),
  ) as NodeJS.ProcessEnv;
  const script =
    "process.stdout.write(JSON.stringify(require('onnxruntime-node/script/install-utils.js').parseInstallFlag() ?? 'download'))";
  const r = spawnSync('npm', ['exec', '--no', '-c', `node -e "${script}"`], {
    cwd: root,
    env,
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), 'false', 'parseInstallFlag() === false means: install nothing extra');
});

test('CI sets none of the project environment variables (a plain clone must work the same)', () => {
  const ci = readFileSync(join(root, '.ci/run'), 'utf8');
  const exported = [...ci.matchAll(/^\s*export\s+([A-Z_][A-Z0-9_]*)/gm)].map((m) => m[1]);
  assert.deepEqual(exported, ['CI']);
  assert.doesNotMatch(ci, /ONNXRUNTIME|BACKPROP/);
});

test('npm test runs scripts/setup-tests.sh before the tests', () => {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  };
  assert.equal(pkg.scripts['test'], 'node scripts/test.mjs');
  const runner = readFileSync(join(root, 'scripts/test.mjs'), 'utf8');
  const setup = runner.search(/spawnSync\('bash', \[join\(root, 'scripts\/setup-tests\.sh'\)\]/);
  const tests = runner.search(/'--test'/);
  assert.ok(setup >= 0, 'scripts/test.mjs runs scripts/setup-tests.sh');
  assert.ok(setup < tests, 'and does so before starting the test runner');
  assert.match(runner, /if \(setup\.status !== 0\)/, 'and stops when the set-up fails');
});

test('npm test lets each test file exit by itself, so no verdict is lost on the way to the report', () => {
  // --test-force-exit can end a file's process before its last results reach the parent, which then
  // reports fewer tests than ran and passes (nodejs/node#64833); the runner has a run deadline instead.
  const runner = readFileSync(join(root, 'scripts/test.mjs'), 'utf8');
  assert.doesNotMatch(runner.replace(/\/\/.*$/gm, ''), /--test-force-exit/);
  assert.match(runner, /RUN_DEADLINE_MS/, 'a run that never ends fails at its deadline');
});
