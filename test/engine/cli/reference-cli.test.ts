/** `backprop-studio reference`: the summary line, the exit code, failing cases by name, bad input. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { reference } from '../../../engine/cli/commands/reference.js';
import { captureOutput } from './capture-output.js';

const shared = join(__dirname, '..', '..', '..', '..', 'shared', 'reference', 'pytorch-reference.json');

function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  return captureOutput(() => reference.run(args));
}

function tempFile(content: string): string {
  const f = join(mkdtempSync(join(tmpdir(), 'bps-ref-')), 'ref.json');
  writeFileSync(f, content);
  return f;
}

test('ends with "N passed, M failed" and exits 1 exactly when something failed', async () => {
  const { code, out } = await run([shared, '--dtype', 'float32']);
  const m = /^(\d+) passed, (\d+) failed\n$/m.exec(out.slice(out.lastIndexOf('\n', out.length - 2) + 1));
  assert.ok(m, out);
  assert.ok(Number(m[1]) >= 46);
  assert.equal(code, Number(m[2]) > 0 ? 1 : 0);
});

test('a failing case is printed with its name and worst error; unknown kinds count as failed', async () => {
  const file = tempFile(
    JSON.stringify({
      cases: [
        {
          kind: 'op',
          name: 'neg/wrong',
          op: 'neg',
          attrs: {},
          inputs: { x: { shape: [2], data: [1, 2] } },
          output: { shape: [2], data: [-1, -2.5] },
        },
        {
          kind: 'op',
          name: 'neg/right',
          op: 'neg',
          attrs: {},
          inputs: { x: { shape: [2], data: [1, 2] } },
          output: { shape: [2], data: [-1, -2] },
        },
        { kind: 'mystery', name: 'who-knows' },
      ],
    }),
  );
  const { code, out } = await run([file]);
  assert.equal(code, 1);
  assert.match(out, /FAIL .*neg\/wrong: worst 2\.00e-1 \(output\)/);
  assert.match(out, /FAIL .*who-knows: .*no handler for case kind 'mystery'/);
  assert.doesNotMatch(out, /neg\/right/);
  assert.match(out, /^1 passed, 2 failed$/m);
});

test('bad input: a clear message and exit code 2, never a stack trace', async () => {
  for (const [args, message] of [
    [[tempFile('{ not json')], /ref\.json is not valid JSON/],
    [[tempFile('{"cases": 3}')], /"cases" list/],
    [[join(tmpdir(), 'no-such-file.json')], /no-such-file\.json does not exist/],
  ] as const) {
    const { code, err } = await run([...args]);
    assert.equal(code, 2);
    assert.match(err, message);
    assert.doesNotMatch(err, /at .*\.ts:\d+/);
  }
  await assert.rejects(() => reference.run([shared, '--dtype', 'float16']), /float32 or float64/);
});
