import { test } from 'node:test';
import assert from 'node:assert/strict';
import { csvHeader, datasetFromCsv } from '../../extension/dataset-choice.js';
import type { DatasetConfig } from '../../engine/graph/document.js';

const imported: DatasetConfig = { kind: 'csv', features: ['x1', 'x2'], target: 'y', task: 'classification' };

test('a chosen CSV with the columns the graph names keeps them; only the path is set', () => {
  const r = datasetFromCsv(imported, 'data/train.csv', csvHeader('x1,x2,y\n1,2,0\n'));
  assert.deepEqual(r, { dataset: { ...imported, path: 'data/train.csv' }, note: null });
});

test('a chosen CSV with other columns: features from its header, the last column the target, said', () => {
  const r = datasetFromCsv(imported, 'iris.csv', csvHeader('"sepal length",petal,species\r\n1,2,a\n'));
  assert.deepEqual(r.dataset, {
    kind: 'csv',
    path: 'iris.csv',
    features: ['sepal length', 'petal'],
    target: 'species',
    task: 'classification',
  });
  assert.match(r.note!, /features are now sepal length, petal and its target 'species' \(the last column\)/);
});

test('a CSV without a header keeps the configured columns (the diagnostics say if they miss)', () => {
  assert.equal(csvHeader('1,2,3\n4,5,6\n'), null);
  assert.deepEqual(datasetFromCsv(imported, 'n.csv', null).dataset, { ...imported, path: 'n.csv' });
});

test('switching from a built-in dataset to a CSV reads the columns from the header', () => {
  const r = datasetFromCsv({ kind: 'spiral', classes: 3 }, 'd.csv', csvHeader('a,b,label\n'));
  assert.deepEqual(r.dataset, { kind: 'csv', path: 'd.csv', features: ['a', 'b'], target: 'label' });
});
