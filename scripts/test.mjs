#!/usr/bin/env node
// Runs every test file (test/**/*.test.ts) with Node's test runner through tsx.
// `npm test -- test/engine` runs only the files under the given paths.
// First it installs what the tests need beyond `npm ci` (scripts/setup-tests.sh: Debian's chromium and
// PyTorch, ONNX's test data, code-server), which is idempotent and cached, so on a fresh clone
// `npm ci && npm test` is all a person types.
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const roots = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const extra = process.argv.slice(2).filter((a) => a.startsWith('-'));

function collect(path, out) {
  const st = statSync(path);
  if (st.isDirectory()) {
    for (const e of readdirSync(path).sort()) {
      if (e === 'node_modules' || e.startsWith('.')) continue;
      collect(join(path, e), out);
    }
  } else if (/\.test\.tsx?$/.test(path)) out.push(path);
  return out;
}

const files = (roots.length ? roots : ['test']).flatMap((r) => collect(join(root, r), []));
if (files.length === 0) {
  console.error(`no test files under ${roots.join(' ') || 'test'}`);
  process.exit(1);
}
const setup = spawnSync('bash', [join(root, 'scripts/setup-tests.sh')], { stdio: 'inherit', cwd: root });
if (setup.status !== 0) {
  console.error('scripts/setup-tests.sh failed (above): the tests need what it installs.');
  process.exit(setup.status ?? 1);
}
console.log(`running ${files.length} test files: ${files.map((f) => relative(root, f)).join(' ')}`);
// A test that hangs fails after 20 minutes instead of eating CI's whole budget, and a file whose
// tests have all finished exits even if something it started (a thread, a server) is still alive.
const guards = ['--test-timeout=1200000', '--test-force-exit'];
const res = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-reporter', 'spec', ...guards, ...extra, ...files],
  { stdio: 'inherit', cwd: root },
);
process.exit(res.status ?? 1);
