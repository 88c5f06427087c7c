/**
 * The editor's run machinery on graphs beyond a chain of layers (issue #15): several input nodes
 * (iris-two-inputs), attention built from parts (transformer-reverse), a node with several
 * outputs (split) and an integer input through an embedding (phrases-embedding). Each drives a real RunSession: step-through reaches every node and ends on a
 * full backward pass's gradients, the gradient check runs with every input fed, the overlay has a
 * value for every wire (each split port its own), and each analysis gives a result or says why not.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { exampleDoc, SessionHarness, splitIrisDoc } from './harness.js';
import { prepareTraining } from '../../../engine/train/session.js';
import { valueKey } from '../../../engine/graph/check.js';
import { gradcheckGraph } from '../../../engine/run/inspection.js';
import { norm } from '../../../engine/train/stats.js';
import { compileGraph } from '../../../engine/graph/compile.js';
import { lossBatch } from '../../../engine/analysis/graph.js';
import { parseGraph } from '../../../engine/graph/parse.js';
import { featureMaps } from '../../../engine/run/image-views.js';
import type { GraphDoc } from '../../../engine/graph/document.js';
import type { BackwardStep, ForwardStep, Step } from '../../../engine/autodiff/step-through.js';

const NO_VIEWS = { type: 'runOptions', options: { overlay: false, prediction: false, hiddenUnits: false } };

/** The transformer with a smaller batch, so its gradient check and analyses stay quick. */
function smallTransformer(): GraphDoc {
  const doc = exampleDoc('transformer-reverse');
  doc.training.batchSize = 4;
  return doc;
}

const GRAPHS: { name: string; doc: () => GraphDoc }[] = [
  { name: 'iris-two-inputs', doc: () => exampleDoc('iris-two-inputs') },
  { name: 'transformer-reverse', doc: smallTransformer },
  { name: 'split-iris', doc: splitIrisDoc },
  { name: 'phrases-embedding', doc: () => exampleDoc('phrases-embedding') },
];

const dataNodes = (doc: GraphDoc) =>
  new Set(doc.nodes.filter((n) => n.op === 'input' || n.op === 'target').map((n) => n.id));

