/**
 * Bad input never crashes the tools: 10,000+ damaged or random documents (fixed seed) go through
 * parseGraph → checkGraph → compileGraph, and each either compiles or comes back as diagnostics.
 * Nothing may throw (except compileGraph's GraphError, which carries diagnostics); a case that hangs
 * or blows up fails by the test's timeout (no test here asserts a time: timings vary by machine).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseGraph } from '../../../engine/graph/parse.js';
import { checkGraph } from '../../../engine/graph/check.js';
import { compileGraph, GraphError } from '../../../engine/graph/compile.js';
import { serializeGraph } from '../../../engine/graph/serialize.js';
import type { GraphDoc, GraphNode } from '../../../engine/graph/document.js';
import type { AttrSpec } from '../../../engine/ops/define.js';
import { OPS } from '../../../engine/ops/registry.js';
import { Rng } from '../../../engine/tensor/random.js';

const CASES = 10_500;

const dir = join(__dirname, '../../../examples');
const corpus = readdirSync(dir)
  .filter((f) => f.endsWith('.nngraph.json'))
  .map((f) => readFileSync(join(dir, f), 'utf8'));

const rng = new Rng(20261127);
const pick = <T>(xs: readonly T[]): T => xs[rng.int(xs.length)]!;
const WEIRD: unknown[] = [
  null,
  true,
  -1,
  0,
  1.5,
  1e12,
  -1e308,
  '',
  'x',
  [],
  [1, 2],
  {},
  { a: 1 },
  'linear',
  3,
];

/** A fresh copy of a WEIRD value: a later edit that changes it must not change WEIRD (or make a cycle). */
const weird = (): unknown => structuredClone(pick(WEIRD));

function truncate(t: string): string {
  return t.slice(0, rng.int(t.length));
}

function flipBytes(t: string): string {
  const chars = t.split('');
  for (let k = 1 + rng.int(4); k > 0; k--) chars[rng.int(chars.length)] = String.fromCharCode(rng.int(128));
  return chars.join('');
}

/** Every object and array inside a JSON value, with its parent, for structural edits. */
function containers(v: unknown, out: unknown[] = []): unknown[] {
  if (v && typeof v === 'object') {
    out.push(v);
    for (const c of Object.values(v)) containers(c, out);
  }
  return out;
}

function editStructure(t: string): string {
  const doc = JSON.parse(t) as unknown;
  for (let k = 1 + rng.int(3); k > 0; k--) {
    const c = pick(containers(doc)) as Record<string, unknown> | unknown[];
    if (Array.isArray(c)) {
      if (c.length === 0) continue;
      const i = rng.int(c.length);
      const r = rng.int(3);
      if (r === 0) c.splice(i, 1);
      else if (r === 1) c.push(structuredClone(c[i]));
      else c[i] = weird();
    } else {
      const keys = Object.keys(c);
      if (keys.length === 0) continue;
      const key = pick(keys);
      const r = rng.int(3);
      if (r === 0) delete c[key];
      else if (r === 1) c[`${key}${pick(['', '2', 's'])}`] = structuredClone(c[key]);
      else c[key] = weird();
    }
  }
  return JSON.stringify(doc, null, rng.int(3));
}

/** A line written twice: duplicated keys, nodes or edges in the text. */
function duplicateLine(t: string): string {
  const lines = t.split('\n');
  const i = rng.int(lines.length);
  lines.splice(i, 0, lines[i]!);
  return lines.join('\n');
}

function randomAttr(spec: AttrSpec): unknown {
  if (rng.next() < 0.1) return pick(WEIRD);
  switch (spec.type) {
    case 'number':
      return rng.uniform(-2, 4);
    case 'integer':
      return rng.int(8) + (rng.next() < 0.1 ? -2 : 1);
    case 'boolean':
      return rng.next() < 0.5;
    case 'enum':
      return pick(spec.values);
    case 'ints':
      return Array.from({ length: rng.int(4) }, () => rng.int(5));
    case 'string':
      return 'a';
  }
}

function randomGraph(): string {
  const n = 1 + rng.int(10);
  const nodes: GraphNode[] = [];
  for (let i = 0; i < n; i++) {
    const op = rng.next() < 0.05 ? { name: 'nope', attrs: {}, inputs: [] } : pick(OPS);
    const attrs: Record<string, unknown> = {};
    for (const [k, spec] of Object.entries(op.attrs as Record<string, AttrSpec>))
      if (rng.next() < 0.8) attrs[k] = randomAttr(spec);
    nodes.push({
      id: rng.next() < 0.03 ? 'n0' : `n${i}`,
      op: op.name,
      attrs: attrs as GraphNode['attrs'],
      position: { x: i * 100, y: 0 },
    });
  }
  const edges = [];
  for (const node of nodes) {
    const op = OPS.find((o) => o.name === node.op);
    for (const port of op?.inputs ?? []) {
      if (rng.next() < 0.05) continue;
      const from = pick(nodes).id;
      edges.push(
        op!.inputs.length > 1 || rng.next() < 0.2
          ? { from, to: node.id, toPort: port }
          : { from, to: node.id },
      );
    }
  }
  const base = JSON.parse(pick(corpus)) as GraphDoc;
  return serializeGraph({ ...base, nodes, edges });
}

const mutations = [truncate, flipBytes, editStructure, duplicateLine, () => randomGraph()];

test(`parse, check and compile survive ${CASES} damaged and random documents`, { timeout: 300_000 }, () => {
  const tally = { unparsed: 0, diagnosed: 0, compiled: 0 };
  for (let i = 0; i < CASES; i++) {
    const mutate = mutations[i % mutations.length]!;
    const text = mutate(pick(corpus));
    try {
      const parsed = parseGraph(text);
      assert.ok(
        parsed.doc !== null || parsed.diagnostics.some((d) => d.severity === 'error'),
        'no doc and no error',
      );
      if (!parsed.doc) tally.unparsed++;
      else {
        const checked = checkGraph(parsed.doc, { locations: parsed.locations });
        const errors = checked.diagnostics.filter((d) => d.severity === 'error');
        try {
          const g = compileGraph(parsed.doc, { batchSize: 2 });
          assert.equal(errors.length, 0, 'compiled a document that has errors');
          g.program.forward();
          tally.compiled++;
        } catch (e) {
          if (!(e instanceof GraphError)) throw e;
          assert.ok(e.diagnostics.length > 0 && errors.length > 0, 'GraphError without diagnostics');
          tally.diagnosed++;
        }
      }
    } catch (e) {
      assert.fail(`case ${i} (${mutate.name}) threw ${(e as Error).stack}\n--- document ---\n${text}`);
    }
  }
  // The mix exercises every outcome.
  assert.ok(tally.unparsed > 1000 && tally.diagnosed > 1000 && tally.compiled > 100, JSON.stringify(tally));
});
