#!/usr/bin/env node
// Runs every test file (test/**/*.test.ts) with Node's test runner through tsx.
// `npm test -- test/engine` runs only the files under the given paths.
// First it installs what the tests need beyond `npm ci` (scripts/setup-tests.sh: Debian's chromium and
// PyTorch, ONNX's test data, code-server), which is idempotent and cached, so on a fresh clone
// `npm ci && npm test` is all a person types.
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawn, spawnSync } from 'node:child_process';

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
// A test that hangs fails after 20 minutes instead of eating CI's whole budget. No --test-force-exit:
// with it, Node's runner can exit a file's process before its last verdicts have crossed the pipe to
// the parent, which then reports fewer tests than ran, and still passes (nodejs/node#64833; seen here:
// the last 13 tests of one file missing from a green run). A file that leaves something alive (a
// thread, a server) after its tests would keep the run waiting, so the whole run has a deadline of
// its own, and fails, naming the cause, when it passes it.
const guards = ['--test-timeout=1200000'];
const RUN_DEADLINE_MS = 70 * 60_000;
const child = spawn(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-reporter', 'spec', ...guards, ...extra, ...files],
  { stdio: 'inherit', cwd: root },
);
const deadline = setTimeout(() => {
  console.error(
    `the test run passed its ${RUN_DEADLINE_MS / 60_000}-minute deadline: a test file's process is still alive ` +
      '(a test that left a thread, timer or server running, or a hung test); stopping it.',
  );
  child.kill('SIGKILL');
}, RUN_DEADLINE_MS);
child.on('exit', (code, signal) => {
  clearTimeout(deadline);
  process.exit(signal ? 1 : (code ?? 1));
});
