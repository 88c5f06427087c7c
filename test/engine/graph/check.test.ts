import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseGraph } from '../../../engine/graph/parse.js';
import { checkGraph } from '../../../engine/graph/check.js';
import { serializeGraph } from '../../../engine/graph/serialize.js';
import type { GraphDoc, GraphEdge, GraphNode } from '../../../engine/graph/document.js';

/** A small graph using only the data ops and elementwise math: x → tanh → add(h, x). */
function base(): GraphDoc {
  return {
    format: 'backprop-studio.graph',
    version: 1,
    nodes: [
      { id: 'x', op: 'input', attrs: { features: 2 }, position: { x: 0, y: 0 } },
      { id: 'y', op: 'target', attrs: { classes: 3 }, position: { x: 0, y: 200 } },
      { id: 'h', op: 'tanh', attrs: {}, position: { x: 150, y: 0 } },
      { id: 's', op: 'add', attrs: {}, position: { x: 300, y: 0 } },
    ],
    edges: [
      { from: 'x', to: 'h' },
      { from: 'h', to: 's', toPort: 'a' },
      { from: 'x', to: 's', toPort: 'b' },
    ],
    training: {
      dataset: { kind: 'spiral', classes: 3 },
      optimizer: { kind: 'sgd', lr: 0.1 },
      batchSize: 8,
      epochs: 1,
    },
  };
}

function check(d: GraphDoc) {
  // Through the text, as a user's file would be, so that lines are known.
  const parsed = parseGraph(serializeGraph(d));
  assert.ok(parsed.doc, JSON.stringify(parsed.diagnostics));
  return checkGraph(parsed.doc, { locations: parsed.locations });
}

const node = (d: GraphDoc, id: string): GraphNode => d.nodes.find((n) => n.id === id)!;
const edge = (d: GraphDoc, from: string, to: string): GraphEdge =>
  d.edges.find((e) => e.from === from && e.to === to)!;

test('shapes are inferred with a symbolic batch dimension', () => {
  const { shapes } = check(base());
  assert.deepEqual(shapes.get('x'), ['N', 2]);
  assert.deepEqual(shapes.get('y'), ['N']);
  assert.deepEqual(shapes.get('s'), ['N', 2]);
});

