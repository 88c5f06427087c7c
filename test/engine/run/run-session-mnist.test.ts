/**
 * MNIST in the editor's engine worker: opening the graph reads no data (the preview draws only one
 * or two features); the first step of a run reads and decodes the shipped files, and training
 * goes on from the decoded copy.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { exampleDoc, SessionHarness } from './harness.js';
import { readBundledFile } from '../../../engine/io/bundled-data.js';
import type { BundledFile } from '../../../engine/data/idx.js';

test('mnist-lenet: opening reads no data; the first step reads each MNIST file once and trains', () => {
  const reads: BundledFile[] = [];
  const h = new SessionHarness({
    readBundled: (file) => {
      reads.push(file);
      return readBundledFile(file);
    },
  });
  h.document(exampleDoc('mnist-lenet'));
  assert.deepEqual(
    h.of('runDataset').map((e) => e.dataset),
    [null],
    'no points to preview for images',
  );
  assert.deepEqual(reads, [], 'nothing read when the graph opens');
  h.send({ type: 'run', action: 'step' });
  assert.equal(h.status.step, 1, h.status.error?.message);
  assert.equal(reads.length, 2, 'the images and the labels, once each');
  h.send({ type: 'run', action: 'step' });
  assert.equal(h.status.step, 2);
  assert.equal(reads.length, 2, 'decoded once, kept');
});
