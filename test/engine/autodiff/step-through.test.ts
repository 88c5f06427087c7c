import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileGraph, type CompiledGraph } from '../../../engine/graph/compile.js';
import { parseGraph } from '../../../engine/graph/parse.js';
import { ELEMENTWISE_OPS } from '../../../engine/ops/elementwise.js';
import { loadDataset } from '../../../engine/data/load.js';
import { readBundledFile } from '../../../engine/io/bundled-data.js';
import { takeRows } from '../../../engine/data/dataset.js';
import { inputFeeds } from '../../../engine/train/trainable.js';
import {
  StepThrough,
  type BackwardStep,
  type PassedGradient,
  type Step,
} from '../../../engine/autodiff/step-through.js';
import { splitIrisDoc } from '../run/harness.js';

const BATCH = 16;

/** The example compiled at a small batch size with its first rows loaded: twice the same thing. */
function loaded(name: string): CompiledGraph {
  const text = readFileSync(join(__dirname, `../../../examples/${name}.nngraph.json`), 'utf8');
  const { doc, diagnostics } = parseGraph(text);
  assert.ok(doc, diagnostics.map((d) => d.message).join('; '));
  const g = compileGraph(doc, { batchSize: BATCH, seed: 7 });
  const ds = loadDataset(doc.training.dataset, { readBundled: readBundledFile });
  const rows = Array.from({ length: BATCH }, (_, i) => i);
  // Each input node from its own columns (a graph with several inputs), as the trainer feeds them.
  for (const { slot, x } of inputFeeds(g, ds)) g.program.value(slot).data.set(takeRows(x, rows).data);
  if (g.target !== null) g.program.value(g.target).data.set(takeRows(ds.y, rows).data);
  return g;
}

/** Every slot's value and gradient after the Program's own full forward and backward pass. */
function fullPass(g: CompiledGraph): { values: Float32Array[]; grads: (Float32Array | null)[] } {
  g.program.forward();
  g.program.backward(g.loss);
  return {
    values: g.program.slots.map((s) => s.value.data.slice() as Float32Array),
    grads: g.program.slots.map((s) => (s.grad ? (s.grad.data.slice() as Float32Array) : null)),
  };
}

function assertGradsEqual(g: CompiledGraph, grads: (Float32Array | null)[], when: string): void {
  g.program.slots.forEach((s, i) => {
    if (!s.grad) return;
    assert.deepEqual(s.grad.data, grads[i], `${when}: gradient of ${s.name}`);
  });
}

const examples = readdirSync(join(__dirname, '../../../examples'))
  .filter((f) => f.endsWith('.nngraph.json'))
  .map((f) => f.slice(0, -'.nngraph.json'.length));

test('the step-through examples include dropout and layer norm', () => {
  for (const name of ['spiral', 'layernorm-dropout']) assert.ok(examples.includes(name), name);
});

