/**
 * The transformer example in the editor's run session, with every view on (prediction, hidden
 * units, overlay): a sequence dataset (labels per position, logits [N, classes, positions]) trains,
 * reports epochs with an accuracy between 0 and 1, and shows no error.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { exampleDoc, SessionHarness } from './harness.js';

test('transformer-reverse trains in the run session with every view on; accuracy counts positions', () => {
  const h = new SessionHarness();
  h.document(exampleDoc('transformer-reverse'));
  h.send({ type: 'run', action: 'play' });
  h.runUntil(() => h.status.epoch >= 2 || h.status.phase === 'failed', 2000);
  assert.notEqual(h.status.phase, 'failed', JSON.stringify(h.status.error));
  const losses = h.losses.map((l) => l.loss);
  assert.ok(losses.length > 60, `${losses.length} steps`);
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  assert.ok(mean(losses.slice(-20)) < 0.8 * mean(losses.slice(0, 20)), 'the loss falls');
  const epochs = h.runEvents.flatMap((e) => (e.type === 'runMetrics' ? e.history : []));
  assert.ok(epochs.length >= 1, 'an epoch ended');
  for (const { accuracy } of epochs)
    assert.ok(accuracy !== undefined && accuracy > 0 && accuracy <= 1, `accuracy ${accuracy}`);
});