const cases: {
  name: string;
  edit: (d: GraphDoc) => void;
  code: string;
  node?: string;
  port?: string;
  attr?: string;
  edge?: number;
  mentions?: string[];
}[] = [
  {
    name: 'an unknown op',
    edit: (d) => (node(d, 'h').op = 'tanhh'),
    code: 'unknown-op',
    node: 'h',
    mentions: ["'tanh'"],
  },
  {
    name: 'an integer attribute given a fraction',
    edit: (d) => (node(d, 'x').attrs = { features: 1.5 }),
    code: 'bad-attr',
    node: 'x',
    attr: 'features',
  },
  {
    name: 'an attribute the op does not have',
    edit: (d) => (node(d, 'h').attrs = { units: 3 }),
    code: 'unknown-attr',
    node: 'h',
    attr: 'units',
  },
  {
    name: 'an input with neither features nor shape',
    edit: (d) => (node(d, 'x').attrs = {}),
    code: 'missing-attr',
    node: 'x',
    attr: 'features',
  },
  {
    name: 'a target with both classes and features',
    edit: (d) => (node(d, 'y').attrs = { classes: 3, features: 1 }),
    code: 'bad-attr',
    node: 'y',
  },
  ...(
    [
      [
        'conv2d groups that do not divide the input channels',
        'conv2d',
        { outChannels: 4, kernel: 3, groups: 2 },
        'groups',
        ['groups 2', '3 input channels', '[N, 3, 6, 6]'],
      ],
      [
        'conv2d padding over half the dilated kernel',
        'conv2d',
        { outChannels: 3, kernel: 3, dilation: 2, padding: 3 },
        'padding',
        ['padding 3', 'dilated kernel'],
      ],
      [
        'a pool window larger than the padded input',
        'max_pool2d',
        { kernel: [7, 2] },
        'kernel',
        ['7×2', '6×6'],
      ],
      ['reflect padding as large as the axis', 'pad', { pad: [6, 0], mode: 'reflect' }, 'pad', ['reflect']],
      [
        'group_norm groups that do not divide the channels',
        'group_norm',
        { num_groups: 2 },
        'num_groups',
        ['3 channels', 'num_groups 2', 'divisor of 3'],
      ],
      [
        'a prelu slope count that is not the channels',
        'prelu',
        { num_parameters: 2 },
        'num_parameters',
        ['3'],
      ],
    ] as const
  ).map(([name, op, attrs, attr, mentions]) => ({
    name,
    edit: (d: GraphDoc) => {
      node(d, 'x').attrs = { shape: [3, 6, 6] };
      Object.assign(node(d, 'h'), { op, attrs });
    },
    code: 'bad-attr',
    node: 'h',
    attr,
    mentions: [...mentions],
  })),
  {
    name: 'two nodes with the same id',
    edit: (d) => d.nodes.push({ id: 'h', op: 'tanh', attrs: {}, position: { x: 0, y: 0 } }),
    code: 'duplicate-id',
    node: 'h',
  },
  {
    name: 'an edge from a missing node',
    edit: (d) => (edge(d, 'x', 'h').from = 'ghost'),
    code: 'missing-node',
    node: 'h',
    edge: 0,
    mentions: ["'ghost'"],
  },
  {
    name: 'an edge to a missing node',
    edit: (d) => d.edges.push({ from: 'h', to: 'nowhere' }),
    code: 'missing-node',
    edge: 3,
  },
  {
    name: 'a port fed twice',
    edit: (d) => d.edges.push({ from: 'x', to: 'h' }),
    code: 'port-fed-twice',
    node: 'h',
    port: 'x',
    edge: 3,
  },
  { name: 'a port not fed', edit: (d) => d.edges.splice(2, 1), code: 'port-unfed', node: 's', port: 'b' },
  {
    name: 'an edge into a two-input op without toPort',
    edit: (d) => delete edge(d, 'x', 's').toPort,
    code: 'ambiguous-port',
    node: 's',
  },
  {
    name: 'an edge into a port that does not exist',
    edit: (d) => (edge(d, 'x', 's').toPort = 'c'),
    code: 'unknown-port',
    node: 's',
    port: 'c',
  },
  {
    name: 'an edge into a data node',
    edit: (d) => d.edges.push({ from: 'h', to: 'y' }),
    code: 'unknown-port',
    node: 'y',
  },
  {
    name: 'a cycle',
    edit: (d) => {
      d.nodes.push({ id: 't', op: 'tanh', attrs: {}, position: { x: 0, y: 0 } });
      edge(d, 'x', 'h').from = 't';
      d.edges.push({ from: 's', to: 't' });
    },
    code: 'cycle',
    mentions: ["'h'", "'s'", "'t'"],
  },
  {
    name: 'shapes that do not broadcast',
    edit: (d) => {
      node(d, 'y').attrs = { features: 3 };
      edge(d, 'x', 's').from = 'y';
    },
    code: 'shape-mismatch',
    node: 's',
    mentions: ['[N, 2]', '[N, 3]'],
  },
  { name: 'no loss node', edit: () => {}, code: 'no-loss' },
  { name: 'no input node', edit: (d) => (node(d, 'x').op = 'target'), code: 'no-input' },
  {
    name: 'input features that do not match the dataset',
    edit: (d) => (node(d, 'x').attrs = { features: 3 }),
    code: 'dataset-mismatch',
    node: 'x',
    attr: 'features',
    mentions: ['2 feature'],
  },
  {
    name: 'a class count that does not match the dataset',
    edit: (d) => (d.training.dataset = { kind: 'moons' }),
    code: 'dataset-mismatch',
    node: 'y',
    attr: 'classes',
    mentions: ['2 classes'],
  },
  {
    name: 'a classification target on a regression dataset',
    edit: (d) => (d.training.dataset = { kind: 'sine' }),
    code: 'dataset-mismatch',
    node: 'y',
    attr: 'features',
  },
  {
    name: 'an image input on a 2-D dataset',
    edit: (d) => (node(d, 'x').attrs = { shape: [1, 8, 8] }),
    code: 'dataset-mismatch',
    node: 'x',
    attr: 'shape',
  },
];

for (const c of cases) {
  test(`check: ${c.name} → ${c.code}`, () => {
    const d = base();
    c.edit(d);
    const { diagnostics } = check(d);
    const found = diagnostics.find((x) => x.code === c.code && (c.node === undefined || x.node === c.node));
    assert.ok(found, `expected ${c.code}, got ${JSON.stringify(diagnostics, null, 1)}`);
    assert.equal(found.severity, 'error');
    for (const k of ['node', 'port', 'attr', 'edge'] as const)
      if (c[k] !== undefined) assert.equal(found[k], c[k], k);
    for (const m of c.mentions ?? [])
      assert.ok(found.message.includes(m), `${found.message} should mention ${m}`);
    if (found.node !== undefined || found.edge !== undefined)
      assert.ok(found.line! > 1, 'has the line of its node or edge');
  });
}

/** A regression graph with a hand-built loss: mean((pred - y)²). */
function handBuilt(lossAxis?: number): GraphDoc {
  const d = base();
  d.training.dataset = { kind: 'sine' };
  node(d, 'x').attrs = { features: 1 };
  node(d, 'y').attrs = { features: 1 };
  d.nodes = d.nodes.filter((n) => n.id !== 's');
  d.nodes.push(
    { id: 'p', op: 'linear', attrs: { units: 1 }, position: { x: 300, y: 0 } },
    { id: 'err', op: 'sub', attrs: {}, position: { x: 450, y: 0 } },
    { id: 'sq', op: 'square', attrs: {}, position: { x: 600, y: 0 } },
    {
      id: 'loss',
      op: 'mean',
      attrs: lossAxis === undefined ? {} : { axis: lossAxis },
      position: { x: 750, y: 0 },
    },
  );
  d.edges = [
    { from: 'x', to: 'h' },
    { from: 'h', to: 'p' },
    { from: 'p', to: 'err', toPort: 'a' },
    { from: 'y', to: 'err', toPort: 'b' },
    { from: 'err', to: 'sq' },
    { from: 'sq', to: 'loss' },
  ];
  return d;
}

