import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkGraphText } from '../../../engine/graph/check.js';
import { compileGraph } from '../../../engine/graph/compile.js';
import { parseGraph } from '../../../engine/graph/parse.js';
import { serializeGraph } from '../../../engine/graph/serialize.js';
import { readWeights } from '../../../engine/graph/weights.js';
import { layoutProblems } from './layout.test.js';

const dir = join(__dirname, '../../../examples');
const examples = readdirSync(dir).filter((f) => f.endsWith('.nngraph.json'));
const REQUIRED = [
  'four-layer',
  'sawtooth',
  'spiral',
  'xor',
  'sine',
  'circles-shallow',
  'circles-deep',
  'layernorm-dropout',
  'cnn-digits',
];

test('the required examples are there', () => {
  for (const name of REQUIRED) assert.ok(examples.includes(`${name}.nngraph.json`), name);
});

for (const f of examples) {
  test(`${f}: checks clean, is canonical, compiles, and runs forward and backward`, () => {
    const text = readFileSync(join(dir, f), 'utf8');
    const { doc, diagnostics } = checkGraphText(text);
    assert.deepEqual(diagnostics, []);
    assert.equal(serializeGraph(doc!), text, 'the file is exactly what serializeGraph writes');
    const g = compileGraph(doc!, { batchSize: 4 });
    g.program.forward();
    g.program.backward(g.loss);
    assert.ok(Number.isFinite(g.program.value(g.loss).data[0]));
    // Readable at first open (test/e2e/first-open.test.ts checks the same in VS Code).
    assert.deepEqual(layoutProblems(doc!), [], 'lay it out with: npx tsx scripts/layout-examples.ts');
  });
}

test("sawtooth.weights.json gives the lecture's sawtooth f_l = 2|f_{l-1}| - 2 at depth 4", () => {
  const doc = parseGraph(readFileSync(join(dir, 'sawtooth.nngraph.json'), 'utf8')).doc!;
  const weights = readWeights(readFileSync(join(dir, 'sawtooth.weights.json'), 'utf8'));
  const xs = Array.from({ length: 41 }, (_, i) => -2 + i * 0.1);
  const g = compileGraph(doc, { batchSize: xs.length, dtype: 'float64', weights });
  g.program.value(g.input).data.set(xs);
  g.program.forward(g.prediction);
  const out = g.program.value(g.prediction).data;
  xs.forEach((x, i) => {
    let f = x;
    for (let l = 0; l < 4; l++) f = 2 * Math.abs(f) - 2;
    assert.ok(Math.abs(out[i]! - f) < 1e-12, `f(${x}) = ${out[i]}, expected ${f}`);
  });
});
