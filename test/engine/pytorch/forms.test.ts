/**
 * The PyTorch forms, op by op: every registry op has one (the ops without are listed, and there
 * must be none), a graph using an op without one is refused naming the node, and each form run by
 * Debian's PyTorch on every row of the op test table (test/engine/ops/op-specs.ts) gives the engine's
 * float64 forward output within 1e-9 (dropout in evaluation mode: PyTorch draws its own masks).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { OPS, requireOp } from '../../../engine/ops/registry.js';
import { resolveAttrs } from '../../../engine/ops/attrs.js';
import { differentiableInputs, inputPorts } from '../../../engine/ops/define.js';
import { ProgramBuilder } from '../../../engine/autodiff/program.js';
import { Rng } from '../../../engine/tensor/random.js';
import { relativeError } from '../../../engine/tensor/compare.js';
import { PYTORCH_FORMS, pytorchForm } from '../../../engine/pytorch/forms.js';
import { opsWithoutPyTorchForm, PyTorchExportError, pytorchPackage } from '../../../engine/pytorch/export.js';
import { OP_SPECS, draw } from '../ops/op-specs.js';
import { PYTHON, readExample, requireTorch, tempDir } from './harness.js';

const computeOps = OPS.filter((op) => op.category !== 'data');

test('every registry op has a PyTorch form (the ops without one are listed: none)', (t) => {
  const missing = computeOps.filter((op) => !pytorchForm(op.name)).map((op) => op.name);
  t.diagnostic(`ops without a PyTorch form: ${missing.length ? missing.join(', ') : 'none'}`);
  assert.deepEqual(missing, [], `add a row to engine/pytorch/forms.ts for: ${missing.join(', ')}`);
});

test('a graph with an op that has no PyTorch form is refused, naming the op and the node', () => {
  const doc = readExample('spiral.nngraph.json');
  const withoutRelu = Object.fromEntries(Object.entries(PYTORCH_FORMS).filter(([k]) => k !== 'relu'));
  assert.deepEqual(opsWithoutPyTorchForm(doc, withoutRelu), ["relu (node 'a1')", "relu (node 'a2')"]);
  assert.deepEqual(opsWithoutPyTorchForm(doc), []);
  const broken = { ...doc, nodes: doc.nodes.map((n) => (n.id === 'a1' ? { ...n, op: 'relu6' } : n)) };
  assert.throws(
    () => pytorchPackage({ doc: broken, weights: null, source: 's.nngraph.json', saveWeights: 'w.json' }),
    (e: unknown) => e instanceof PyTorchExportError && /a1/.test(e.message) && /relu6/.test(e.message),
  );
});

interface Case {
  id: string;
  /** Python: builds `m` (when the form has a module), loads its tensors, computes `out`. */
  code: string;
  inputs: Record<string, { shape: number[]; data: number[] }>;
  tensors: Record<string, { shape: number[]; data: number[] }>;
  training: boolean;
  want: Float64Array;
}

test('each form computes what the op computes, on every row of the op test table', (t) => {
  requireTorch();
  const cases: Case[] = OP_SPECS.filter((row) => requireOp(row.op).category !== 'data').map((row, k) => {
    const op = requireOp(row.op);
    const rng = new Rng(k + 1);
    const b = new ProgramBuilder('float64', 99);
    const inputs: Case['inputs'] = {};
    const attrs = resolveAttrs(op, row.attrs ?? {});
    const ports = inputPorts(op, attrs);
    const differentiable = differentiableInputs(op, attrs);
    const ins = row.inputs.map((shape, i) => {
      const port = ports[i]!;
      const value = draw(rng, shape, row.gen?.[port]);
      inputs[port] = { shape: [...shape], data: Array.from(value.data) };
      return b.input(port, shape, { value, differentiable: differentiable[i]! });
    });
    const out = b.node('n', row.op, ins, row.attrs ?? {}, { output: row.output ?? 0 });
    const program = b.build();
    const training = op.name === 'dropout' ? false : (row.training ?? true);
    program.setTraining(training);
    const tensors: Case['tensors'] = {};
    for (const p of program.params()) {
      const v = program.value(p);
      v.data.set(draw(rng, v.shape).data);
      tensors[program.slots[p]!.owner!.param] = { shape: [...v.shape], data: Array.from(v.data) };
    }
    for (const n of program.nodes)
      for (const [name, s] of Object.entries(n.ctx.state))
        tensors[name] = { shape: [...s.shape], data: Array.from(s.data) };
    program.forward();
    const form = pytorchForm(row.op)!;
    const ctx = {
      attrs: program.nodes[0]!.ctx.attrs,
      inputs: ports,
      inShapes: row.inputs.map((s) => [...s]),
      outShape: [...program.value(out).shape],
      module: 'm',
    };
    const value = form.call ? form.call(ctx) : `m(${ctx.inputs.join(', ')})`;
    const code = [
      form.module ? `m = ${form.module(ctx)}.double()` : 'm = None',
      // An op with several outputs returns a tuple: the row checks one of them.
      `out = ${op.outputs ? `${value}[${row.output ?? 0}]` : value}`,
    ].join('\n');
    return {
      id: row.id ?? row.op,
      code,
      inputs,
      tensors,
      training,
      want: Float64Array.from(program.value(out).data),
    };
  });
  const dir = tempDir('forms');
  writeFileSync(join(dir, 'cases.json'), JSON.stringify(cases.map(({ want: _w, ...c }) => c)));
  const script = `
import json, sys
import torch
from torch import nn
out_all = []
for c in json.load(open(sys.argv[1])):
    env = {"torch": torch, "nn": nn}
    for port, v in c["inputs"].items():
        env[port] = torch.tensor(v["data"], dtype=torch.float64).reshape(v["shape"])
    lines = c["code"].split("\\n")
    exec(lines[0], env)
    m = env["m"]
    if m is not None:
        m.train(c["training"])
        with torch.no_grad():
            for name, v in c["tensors"].items():
                getattr(m, name).copy_(torch.tensor(v["data"], dtype=torch.float64).reshape(v["shape"]))
    exec(lines[1], env)
    out_all.append(env["out"].detach().reshape(-1).tolist())
print(json.dumps(out_all))
`;
  writeFileSync(join(dir, 'run.py'), script);
  const r = spawnSync(PYTHON, [join(dir, 'run.py'), join(dir, 'cases.json')], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const got = JSON.parse(r.stdout) as number[][];
  const bad: string[] = [];
  cases.forEach((c, i) => {
    const err = relativeError(Float64Array.from(got[i]!), c.want);
    if (!(err <= 1e-9) || got[i]!.length !== c.want.length)
      bad.push(`${c.id}: relative error ${err}\n    ${c.code}`);
  });
  t.diagnostic(`${cases.length} op table rows run in PyTorch`);
  assert.deepEqual(bad, []);
});
