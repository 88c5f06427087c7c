/** The temporary `demo` command: runs, finds the gradients right, and says so. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { demo } from '../../engine/cli/commands/demo.js';

test('demo prints the loss, every gradient norm and a passing gradient check', async (t) => {
  const chunks: string[] = [];
  t.mock.method(process.stdout, 'write', (s: string) => (chunks.push(s), true));
  const code = await demo.run([]);
  t.mock.restoreAll();
  const text = chunks.join('');
  assert.equal(code, 0, text);
  assert.match(text, /loss \d\.\d{6}/);
  for (const p of ['W1', 'b1', 'W2', 'b2', 'W3', 'b3'])
    assert.match(text, new RegExp(`^  ${p} .*\\de-\\d`, 'm'));
  assert.match(text, /the gradients are right/);
});
