import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CsvError, csvDataset, parseCsvRecords } from '../../../engine/data/csv.js';
import { loadDataset } from '../../../engine/data/load.js';

const IRIS = `sepal_length,sepal_width,species
5.1,3.5,setosa
7.0,3.2,versicolor
6.3,3.3,virginica
4.9,3.0,setosa
`;

test('a header row, named features, text labels as class indices, standardised features', () => {
  const ds = csvDataset(IRIS, {
    features: ['sepal_width', 'sepal_length'],
    target: 'species',
    source: 'iris.csv',
  });
  assert.equal(ds.task, 'classification');
  assert.deepEqual(ds.classNames, ['setosa', 'versicolor', 'virginica']);
  assert.deepEqual([...ds.y.data], [0, 1, 2, 0]);
  assert.deepEqual(ds.x.shape, [4, 2]);
  for (let j = 0; j < 2; j++) {
    const col = [0, 1, 2, 3].map((i) => ds.x.data[i * 2 + j]!);
    const mean = col.reduce((a, b) => a + b) / 4;
    const sd = Math.sqrt(col.reduce((a, b) => a + (b - mean) ** 2, 0) / 4);
    assert.ok(Math.abs(mean) < 1e-12 && Math.abs(sd - 1) < 1e-12);
  }
  assert.ok(ds.notes!.some((n) => n.includes('setosa → 0')));
  assert.ok(ds.notes!.some((n) => n.includes('task not given')));
});

test('raw features, a numeric target as regression, quoted fields and CRLF line ends', () => {
  const text = 'a,"b, with comma",y\r\n1,2,0.5\r\n\r\n3,"4",1.5\r\n';
  const ds = csvDataset(text, { features: ['a', 'b, with comma'], target: 'y', standardize: false });
  assert.equal(ds.task, 'regression');
  assert.deepEqual([...ds.x.data], [1, 2, 3, 4]);
  assert.deepEqual(ds.y.shape, [2, 1]);
  assert.deepEqual([...ds.y.data], [0.5, 1.5]);
  const cls = csvDataset(text, { features: ['a'], target: 'y', task: 'classification', standardize: false });
  assert.deepEqual(cls.classNames, ['0.5', '1.5']);
});

test('without a header, columns are named by number and that is said', () => {
  const ds = csvDataset('1,2,0\n3,4,1\n', { features: ['1', '2'], target: '3', task: 'classification' });
  assert.equal(ds.classes, 2);
  assert.ok(ds.notes!.some((n) => n.includes('no header row')));
  assert.throws(
    () => csvDataset('1,2,0\n3,4,1\n', { features: ['x'], target: '3' }),
    /no column 'x'.*name columns by number/,
  );
});

const BAD: { name: string; text: string; message: RegExp }[] = [
  {
    name: 'a non-number feature',
    text: 'a,b,y\n1,2,0\n1,abc,1\n',
    message: /line 3: column 'b' is 'abc', not a number/,
  },
  { name: 'a missing field', text: 'a,b,y\n1,2,0\n\n1,1\n', message: /line 4: 2 fields, expected 3/ },
  { name: 'an empty target', text: 'a,b,y\n1,2,\n', message: /line 2: the target 'y' is empty/ },
  {
    name: 'an empty feature',
    text: 'a,b,y\n1,2,0\n,2,1\n',
    message: /line 3: column 'a' is '', not a number/,
  },
  { name: 'an unclosed quote', text: 'a,b,y\n1,"2,0\n', message: /line 2: a quoted field is never closed/ },
  {
    name: 'an unknown column',
    text: 'a,b,y\n1,2,0\n',
    message: /line 1: no column 'c'; the columns are 'a', 'b', 'y'/,
  },
];

for (const bad of BAD) {
  test(`CSV with ${bad.name} is refused with its line number`, () => {
    const features = bad.name === 'an unknown column' ? ['a', 'c'] : ['a', 'b'];
    assert.throws(
      () => csvDataset(bad.text, { features, target: 'y', source: 'data.csv' }),
      (e: unknown) =>
        e instanceof CsvError && bad.message.test(e.message) && e.message.startsWith('data.csv: '),
    );
  });
}

test('every bad row is reported, not only the first', () => {
  try {
    csvDataset('a,y\nx,0\n1,0\ny,1\n', { features: ['a'], target: 'y' });
    assert.fail('expected a CsvError');
  } catch (e) {
    assert.ok(e instanceof CsvError);
    assert.deepEqual(
      e.problems.map((p) => p.line),
      [2, 4],
    );
  }
});

test('a regression target with text is refused at its line', () => {
  assert.throws(
    () => csvDataset('a,y\n1,0\n2,big\n', { features: ['a'], target: 'y', task: 'regression' }),
    /line 3: target 'y' is 'big', not a number/,
  );
});

test('records keep the line they start on across quoted line breaks', () => {
  const recs = parseCsvRecords('a,b\n"multi\nline",2\n3,4\n');
  assert.deepEqual(
    recs.map((r) => r.line),
    [1, 2, 4],
  );
  assert.equal(recs[1]!.cells[0], 'multi\nline');
});

test('loadDataset reads CSV through the injected reader', () => {
  const ds = loadDataset(
    { kind: 'csv', path: 'iris.csv', features: ['sepal_length'], target: 'species' },
    { readText: (p) => (p === 'iris.csv' ? IRIS : '') },
  );
  assert.equal(ds.classes, 3);
  assert.throws(
    () => loadDataset({ kind: 'csv', path: 'x.csv', features: ['a'], target: 'b' }),
    /'x\.csv' can't be read here: save the graph in a folder first/,
  );
});

test('loadDataset says what is wrong with a dataset file in words: no file chosen, a missing file', () => {
  assert.throws(
    () => loadDataset({ kind: 'csv', features: ['x1', 'x2'], target: 'y' }, { readText: () => '' }),
    /^UserError: No dataset is known for this network \(training\.dataset\.path names no file\): it needs a CSV with the columns x1, x2, y\. Choose a CSV beside the graph, or a built-in dataset/,
  );
  const enoent = Object.assign(new Error("ENOENT: no such file or directory, open '/abs/data.csv'"), {
    code: 'ENOENT',
  });
  assert.throws(
    () =>
      loadDataset(
        { kind: 'csv', path: 'data.csv', features: ['a'], target: 'b' },
        {
          readText: () => {
            throw enoent;
          },
        },
      ),
    (e: Error) =>
      e.message ===
      "The dataset file 'data.csv' (training.dataset.path) does not exist. Choose a CSV beside the graph, or a built-in dataset (training.dataset.kind).",
  );
});
