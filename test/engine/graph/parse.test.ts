import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseGraph } from '../../../engine/graph/parse.js';
import { serializeGraph } from '../../../engine/graph/serialize.js';
import type { GraphDoc } from '../../../engine/graph/document.js';

const doc: GraphDoc = {
  format: 'backprop-studio.graph',
  version: 1,
  nodes: [
    { id: 'x', op: 'input', attrs: { features: 2 }, position: { x: 0, y: 0 } },
    { id: 'y', op: 'target', attrs: { classes: 3 }, position: { x: 0, y: 200 } },
    { id: 'h', op: 'tanh', attrs: {}, position: { x: 150.5, y: -3 } },
  ],
  edges: [
    { from: 'x', to: 'h' },
    { from: 'y', to: 'h', toPort: 'x', fromPort: 'out' },
  ],
  training: {
    dataset: { kind: 'spiral', classes: 3, samples: 300, noise: 0.1, seed: 1 },
    optimizer: { kind: 'adam', lr: 0.01, betas: [0.9, 0.999] },
    schedule: { kind: 'cosine', tMax: 100 },
    batchSize: 32,
    epochs: 200,
    earlyStopping: { patience: 5 },
    metrics: ['loss', 'accuracy'],
  },
};

test('serialize then parse gives the document back, and serialising again gives the same text', () => {
  const text = serializeGraph(doc);
  const parsed = parseGraph(text);
  assert.deepEqual(parsed.diagnostics, []);
  assert.deepEqual(parsed.doc, doc);
  assert.equal(serializeGraph(parsed.doc!), text);
});

test('serialisation has a fixed key order whatever order the keys came in', () => {
  const shuffled = JSON.parse(JSON.stringify(doc), (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).reverse()) : v,
  ) as GraphDoc;
  assert.equal(serializeGraph(shuffled), serializeGraph(doc));
  const text = serializeGraph(doc);
  assert.ok(text.indexOf('"format"') < text.indexOf('"version"'));
  assert.ok(text.indexOf('"dataset"') < text.indexOf('"optimizer"'));
  assert.ok(text.endsWith('}\n'));
});

test('moving a node changes exactly one line of the file', () => {
  const moved = structuredClone(doc);
  moved.nodes[1]!.position = { x: 40, y: 260 };
  const a = serializeGraph(doc).split('\n');
  const b = serializeGraph(moved).split('\n');
  assert.equal(a.length, b.length);
  const changed = a.filter((line, i) => line !== b[i]);
  assert.deepEqual(changed, ['      "position": { "x": 0, "y": 200 }']);
});

test('a long attribute list is broken over lines as Prettier would', () => {
  const long = structuredClone(doc);
  long.nodes[0]!.attrs = { shape: Array.from({ length: 40 }, (_, i) => i + 1) };
  const text = serializeGraph(long);
  for (const line of text.split('\n')) assert.ok(line.length <= 110, line);
  assert.deepEqual(parseGraph(text).doc, long);
});

test('the node-id → line map points at each node', () => {
  const text = serializeGraph(doc);
  const { locations } = parseGraph(text);
  const lines = text.split('\n');
  for (const n of doc.nodes) {
    const line = locations.node(n.id)!;
    assert.match(lines[line]!, new RegExp(`"id": "${n.id}"`));
  }
  assert.match(lines[locations.node('x', 'features')! - 1]!, /"features": 2/);
  assert.match(lines[locations.edge(1)! - 1]!, /"from": "y"/);
});

const valid = serializeGraph(doc);
const cut = valid.slice(0, 125);
const edit = (f: (d: Record<string, unknown>) => void) => {
  const d = JSON.parse(valid) as Record<string, unknown>;
  f(d);
  return JSON.stringify(d, null, 2);
};
const nodes = (d: Record<string, unknown>) => d['nodes'] as Record<string, unknown>[];