for (const { name, doc: makeDoc } of GRAPHS) {
  test(`${name}: step-through in the session reaches every node and ends on the full pass's gradients`, () => {
    const doc = makeDoc();
    // The same run headless: its first batch through the Program's own forward and backward.
    const ref = prepareTraining(doc);
    const g = ref.trainer.loadNextBatch()!;
    g.program.setTraining(true);
    g.program.forward();
    g.program.backward(g.loss);

    const h = new SessionHarness();
    h.send(NO_VIEWS);
    h.document(doc);
    h.send({ type: 'trace', requestId: 1, action: 'start' });
    assert.deepEqual(h.of('runRejected'), []);
    const begin = h.of('traceStep').at(-1)!;
    const steps: Step[] = [];
    for (let i = 0; i < begin.length; i++) {
      h.send({ type: 'trace', requestId: 2, action: 'step' });
      steps.push(h.of('traceStep').at(-1)!.step!);
    }
    const forward = steps.filter((s): s is ForwardStep => s.phase === 'forward');
    const backward = steps.filter((s): s is BackwardStep => s.phase === 'backward');
    const computed = doc.nodes.map((n) => n.id).filter((id) => !dataNodes(doc).has(id));
    const inputs = doc.nodes.filter((n) => n.op === 'input').map((n) => n.id);
    assert.deepEqual(
      forward.slice(0, inputs.length).map((s) => s.fed && s.node),
      inputs,
      'first a step per input node, in graph order, showing its batch',
    );
    for (const s of forward.slice(0, inputs.length)) {
      const slot = g.inputs?.find((i) => i.node === s.node)?.slot ?? g.input;
      assert.deepEqual(s.output.data, g.program.value(slot).data, `${s.node}: the batch fed`);
    }
    assert.deepEqual(
      new Set(forward.slice(inputs.length).map((s) => s.node)),
      new Set(computed),
      'then a forward step for every node',
    );
    assert.deepEqual(
      new Set(backward.map((s) => s.node)),
      new Set(computed),
      'a backward step for every node',
    );
    // Every input node is read by some forward step: each was fed.
    for (const input of g.inputs ?? [])
      assert.ok(
        forward.some((s) => s.inputs.includes(input.node)),
        `input '${input.node}' is read`,
      );
    for (const s of forward.slice(inputs.length)) {
      const slot = g.nodeSlot.get(valueKey(s.node, s.port))!;
      assert.deepEqual(s.output.data, g.program.value(slot).data, `${valueKey(s.node, s.port)} forward`);
    }
    for (const s of backward) {
      const slot = g.nodeSlot.get(valueKey(s.node, s.port))!;
      assert.deepEqual(s.incoming.data, g.program.grad(slot)!.data, `∂L/∂${valueKey(s.node, s.port)}`);
    }
    for (const p of g.params) {
      const passed = backward.flatMap((s) => s.passed).filter((q) => q.slot === `${p.node}.${p.name}`);
      assert.ok(passed.length > 0, `${p.node}.${p.name} receives a gradient`);
      assert.deepEqual(
        passed.at(-1)!.accumulated.data,
        g.program.grad(p.slot)!.data,
        `∂L/∂${p.node}.${p.name}`,
      );
    }
    // Ending leaves the batch untrained: the next step trains it exactly as the headless run.
    h.send({ type: 'trace', requestId: 3, action: 'end' });
    h.send({ type: 'run', action: 'step' });
    assert.equal(h.losses[0]!.loss, g.program.value(g.loss).data[0]);
  });

  test(`${name}: the gradient check differentiates the batch with every input fed, and passes`, () => {
    const doc = makeDoc();
    // What the check differentiates: the float64 copy holds the trainer's batch in every input.
    const ref = prepareTraining(doc);
    const batch = ref.trainer.loadNextBatch()!;
    batch.program.setTraining(false);
    batch.program.forward();
    const again = prepareTraining(doc);
    const checked = gradcheckGraph(again);
    for (const { node, slot } of checked.inputs) {
      const from = batch.inputs!.find((i) => i.node === node)!.slot;
      const fed = checked.program.value(slot).data;
      assert.ok(norm(checked.program.value(slot)) > 0, `input '${node}' is fed`);
      assert.deepEqual(Array.from(fed), Array.from(batch.program.value(from).data), `input '${node}'`);
    }
    checked.program.setTraining(false);
    checked.program.forward();
    const loss32 = batch.program.value(batch.loss).data[0]!;
    const loss64 = checked.program.value(checked.loss).data[0]!;
    assert.ok(Math.abs(loss64 - loss32) < 1e-5 * Math.max(1, loss32), `${loss64} vs ${loss32}`);

    const h = new SessionHarness();
    h.send(NO_VIEWS);
    h.document(doc);
    h.send({ type: 'run', action: 'step' });
    h.send({ type: 'gradcheck', requestId: 5 });
    assert.ok(h.runUntil(() => h.of('gradcheckResult').length > 0));
    assert.deepEqual(h.of('runRejected'), []);
    const r = h.of('gradcheckResult')[0]!;
    const owners = new Set(ref.compiled.params.map((p) => p.node));
    assert.deepEqual(new Set(r.nodes.map((n) => n.node)), owners, 'every node with parameters is checked');
    assert.ok(r.worst && r.worst.worstRelError < 1e-6, JSON.stringify(r.worst));
  });

  test(`${name}: the overlay has a value for every wire, each output port its own`, () => {
    const doc = makeDoc();
    const h = new SessionHarness();
    h.send({ type: 'runOptions', options: { overlay: true, prediction: true, hiddenUnits: false } });
    h.document(doc);
    h.send({ type: 'run', action: 'step' });
    const stats = new Map(
      h
        .of('runStats')
        .at(-1)!
        .nodes.map((n) => [n.node, n]),
    );
    // The headless twin of that step: the gradients its wires carry.
    const ref = prepareTraining(doc);
    const g = ref.trainer.loadNextBatch()!;
    g.program.setTraining(true);
    g.program.forward();
    g.program.backward(g.loss);
    const data = dataNodes(doc);
    for (const e of doc.edges) {
      const key = valueKey(e.from, e.fromPort);
      const s = stats.get(key);
      assert.ok(s, `the wire from ${key} has statistics`);
      assert.ok(s.activation.norm > 0, `${key}: its activation`);
      if (data.has(e.from)) continue;
      const grad = g.program.grad(g.nodeSlot.get(key)!)!;
      const shown = s.grad?.norm ?? 0;
      assert.ok(shown > 0, `${key}: a gradient flows`);
      assert.ok(Math.abs(shown - norm(grad)) <= 1e-6 * norm(grad), `${key}: ${shown} vs ${norm(grad)}`);
    }
    // A node with several outputs: one entry per port, and the node's own over all of them.
    for (const n of doc.nodes.filter((x) => x.op === 'split')) {
      const ports = doc.edges
        .filter((e) => e.from === n.id)
        .map((e) => stats.get(valueKey(n.id, e.fromPort))!);
      assert.equal(new Set(ports.map((p) => p.node)).size, 2, 'two ports, two entries');
      assert.notEqual(ports[0]!.grad!.norm, ports[1]!.grad!.norm, 'each port carries its own gradient');
      const whole = Math.hypot(...ports.map((p) => p.grad!.norm));
      assert.ok(Math.abs(stats.get(n.id)!.grad!.norm - whole) < 1e-9 * whole, 'the node: all its outputs');
    }
    // The prediction view draws one input's space; with several it says why it doesn't.
    const view = h.of('runPrediction').at(-1)!.view;
    if (name === 'iris-two-inputs') {
      assert.equal(view.kind, 'none');
      assert.match(view.kind === 'none' ? view.reason : '', /2 inputs \('sepal', 'petal'\)/);
    } else assert.equal(view.kind, 'none', 'more than two features');
  });

  test(`${name}: every analysis gives a result or says why it doesn't apply`, () => {
    const doc = makeDoc();
    const h = new SessionHarness();
    h.send(NO_VIEWS);
    h.document(doc);
    h.send({ type: 'run', action: 'step' });
    h.send({ type: 'analyze', requestId: 7 });
    assert.ok(h.runUntil(() => h.of('analysisResult').length > 0 || h.of('runRejected').length > 0));
    assert.deepEqual(h.of('runRejected'), []);
    const { report } = h.of('analysisResult')[0]!;
    const ref = prepareTraining(doc);
    const params = ref.compiled.params.reduce(
      (n, p) => n + ref.compiled.program.slots[p.slot]!.value.size,
      0,
    );
    assert.equal(report.params, params);
    assert.match(report.batch.source, /examples of/, 'the batch is the document’s own data');
    assert.ok(Number.isFinite(report.hessian.top.value), 'the Hessian’s top eigenvalue');
    assert.ok(report.modes.gradient.measured!.maxDifference < 1e-6, 'both modes agree on the loss gradient');
    assert.ok(report.modes.jacobian.measured!.maxDifference < 1e-6, 'both modes agree on the Jacobian');
    assert.equal(report.regions.oneD, undefined);
    assert.equal(report.regions.twoD, undefined);
    if (name === 'iris-two-inputs') assert.match(report.regions.note!, /2 inputs \('sepal', 'petal'\)/);
    else assert.match(report.regions.note!, /features|not piecewise linear|nonlinear|tanh|softmax/);
    // The Kronecker view is drawn for a linear layer of at most 64 weights (the panel says so).
    const linear = new Set(doc.nodes.filter((n) => n.op === 'linear').map((n) => n.id));
    const small = ref.compiled.params.some(
      (p) =>
        linear.has(p.node) && p.name === 'weight' && ref.compiled.program.slots[p.slot]!.value.size <= 64,
    );
    assert.equal(report.kronecker !== undefined, small);
    if (name === 'iris-two-inputs') assert.match(report.modes.mlpNote!, /2 inputs \('sepal', 'petal'\)/);
    else assert.ok(report.modes.mlp || report.modes.mlpNote, 'the MLP view, or why not');
  });
}

