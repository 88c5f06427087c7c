/**
 * The extension manifest's walkthrough and commands: every step's page exists, every command a step
 * links to is contributed, and the walkthrough goes from an empty window to a trained, exported
 * network (issue #9's "a trained network in under a minute").
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '../..');
interface Step {
  id: string;
  description: string;
  media: { markdown?: string; image?: string };
  completionEvents?: string[];
}
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  contributes: { commands: { command: string }[]; walkthroughs: { steps: Step[] }[] };
};
const commands = new Set(manifest.contributes.commands.map((c) => c.command));
const steps = manifest.contributes.walkthroughs.flatMap((w) => w.steps);

test('every walkthrough step has its page, and links only to contributed commands', () => {
  assert.ok(steps.length > 0);
  for (const step of steps) {
    const page = step.media.markdown ?? step.media.image;
    assert.ok(page && existsSync(join(root, page)), `${step.id}: ${page}`);
    for (const [, command] of step.description.matchAll(/\(command:([\w.]+)\)/g))
      assert.ok(commands.has(command!), `${step.id} links to ${command}, which is not contributed`);
    for (const event of step.completionEvents ?? []) {
      const onCommand = /^onCommand:(.+)$/.exec(event)?.[1];
      if (onCommand) assert.ok(commands.has(onCommand), `${step.id} completes on ${onCommand}`);
    }
  }
});

test('the walkthrough creates, trains, steps through and exports, in that order', () => {
  const ids = steps.map((s) => s.id);
  const order = ['create', 'train', 'step', 'export'].map((id) => ids.indexOf(id));
  assert.ok(
    order.every((i) => i >= 0),
    ids.join(', '),
  );
  assert.deepEqual(
    [...order].sort((a, b) => a - b),
    order,
  );
  // The train step completes when a run has trained: the context key the extension sets.
  const train = steps.find((s) => s.id === 'train')!;
  assert.deepEqual(train.completionEvents, ['onContext:backpropStudio.hasTrained']);
  assert.match(
    readFileSync(join(root, 'extension/run/editor-run.ts'), 'utf8'),
    /'backpropStudio\.hasTrained'/,
  );
});
