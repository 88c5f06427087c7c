import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(__dirname, '../../..');
const cli = (...args: string[]) => {
  const r = spawnSync(process.execPath, [join(root, 'bin/backprop-studio.js'), ...args], {
    encoding: 'utf8',
    cwd: root,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
};
const dir = mkdtempSync(join(tmpdir(), 'bps-check-'));
const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

const noStack = (s: string) => assert.doesNotMatch(s, /\n\s+at .+:\d+:\d+/, 'no stack trace');

test('check: a broken document prints file:line: severity [code] node: message and exits 1', () => {
  const p = file(
    'broken.nngraph.json',
    `{
  "format": "backprop-studio.graph",
  "version": 1,
  "nodes": [
    { "id": "x", "op": "input", "attrs": { "features": 2 }, "position": { "x": 0, "y": 0 } },
    { "id": "h", "op": "tanhh", "attrs": {}, "position": { "x": 100, "y": 0 } }
  ],
  "edges": [{ "from": "x", "to": "h" }],
  "training": { "dataset": { "kind": "moons" }, "optimizer": { "kind": "sgd", "lr": 0.1 }, "batchSize": 4, "epochs": 1 }
}
`,
  );
  const r = cli('check', p);
  assert.equal(r.code, 1);
  assert.match(
    r.out,
    new RegExp(
      `^${p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:6: error \\[unknown-op\\] node 'h': .*Did you mean 'tanh'`,
      'm',
    ),
  );
  noStack(r.out + r.err);
  const j = cli('check', p, '--json');
  assert.equal(j.code, 1);
  const parsed = JSON.parse(j.out) as { file: string; diagnostics: { code: string; line?: number }[] }[];
  assert.ok(parsed[0]!.diagnostics.some((d) => d.code === 'unknown-op' && d.line === 6));
});

test('check: cut-off JSON and a missing file are reported, never with a stack trace', () => {
  const r = cli(
    'check',
    file('cut.nngraph.json', '{ "format": "backprop-studio.graph", "nodes": [ {'),
    join(dir, 'missing.nngraph.json'),
  );
  assert.equal(r.code, 1);
  assert.match(r.out, /cut\.nngraph\.json:1:\d+: error \[json-syntax\]/);
  assert.match(r.out, /missing\.nngraph\.json: error \[unreadable\]/);
  noStack(r.out + r.err);
});

test("check: an unknown training setting does not hide the graph's own problems (all are listed)", () => {
  const p = file(
    'two-problems.nngraph.json',
    `{
  "format": "backprop-studio.graph",
  "version": 1,
  "nodes": [
    { "id": "x", "op": "input", "attrs": { "features": 2 }, "position": { "x": 0, "y": 0 } },
    { "id": "h", "op": "tanh", "attrs": {}, "position": { "x": 100, "y": 0 } }
  ],
  "edges": [{ "from": "x", "to": "h" }, { "from": "h", "to": "nowhere" }],
  "training": { "dataset": { "kind": "moons" }, "optimizer": { "kind": "sgd", "lr": 0.1 }, "batchSize": 4, "epochs": 1, "warmup": 3 }
}
`,
  );
  const r = cli('check', p, '--json');
  assert.equal(r.code, 1);
  const { diagnostics } = (
    JSON.parse(r.out) as {
      diagnostics: { code: string; line?: number; message: string }[];
    }[]
  )[0]!;
  const codes = diagnostics.map((d) => d.code);
  assert.ok(codes.includes('bad-training'), `the setting: ${codes.join(', ')}`);
  const missing = diagnostics.find((d) => /nowhere/.test(d.message));
  assert.ok(missing, `the edge to a missing node is reported too: ${JSON.stringify(diagnostics)}`);
  assert.equal(missing.line, 8);
  assert.ok(codes.includes('no-loss'), `and the graph's lack of a loss: ${codes.join(', ')}`);
});

test('check: every example checks clean', () => {
  const examples = readdirSync(join(root, 'examples')).filter((f) => f.endsWith('.nngraph.json'));
  const r = cli('check', ...examples.map((f) => join(root, 'examples', f)));
  assert.equal(r.code, 0, r.out);
  assert.equal(
    r.out
      .trim()
      .split('\n')
      .filter((l) => l.endsWith(': ok')).length,
    examples.length,
    r.out,
  );
});

test('run: one forward pass prints { shape, data }; bad input is an error without a stack trace', () => {
  const xs = [-2, -1.5, -0.25, 0, 1.75];
  const input = file('in.json', JSON.stringify({ shape: [xs.length, 1], data: xs }));
  const ok = cli(
    'run',
    join(root, 'examples/sawtooth.nngraph.json'),
    '--input',
    input,
    '--weights',
    join(root, 'examples/sawtooth.weights.json'),
  );
  assert.equal(ok.code, 0, ok.err);
  const out = JSON.parse(ok.out) as { shape: number[]; data: number[] };
  assert.deepEqual(out.shape, [xs.length, 1]);
  const saw = (x: number) => [0, 1, 2, 3].reduce((f) => 2 * Math.abs(f) - 2, x);
  out.data.forEach((y, i) => assert.ok(Math.abs(y - saw(xs[i]!)) < 1e-12));
  const bad = cli('run', join(root, 'examples/spiral.nngraph.json'), '--input', input);
  assert.equal(bad.code, 1);
  assert.match(bad.err, /takes \[batch, 2\]/);
  noStack(bad.out + bad.err);
});

test('run: uses <name>.weights.json beside the graph (said on stderr) unless --init-weights', () => {
  const xs = [-2, -0.25, 1.75];
  const input = file('beside-in.json', JSON.stringify({ shape: [xs.length, 1], data: xs }));
  const graph = join(root, 'examples/sawtooth.nngraph.json');
  const saw = (x: number) => [0, 1, 2, 3].reduce((f) => 2 * Math.abs(f) - 2, x);
  const beside = cli('run', graph, '--input', input);
  assert.equal(beside.code, 0, beside.err);
  assert.match(beside.err, /using the weights in .*sawtooth\.weights\.json \(pass --init-weights/);
  const hand = (JSON.parse(beside.out) as { data: number[] }).data;
  hand.forEach((y, i) => assert.ok(Math.abs(y - saw(xs[i]!)) < 1e-12, `${y} at ${xs[i]}`));
  const init = cli('run', graph, '--input', input, '--init-weights');
  assert.equal(init.code, 0, init.err);
  assert.equal(init.err, '');
  assert.notDeepEqual((JSON.parse(init.out) as { data: number[] }).data, hand);
  const both = cli('run', graph, '--input', input, '--init-weights', '--weights', input);
  assert.equal(both.code, 2);
  assert.match(both.err, /--weights and --init-weights contradict/);
});
