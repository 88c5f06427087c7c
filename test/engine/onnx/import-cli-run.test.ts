/** The commands a user types: `import` a reference model, then `run` it on the manifest's input. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importCommand } from '../../../engine/cli/commands/import.js';
import { runCommand } from '../../../engine/cli/commands/run.js';
import type { Command } from '../../../engine/cli/command.js';
import { maxAbsDiff, referenceModels, type StoredTensor } from './reference-models.js';
import { captureOutput } from '../cli/capture-output.js';

async function capture(
  cmd: Command,
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  const { code, out, err } = await captureOutput(() => cmd.run(args));
  return { code, stdout: out, stderr: err };
}

for (const ref of referenceModels()) {
  test(`import ${ref.file}, then run reproduces onnxruntime's output (≤ 1e-4)`, async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'onnx-cli-'));
    try {
      const graph = join(dir, 'model.nngraph.json');
      const imported = await capture(importCommand, [ref.path, '-o', graph]);
      assert.equal(imported.code, 0, imported.stderr);
      const input = join(dir, 'input.json');
      writeFileSync(input, JSON.stringify(ref.input));
      const ran = await capture(runCommand, [
        graph,
        '--input',
        input,
        '--weights',
        join(dir, 'model.weights.json'),
      ]);
      assert.equal(ran.code, 0, ran.stderr);
      const out = JSON.parse(ran.stdout) as StoredTensor;
      assert.deepEqual(out.shape, ref.output.shape);
      const err = maxAbsDiff(out.data, ref.output.data);
      t.diagnostic(`max |run - onnxruntime| = ${err.toExponential(2)}`);
      assert.ok(err <= 1e-4, `max abs error ${err}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