for (const name of examples) {
  test(`${name}: stepping all the way gives exactly the full pass's values and gradients`, () => {
    const ref = fullPass(loaded(name));
    const g = loaded(name);
    const st = new StepThrough(g.program, g.loss);
    const steps: Step[] = [];
    for (let s = st.step(); s; s = st.step()) steps.push(s);
    assert.equal(steps.length, st.length);
    assert.ok(st.done);
    assertGradsEqual(g, ref.grads, 'after stepping');
    const forward = steps.filter((s) => s.phase === 'forward');
    const backward = steps.filter((s): s is BackwardStep => s.phase === 'backward');
    assert.deepEqual(
      forward.map((s) => s.node),
      g.program.nodes.map((n) => n.id),
    );
    // Backward visits every node whose output carries a gradient, in reverse: a node that only
    // reshapes the data (mnist-mlp's flatten of the input) has none and is not a step.
    assert.deepEqual(
      backward.map((s) => s.node),
      g.program.nodes
        .filter((n) => g.program.grad(n.output) !== null)
        .map((n) => n.id)
        .reverse(),
    );
    assert.ok(backward.length >= g.program.nodes.length - 2, 'at most the data-side nodes are not stepped');
    for (const s of forward) assert.deepEqual(s.output.data, ref.values[g.nodeSlot.get(s.node)!], s.node);
    // A slot read by several nodes (a residual connection) gets a share from each; the last share
    // completes its gradient.
    const consumers = new Map<number, number>();
    for (const n of g.program.nodes) for (const i of n.inputs) consumers.set(i, (consumers.get(i) ?? 0) + 1);
    const lastShare = new Map<number, PassedGradient>();
    for (const s of backward) {
      assert.deepEqual(s.incoming.data, ref.grads[g.nodeSlot.get(s.node)!], `incoming at ${s.node}`);
      assert.equal(s.rule.doc, g.program.nodes[s.index]!.op.doc);
      for (const p of s.passed) {
        const slot = g.program.slot(p.slot);
        lastShare.set(slot, p);
        if ((consumers.get(slot) ?? 1) > 1) continue;
        // One consumer: this node's share is the whole final gradient.
        assert.deepEqual(p.contribution.data, ref.grads[slot], `${s.node} → ${p.slot}`);
        assert.deepEqual(p.accumulated.data, ref.grads[slot], `${s.node} → ${p.slot} (accumulated)`);
      }
    }
    for (const [slot, p] of lastShare)
      assert.deepEqual(p.accumulated.data, ref.grads[slot], `${p.slot} after its last share (accumulated)`);
    for (const s of backward.filter((b) => b.op === 'linear')) {
      assert.match(s.rule.jacobian ?? '', /φᵀ ⊗ I/);
      // The first layer passes nothing to the data (no gradient flows into the input batch).
      const xGrad = g.program.grad(g.program.nodes[s.index]!.inputs[0]!) !== null;
      const hasBias = g.program.slots.some((slot) => slot.name === `${s.node}.bias`);
      const expected = [...(xGrad ? ['x'] : []), 'weight', ...(hasBias ? ['bias'] : [])];
      assert.deepEqual(
        s.passed.map((p) => p.port),
        expected,
      );
    }
    const activations = backward.filter((s) => s.op in ELEMENTWISE_OPS);
    assert.ok(activations.length > 0);
    for (const s of activations) assert.match(s.rule.jacobian ?? '', /diagonal/);
  });

  test(`${name}: step back, run to a node and restart replay the same numbers`, () => {
    const ref = fullPass(loaded(name));
    const g = loaded(name);
    const st = new StepThrough(g.program, g.loss);
    const random = g.program.randomState;
    st.seek(st.length);
    for (let i = 0; i < 3; i++) st.back();
    assert.equal(st.position, st.length - 3);
    const again = st.step()!;
    assert.equal(again.phase, 'backward');
    assert.deepEqual((again as BackwardStep).incoming.data, ref.grads[g.nodeSlot.get(again.node)!]);
    st.seek(st.length);
    assertGradsEqual(g, ref.grads, 'after stepping back and forth');

    const hidden = g.program.nodes.find((n) => n.op.name === 'linear')!.id;
    const back = st.runTo({ node: hidden, phase: 'backward' });
    assert.equal(back.phase, 'backward');
    assert.equal(back.node, hidden);
    assert.deepEqual((back as BackwardStep).incoming.data, ref.grads[g.nodeSlot.get(hidden)!]);
    const fwd = st.runTo({ node: hidden, phase: 'forward' });
    assert.equal(st.position, 1 + g.program.nodes.findIndex((n) => n.id === hidden));
    assert.deepEqual(fwd.phase === 'forward' && fwd.output.data, ref.values[g.nodeSlot.get(hidden)!]);

    st.restart();
    assert.equal(st.position, 0);
    assert.equal(st.current, null);
    assert.equal(g.program.randomState, random);
    st.seek(st.length);
    assertGradsEqual(g, ref.grads, 'after restart');
    st.end();
    assert.equal(g.program.randomState, random, 'end() leaves the random stream where it was');
    assert.throws(() => st.runTo({ node: 'nope', phase: 'forward' }), /no forward step for node 'nope'/);
    assert.throws(() => st.seek(st.length + 1), RangeError);
  });
}

