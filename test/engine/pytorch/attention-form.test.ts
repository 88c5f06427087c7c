/**
 * scaled_dot_product_attention's PyTorch form takes torch.nn.functional.scaled_dot_product_attention
 * where PyTorch has it (2.0 on) and the formula elsewhere. forms.test.ts runs the formula (Debian's
 * PyTorch is 1.13); here the same rows run with PyTorch 2.0's function put in place, written from its
 * documentation with 2.0's signature (no `scale` argument), so the fused branch is run too: it is
 * called, once per row, and gives the engine's numbers.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ProgramBuilder } from '../../../engine/autodiff/program.js';
import { Rng } from '../../../engine/tensor/random.js';
import { relativeError } from '../../../engine/tensor/compare.js';
import { pytorchForm } from '../../../engine/pytorch/forms.js';
import { OP_SPECS, draw } from '../ops/op-specs.js';
import { PYTHON, requireTorch, tempDir } from './harness.js';

test('the fused branch of scaled_dot_product_attention (PyTorch 2) is taken and computes what the op computes', () => {
  requireTorch();
  const rows = OP_SPECS.filter((r) => r.op === 'scaled_dot_product_attention');
  assert.ok(rows.some((r) => r.attrs?.['causal'] === true && r.attrs['scale'] !== undefined));
  const cases = rows.map((row, k) => {
    const rng = new Rng(k + 7);
    const b = new ProgramBuilder('float64', 1);
    const ports = ['q', 'k', 'v'];
    const inputs: Record<string, { shape: number[]; data: number[] }> = {};
    const slots = row.inputs.map((shape, i) => {
      const value = draw(rng, shape);
      inputs[ports[i]!] = { shape: [...shape], data: Array.from(value.data) };
      return b.input(ports[i]!, shape, { value });
    });
    const out = b.node('att', row.op, slots, row.attrs ?? {});
    const program = b.build();
    program.forward();
    const code = pytorchForm(row.op)!.call!({
      attrs: program.nodes[0]!.ctx.attrs,
      inputs: ports,
      inShapes: row.inputs.map((s) => [...s]),
      outShape: [...program.value(out).shape],
      module: 'm',
    });
    return { code, inputs, want: Float64Array.from(program.value(out).data) };
  });
  const dir = tempDir('sdpa-form');
  writeFileSync(join(dir, 'cases.json'), JSON.stringify(cases.map(({ want: _w, ...c }) => c)));
  writeFileSync(
    join(dir, 'run.py'),
    `
import json, math, sys
import torch
calls = []
def sdpa(query, key, value, attn_mask=None, dropout_p=0.0, is_causal=False):
    """PyTorch 2.0's torch.nn.functional.scaled_dot_product_attention, as its documentation writes it."""
    calls.append(is_causal)
    L, S = query.size(-2), key.size(-2)
    bias = torch.zeros(L, S, dtype=query.dtype)
    if is_causal:
        bias.masked_fill_(torch.ones(L, S, dtype=torch.bool).tril(diagonal=0).logical_not(), float("-inf"))
    w = query @ key.transpose(-2, -1) * (1 / math.sqrt(query.size(-1))) + bias
    return torch.softmax(w, dim=-1) @ value
assert not hasattr(torch.nn.functional, "scaled_dot_product_attention"), "this check is for PyTorch 1.13"
torch.nn.functional.scaled_dot_product_attention = sdpa
out = []
for c in json.load(open(sys.argv[1])):
    env = {"torch": torch}
    for port, v in c["inputs"].items():
        env[port] = torch.tensor(v["data"], dtype=torch.float64).reshape(v["shape"])
    out.append(eval(c["code"], env).reshape(-1).tolist())
print(json.dumps({"out": out, "calls": calls}))
`,
  );
  const r = spawnSync(PYTHON, [join(dir, 'run.py'), join(dir, 'cases.json')], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const got = JSON.parse(r.stdout) as { out: number[][]; calls: boolean[] };
  assert.deepEqual(
    got.calls,
    rows.map((row) => row.attrs?.['causal'] === true),
    'the fused function, once per row, causal as the row says',
  );
  cases.forEach((c, i) => {
    const err = relativeError(Float64Array.from(got.out[i]!), c.want);
    assert.ok(err <= 1e-9, `row ${i}: relative error ${err}\n    ${c.code}`);
  });
});