test('iris-two-inputs: the analyses’ batch gives each input node its own columns', () => {
  const doc = exampleDoc('iris-two-inputs');
  const compiled = compileGraph(doc, { batchSize: 8 });
  const batch = lossBatch(doc, compiled, 8);
  assert.deepEqual(Object.keys(batch.inputs ?? {}).sort(), ['petal', 'sepal']);
  // iris's features: sepal_length, sepal_width, petal_length, petal_width.
  for (let i = 0; i < 8; i++) {
    const row = Array.from(batch.x.data.subarray(4 * i, 4 * i + 4));
    assert.deepEqual(Array.from(batch.inputs!.sepal!.data.subarray(2 * i, 2 * i + 2)), row.slice(0, 2));
    assert.deepEqual(Array.from(batch.inputs!.petal!.data.subarray(2 * i, 2 * i + 2)), row.slice(2));
  }
});

test('feature maps: each output of a split of an image is its own stack, named node:port', () => {
  const at = { x: 0, y: 0 };
  const { doc } = parseGraph(
    JSON.stringify({
      format: 'backprop-studio.graph',
      version: 1,
      nodes: [
        { id: 'x', op: 'input', attrs: { shape: [1, 8, 8] }, position: at },
        { id: 'halves', op: 'split', attrs: { axis: 2, parts: 2 }, position: at },
        { id: 'sum', op: 'add', attrs: {}, position: at },
        { id: 'flat', op: 'flatten', attrs: {}, position: at },
        { id: 'logits', op: 'linear', attrs: { units: 10 }, position: at },
        { id: 'y', op: 'target', attrs: { classes: 10 }, position: at },
        { id: 'loss', op: 'cross_entropy', attrs: {}, position: at },
      ],
      edges: [
        { from: 'x', to: 'halves' },
        { from: 'halves', fromPort: 'out0', to: 'sum', toPort: 'a' },
        { from: 'halves', fromPort: 'out1', to: 'sum', toPort: 'b' },
        { from: 'sum', to: 'flat' },
        { from: 'flat', to: 'logits' },
        { from: 'logits', to: 'loss', toPort: 'logits' },
        { from: 'y', to: 'loss', toPort: 'target' },
      ],
      training: { dataset: { kind: 'digits' }, optimizer: { kind: 'sgd', lr: 0.1 }, batchSize: 1, epochs: 1 },
    }),
  );
  const g = compileGraph(doc!, { batchSize: 1 });
  const x = g.program.value(g.input);
  for (let i = 0; i < x.size; i++) x.data[i] = i;
  g.program.forward();
  const maps = featureMaps(g);
  assert.deepEqual(
    maps.map((m) => m.node),
    ['halves:out0', 'halves:out1', 'sum'],
  );
  // Rows 0–3 of the 8×8 image, then rows 4–7.
  assert.deepEqual(Array.from(maps[0]!.values), [...Array(32).keys()], 'out0: the top half');
  assert.deepEqual(
    Array.from(maps[1]!.values),
    [...Array(32).keys()].map((i) => i + 32),
    'out1: the bottom half',
  );
});