/** splitIrisDoc (h → split 'halves' → a, b → concat) compiled with its first rows loaded. */
function splitLoaded(): CompiledGraph {
  const doc = splitIrisDoc();
  const g = compileGraph(doc, { batchSize: BATCH, seed: 7 });
  const ds = loadDataset(doc.training.dataset);
  const rows = Array.from({ length: BATCH }, (_, i) => i);
  for (const { slot, x } of inputFeeds(g, ds)) g.program.value(slot).data.set(takeRows(x, rows).data);
  g.program.value(g.target!).data.set(takeRows(ds.y, rows).data);
  return g;
}

test('run to a node with several outputs stands where the node is done: after its last output forward, its last gradient passed back', () => {
  const g = splitLoaded();
  const ref = fullPass(splitLoaded());
  const st = new StepThrough(g.program, g.loss);
  const ports = g.program.nodes.filter((n) => n.id === 'halves').map((n) => n.port);
  assert.deepEqual(ports, ['out0', 'out1'], 'a step per output');

  const fwd = st.runTo({ node: 'halves', phase: 'forward' });
  assert.deepEqual([fwd.phase, fwd.node, fwd.port], ['forward', 'halves', 'out1']);
  assert.equal(st.position, 1 + g.program.nodes.map((n) => n.id).lastIndexOf('halves'));
  assert.deepEqual(fwd.phase === 'forward' && fwd.output.data, ref.values[g.nodeSlot.get('halves:out1')!]);

  const back = st.runTo({ node: 'halves', phase: 'backward' }) as BackwardStep;
  assert.deepEqual([back.phase, back.node], ['backward', 'halves']);
  // Both outputs' shares have reached h: its gradient is complete, as the full pass's.
  const h = back.passed.find((p) => p.slot === 'h')!;
  assert.deepEqual(h.accumulated.data, ref.grads[g.nodeSlot.get('h')!]);
  st.step();
  assert.notEqual(st.current!.node, 'halves', 'the next step is past the split');
  // From after the end, run to goes back to the same place.
  st.seek(st.length);
  assert.deepEqual(st.runTo({ node: 'halves', phase: 'backward' }), back);
});

test('with the inputs fed: a first step per input shows its batch, then the forward pass, and the same gradients', () => {
  const doc = parseGraph(
    readFileSync(join(__dirname, '../../../examples/iris-two-inputs.nngraph.json'), 'utf8'),
  ).doc!;
  const ref = fullPass(loaded('iris-two-inputs'));
  const g = loaded('iris-two-inputs');
  const inputs = doc.nodes.filter((n) => n.op === 'input').map((n) => n.id);
  assert.equal(inputs.length, 2);
  const fed = g.inputs.map(({ node, slot }) => ({ node, slot }));
  const st = new StepThrough(g.program, g.loss, fed);
  const plain = new StepThrough(g.program, g.loss);
  assert.equal(st.length, plain.length + 2);
  const steps: Step[] = [];
  for (let s = st.step(); s; s = st.step()) steps.push(s);
  assertGradsEqual(g, ref.grads, 'after stepping with the inputs fed');
  for (const [k, { node, slot }] of fed.entries()) {
    const s = steps[k]!;
    assert.deepEqual(
      [s.phase, s.node, s.phase === 'forward' && s.fed, s.op],
      ['forward', node, true, 'input'],
    );
    assert.deepEqual(s.phase === 'forward' && s.output.data, ref.values[slot], `${node}'s batch`);
    assert.deepEqual(s.phase === 'forward' && s.output.shape, [BATCH, 2]);
  }
  assert.deepEqual(
    steps.slice(2, 2 + g.program.nodes.length).map((s) => s.node),
    g.program.nodes.map((n) => n.id),
  );
  assert.equal(st.indexOf({ node: inputs[1]!, phase: 'forward' }), 1);
  assert.equal(st.indexOf({ node: inputs[1]!, phase: 'backward' }), -1, 'an input has no backward step');
  const to = st.runTo({ node: inputs[1]!, phase: 'forward' });
  assert.equal(st.position, 2);
  assert.equal(to.node, inputs[1]);
  const first = g.program.nodes[0]!.id;
  st.runTo({ node: first, phase: 'forward' });
  assert.equal(st.position, 3, 'node steps follow the inputs');
});