// Each broken document, the diagnostic it must produce, and where.
const broken: {
  name: string;
  text: string;
  code: string;
  line?: number;
  column?: number;
  node?: string;
  severity?: string;
}[] = [
  {
    name: 'cut-off JSON (the error is at the end of the text)',
    text: cut,
    code: 'json-syntax',
    line: cut.split('\n').length,
    column: cut.split('\n').pop()!.length + 1,
  },
  {
    name: 'a missing comma',
    text: '{\n  "format": "x"\n  "version": 1\n}',
    code: 'json-syntax',
    line: 3,
    column: 3,
  },
  { name: 'a trailing comma', text: '{ "a": [1, 2,] }', code: 'json-syntax', line: 1, column: 14 },
  { name: 'not an object', text: '[1, 2]', code: 'not-a-graph' },
  { name: 'another format', text: edit((d) => (d['format'] = 'keras')), code: 'unknown-format', line: 2 },
  { name: 'a newer version', text: edit((d) => (d['version'] = 2)), code: 'unknown-version', line: 3 },
  { name: 'nodes not a list', text: edit((d) => (d['nodes'] = {})), code: 'bad-field' },
  { name: 'a node without an id', text: edit((d) => delete nodes(d)[1]!['id']), code: 'bad-field' },
  {
    name: 'a node with a numeric op',
    text: edit((d) => (nodes(d)[2]!['op'] = 7)),
    code: 'bad-field',
    node: 'h',
  },
  {
    name: 'an attribute that is an object',
    text: edit((d) => (nodes(d)[0]!['attrs'] = { features: { n: 2 } })),
    code: 'bad-attr',
    node: 'x',
  },
  {
    name: 'a position without y',
    text: edit((d) => (nodes(d)[0]!['position'] = { x: 1 })),
    code: 'bad-field',
    node: 'x',
  },
  {
    name: 'an edge without "to"',
    text: edit((d) => delete (d['edges'] as Record<string, unknown>[])[0]!['to']),
    code: 'bad-field',
  },
  { name: 'no training section', text: edit((d) => delete d['training']), code: 'bad-training' },
  {
    name: 'an unknown optimiser',
    text: edit((d) => ((d['training'] as { optimizer: unknown }).optimizer = { kind: 'adamax', lr: 0.1 })),
    code: 'bad-training',
  },
  {
    name: 'a negative batch size',
    text: edit((d) => ((d['training'] as { batchSize: number }).batchSize = -1)),
    code: 'bad-training',
  },
  {
    name: 'a misspelt field',
    text: edit((d) => (nodes(d)[0]!['atrs'] = {})),
    code: 'unknown-field',
    node: 'x',
    severity: 'warning',
  },
  {
    name: 'a key given twice',
    text: '{ "format": "backprop-studio.graph",\n "format": "backprop-studio.graph" }',
    code: 'duplicate-key',
    line: 2,
    severity: 'warning',
  },
];

for (const c of broken) {
  test(`parse: ${c.name} → ${c.code}`, () => {
    const { doc: parsed, diagnostics } = parseGraph(c.text);
    const d = diagnostics.find((x) => x.code === c.code);
    assert.ok(d, `expected ${c.code}, got ${JSON.stringify(diagnostics)}`);
    assert.equal(d.severity, c.severity ?? 'error');
    if (c.line !== undefined) assert.equal(d.line, c.line);
    if (c.column !== undefined) assert.equal(d.column, c.column);
    if (c.node !== undefined) assert.equal(d.node, c.node);
    assert.ok(d.message.length > 20 && /[.?]$/.test(d.message), d.message);
    if (d.severity === 'error') assert.equal(parsed, null);
    else assert.ok(d.line !== undefined);
  });
}

test('parse never throws on deep nesting or odd keys', () => {
  assert.equal(parseGraph('['.repeat(100000)).diagnostics[0]!.code, 'json-syntax');
  const r = parseGraph('{"__proto__": {"polluted": 1}, "format": "backprop-studio.graph"}');
  assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
  assert.ok(r.diagnostics.length > 0);
});