test('one input fed a choice of the features: the prediction, its points and the analyses use those columns', () => {
  const doc = exampleDoc('iris-two-inputs');
  // Only the petal branch: its input takes petal_length and petal_width of iris' four features.
  const keep = new Set(['petal', 'petal_h', 'petal_a', 'logits', 'species', 'loss']);
  doc.nodes = doc.nodes.filter((n) => keep.has(n.id));
  doc.edges = [
    ...doc.edges.filter((e) => keep.has(e.from) && keep.has(e.to)),
    { from: 'petal_a', to: 'logits' },
  ];
  doc.training.dataset = { kind: 'iris', inputs: { petal: ['petal_length', 'petal_width'] } };
  const ref = prepareTraining(doc);
  const petal = ref.dataset.inputs!.petal!;
  const extent = (k: number) => {
    const v = Array.from({ length: petal.shape[0]! }, (_, i) => petal.data[2 * i + k]!);
    return [Math.min(...v), Math.max(...v)];
  };

  const h = new SessionHarness();
  h.send({ type: 'runOptions', options: { overlay: false, prediction: true, hiddenUnits: false } });
  h.document(doc);
  h.send({ type: 'run', action: 'step' });
  assert.deepEqual(h.of('runRejected'), []);
  const points = h.of('runDataset').at(-1)!.dataset!;
  assert.equal(points.features, 2);
  assert.deepEqual(
    Array.from(points.x),
    Array.from(Float32Array.from(petal.data)),
    'the points are the petal columns',
  );
  const view = h.of('runPrediction').at(-1)!.view;
  assert.equal(view.kind, 'boundary');
  if (view.kind !== 'boundary') return;
  const [x0, x1, y0, y1] = view.bounds;
  const [[lx, hx], [ly, hy]] = [extent(0), extent(1)];
  assert.ok(x0 < lx! && x1 > hx! && y0 < ly! && y1 > hy!, `bounds ${view.bounds} around the petal data`);
  assert.ok(x1 - x0 < 1.5 * (hx! - lx!) && y1 - y0 < 1.5 * (hy! - ly!), 'and not around other columns');

  h.send({ type: 'analyze', requestId: 2 });
  assert.ok(h.runUntil(() => h.of('analysisResult').length > 0));
  const { regions } = h.of('analysisResult')[0]!.report;
  assert.ok(regions.twoD, regions.note);
  const [b0, b1] = regions.twoD.bounds;
  assert.ok(b0 < lx! && b1 > hx! && b1 - b0 < 1.5 * (hx! - lx!), `region bounds ${regions.twoD.bounds}`);
});
