import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { attr, makeGraph, makeModel, makeNode, tensorValueInfo } from '../../../engine/onnx/builder.js';
import { encodeModel } from '../../../engine/onnx/onnx-proto.js';
import { importOnnx, OnnxImportError } from '../../../engine/onnx/import.js';
import { importCommand } from '../../../engine/cli/commands/import.js';
import { captureOutput } from '../cli/capture-output.js';

/** A model using ops import doesn't know, one of them in a custom domain. */
function unsupportedModel(): Uint8Array {
  const graph = makeGraph({
    name: 'g',
    node: [
      makeNode('Cos', ['x'], ['c'], [], { name: '/block/Cos' }),
      makeNode('Erf', ['c'], ['e'], [], { name: '/block/Erf' }),
      makeNode('Tanh', ['e'], ['t'], [], { name: '/block/Tanh' }),
      makeNode('FancyOp', ['t'], ['y'], [attr.int('k', 1)], { name: 'custom_1', domain: 'com.example' }),
    ],
    input: [tensorValueInfo('x', ['N', 3])],
    output: [tensorValueInfo('y', ['N', 3])],
  });
  return encodeModel(
    makeModel({
      graph,
      opsetImport: [
        { domain: '', version: 17 },
        { domain: 'com.example', version: 1 },
      ],
    }),
  );
}

test('every unsupported op is listed by op type and node name', () => {
  assert.throws(
    () => importOnnx(unsupportedModel()),
    (e: unknown) => {
      assert.ok(e instanceof OnnxImportError);
      assert.deepEqual(e.problems, [
        "Cos (node '/block/Cos')",
        "Erf (node '/block/Erf')",
        "com.example.FancyOp (node 'custom_1')",
      ]);
      return true;
    },
  );
});

test('malformed bytes, inputs without one batch axis and string inputs are refused with a reason', () => {
  const cases: [Uint8Array, RegExp][] = [
    [Uint8Array.from([0x0a, 0x05, 0x01]), /not a readable ONNX model/],
    [
      encodeModel(
        makeModel({
          graph: makeGraph({
            name: 'g',
            node: [makeNode('Add', ['a', 'b'], ['y'])],
            input: [tensorValueInfo('a', ['N', 2]), tensorValueInfo('b', [3, 2])],
            output: [tensorValueInfo('y', ['N', 2])],
          }),
          opsetImport: [{ domain: '', version: 17 }],
        }),
      ),
      /input 'b' \[3, 2\] and input 'a' \[N, 2\] differ in their first axis/,
    ],
    [
      encodeModel(
        makeModel({
          graph: makeGraph({
            name: 'g',
            node: [makeNode('Relu', ['a'], ['y'])],
            input: [tensorValueInfo('a', ['N', 2], 8)],
            output: [tensorValueInfo('y', ['N', 2])],
          }),
          opsetImport: [{ domain: '', version: 17 }],
        }),
      ),
      /input 'a' is string; only float and integer inputs/,
    ],
  ];
  for (const [bytes, message] of cases) assert.throws(() => importOnnx(bytes), message);
});

test('a node that can be named but not represented is reported with its reason', () => {
  const graph = makeGraph({
    name: 'g',
    node: [makeNode('Conv', ['x', 'w'], ['y'], [], { name: '/conv/Conv' })],
    input: [tensorValueInfo('x', [1, 2, 5, 5]), tensorValueInfo('w', [1, 2, 3, 3])],
    output: [tensorValueInfo('y', [1, 1, 3, 3])],
  });
  const bytes = encodeModel(makeModel({ graph, opsetImport: [{ domain: '', version: 17 }] }));
  assert.throws(
    () => importOnnx(bytes),
    /node '\/conv\/Conv' \(Conv\): its weight \(input 2\) must be a constant or an initializer/,
  );
});

async function runImport(args: string[]): Promise<{ code: number; stderr: string }> {
  const { code, err } = await captureOutput(() => importCommand.run(args));
  return { code, stderr: err };
}

test('import CLI: an unsupported model writes nothing and names the ops; existing files are not overwritten', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'onnx-import-'));
  try {
    const model = join(dir, 'm.onnx');
    writeFileSync(model, unsupportedModel());
    const r = await runImport([model, '-o', join(dir, 'g.nngraph.json')]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /Cos \(node '\/block\/Cos'\).*Nothing was written/s);
    assert.deepEqual(readdirSync(dir), ['m.onnx']);

    writeFileSync(join(dir, 'g.weights.json'), 'precious');
    const again = await runImport([model, '-o', join(dir, 'g.nngraph.json')]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /g\.weights\.json already exists.*--force/);
    assert.ok(!existsSync(join(dir, 'g.nngraph.json')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