test('a hand-built loss (mean of squared errors) is a loss', () => {
  const { diagnostics, shapes } = check(handBuilt());
  assert.deepEqual(diagnostics, []);
  assert.deepEqual(shapes.get('loss'), []);
});

const lossCases: {
  name: string;
  doc: () => GraphDoc;
  code: string;
  severity: string;
  node?: string;
  attr?: string;
}[] = [
  {
    name: 'a loss that is not a single number',
    doc: () => handBuilt(1),
    code: 'loss-not-scalar',
    severity: 'error',
    node: 'loss',
  },
  {
    name: 'a node that does not lead to the loss',
    doc: () => {
      const d = handBuilt();
      d.nodes.push({ id: 'stray', op: 'relu', attrs: {}, position: { x: 300, y: 300 } });
      d.edges.push({ from: 'h', to: 'stray' });
      return d;
    },
    code: 'unreachable',
    severity: 'warning',
    node: 'stray',
  },
  {
    name: 'two loss ops',
    doc: () => {
      const d = handBuilt();
      d.nodes.push(
        { id: 'l1', op: 'mse_loss', attrs: {}, position: { x: 600, y: 200 } },
        { id: 'l2', op: 'mse_loss', attrs: {}, position: { x: 600, y: 300 } },
      );
      for (const l of ['l1', 'l2'])
        d.edges.push({ from: 'p', to: l, toPort: 'pred' }, { from: 'y', to: l, toPort: 'target' });
      return d;
    },
    code: 'several-losses',
    severity: 'error',
    node: 'l2',
  },
  {
    name: 'a linear layer without units',
    doc: () => {
      const d = handBuilt();
      node(d, 'p').attrs = {};
      return d;
    },
    code: 'missing-attr',
    severity: 'error',
    node: 'p',
    attr: 'units',
  },
];

for (const c of lossCases) {
  test(`check: ${c.name} → ${c.code}`, () => {
    const { diagnostics } = check(c.doc());
    const found = diagnostics.find((x) => x.code === c.code);
    assert.ok(found, `expected ${c.code}, got ${JSON.stringify(diagnostics, null, 1)}`);
    assert.equal(found.severity, c.severity);
    if (c.node) assert.equal(found.node, c.node);
    if (c.attr) assert.equal(found.attr, c.attr);
    assert.ok(found.line! > 1);
  });
}

test('a CSV dataset is read through the host: missing, malformed and fixed files; the same text is parsed once', (t) => {
  const doc = parseGraph(readFileSync(join(__dirname, '../../../examples/spiral.nngraph.json'), 'utf8')).doc!;
  const csv = (path: string | undefined) => ({
    ...doc,
    nodes: doc.nodes.map((n) => (n.op === 'target' ? { ...n, attrs: { classes: 3 } } : n)),
    training: {
      ...doc.training,
      dataset: {
        kind: 'csv' as const,
        ...(path !== undefined ? { path } : {}),
        features: ['a', 'b'],
        target: 'c',
        task: 'classification' as const,
      },
    },
  });
  const good = `a,b,c\n${Array.from({ length: 20000 }, (_, i) => `${i % 7},${i % 5},${i % 3}`).join('\n')}\n`;
  const files: Record<string, string> = { 'good.csv': good, 'bad.csv': 'a,b,c\n1,x,0\n' };
  const readDataFile = (p: string) => {
    if (!(p in files)) throw Object.assign(new Error(`ENOENT: open '/abs/${p}'`), { code: 'ENOENT' });
    return files[p]!;
  };
  const problems = (path: string | undefined) =>
    checkGraph(csv(path), { readDataFile })
      .diagnostics.filter((d) => d.setting === 'training.dataset.path')
      .map((d) => `${d.severity} ${d.code}: ${d.message}`);
  assert.deepEqual(problems('good.csv'), []);
  assert.deepEqual(problems('nope.csv'), [
    "error dataset-unreadable: The dataset file 'nope.csv' (training.dataset.path) does not exist. Choose a CSV beside the graph, or a built-in dataset (training.dataset.kind).",
  ]);
  assert.match(problems('bad.csv')[0]!, /^error dataset-unreadable: .*'bad\.csv'.* line 2: /);
  files['bad.csv'] = good;
  assert.deepEqual(problems('bad.csv'), [], 'the fixed file is read again');
  assert.match(problems(undefined)[0]!, /^warning no-dataset: No dataset is known for this network/);
  assert.deepEqual(
    checkGraph(csv('nope.csv')).diagnostics.filter((d) => d.setting),
    [],
    'no reader: not checked',
  );
  const t0 = performance.now();
  problems('good.csv');
  const first = performance.now() - t0;
  const t1 = performance.now();
  problems('good.csv');
  const again = performance.now() - t1;
  t.diagnostic(
    `20,000-row CSV: checked in ${first.toFixed(1)} ms, again (same text) in ${again.toFixed(1)} ms`,
  );
});
