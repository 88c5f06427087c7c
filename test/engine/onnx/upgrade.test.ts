/**
 * Older opsets' forms as the current one (engine/onnx/upgrade.ts). ONNX's backend data covers
 * Pad, Clip, Gemm and BatchNormalization at opset 6 (test/engine/onnx/backend-suite.test.ts); these are
 * the rewrites it has no single-input case for.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { upgradeNode, UpgradeRefusal, type UpgradeContext } from '../../../engine/onnx/upgrade.js';
import type { FlatNode } from '../../../engine/onnx/onnx-graph.js';
import type { ConstTensor } from '../../../engine/onnx/tensor-data.js';
import { attr } from '../../../engine/onnx/builder.js';
import { DataType } from '../../../engine/onnx/onnx-proto.js';

function context(opset: number, shapes: Record<string, number[]>, consts: Record<string, ConstTensor> = {}) {
  const added = new Map<string, ConstTensor>();
  const ctx: UpgradeContext = {
    opset,
    constant: (v) => consts[v] ?? added.get(v),
    shape: (v) => shapes[v],
    addConstant: (hint, t) => (added.set(hint, t), hint),
  };
  return { ctx, added };
}

const node = (opType: string, inputs: string[], attrs: ReturnType<typeof attr.int>[] = []): FlatNode => ({
  name: `${opType}_0`,
  opType,
  domain: '',
  inputs,
  outputs: ['y'],
  attrs: new Map(attrs.map((a) => [a.name!, a])),
});

const vec = (values: number[]): ConstTensor => ({
  dims: [values.length],
  dataType: DataType.FLOAT,
  data: Float64Array.from(values),
});

test("opset 6 broadcast along an axis: a constant operand gets the trailing 1s NumPy's rule needs", () => {
  const { ctx, added } = context(6, { x: [2, 3, 4, 5] }, { b: vec([1, 2, 3]) });
  const up = upgradeNode(node('Add', ['x', 'b'], [attr.int('broadcast', 1), attr.int('axis', 1)]), ctx);
  assert.equal(up.opset, 7);
  assert.deepEqual([...up.node.attrs.keys()], []);
  assert.deepEqual(added.get(up.node.inputs[1]!)!.dims, [3, 1, 1]);
  // A computed operand that would need reshaping is refused, not misread.
  const computed = context(6, { x: [2, 3, 4, 5], z: [3] });
  assert.throws(
    () => upgradeNode(node('Mul', ['x', 'z'], [attr.int('broadcast', 1), attr.int('axis', 1)]), computed.ctx),
    (e: unknown) => e instanceof UpgradeRefusal && /computed operand along axis 1/.test(e.message),
  );
  // Trailing alignment is NumPy's already: only the attributes go.
  const trailing = upgradeNode(
    node('Add', ['x', 'z'], [attr.int('broadcast', 1), attr.int('axis', 3)]),
    context(6, { x: [2, 3, 4, 5], z: [5] }).ctx,
  );
  assert.deepEqual(trailing.node.inputs, ['x', 'z']);
});

test('opset 6 PRelu: a slope of C values is per channel', () => {
  const { ctx, added } = context(6, { x: [2, 3, 4, 5] }, { s: vec([0.1, 0.2, 0.3]) });
  const up = upgradeNode(node('PRelu', ['x', 's']), ctx);
  assert.deepEqual(added.get(up.node.inputs[1]!)!.dims, [3, 1, 1]);
});

test('attributes that became inputs, and BatchNormalization spatial=0 refused', () => {
  const { ctx, added } = context(10, { x: [1, 3, 1, 4] });
  const sq = upgradeNode(node('Squeeze', ['x'], [attr.ints('axes', [2])]), ctx);
  assert.equal(sq.opset, 13);
  assert.deepEqual(Array.from(added.get(sq.node.inputs[1]!)!.data), [2]);
  const clip = upgradeNode(
    node('Clip', ['x'], [attr.float('min', 0), attr.float('max', 6)]),
    context(6, {}).ctx,
  );
  assert.equal(clip.node.inputs.length, 3);
  assert.equal(clip.node.attrs.size, 0);
  assert.throws(
    () =>
      upgradeNode(
        node('BatchNormalization', ['x', 'a', 'b', 'c', 'd'], [attr.int('spatial', 0)]),
        context(7, {}).ctx,
      ),
    (e: unknown) => e instanceof UpgradeRefusal && /spatial=0/.test(e.message),
  );
  // The current form is left alone.
  const current = node('Squeeze', ['x', 'axes']);
  assert.equal(upgradeNode(current, context(13, {}).ctx).node, current);
});

test('auto_pad becomes the explicit pads it means', () => {
  const pool = (mode: string, strides: number[]) =>
    upgradeNode(
      node(
        'MaxPool',
        ['x'],
        [attr.string('auto_pad', mode), attr.ints('kernel_shape', [3, 3]), attr.ints('strides', strides)],
      ),
      context(13, { x: [1, 1, 5, 6] }).ctx,
    ).node;
  // out = ceil(in / stride): 5/2 → 3 needs 2 rows of padding (3 - 1)·2 + 3 - 5; 6/2 → 3 needs 1.
  assert.deepEqual(pool('SAME_UPPER', [2, 2]).attrs.get('pads')!.ints, [1, 0, 1, 1]);
  assert.deepEqual(pool('SAME_LOWER', [2, 2]).attrs.get('pads')!.ints, [1, 1, 1, 0]);
  assert.deepEqual(pool('VALID', [2, 2]).attrs.get('pads')!.ints, [0, 0, 0, 0]);
  assert.equal(pool('SAME_UPPER', [1, 1]).attrs.has('auto_pad'), false);
});
