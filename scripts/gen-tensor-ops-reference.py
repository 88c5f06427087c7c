#!/usr/bin/python3
"""Reference cases for the tensor ops of issue #15, computed by PyTorch in float64.

Writes test/engine/reference/tensor-ops-cases.json in the format of gen-conv-reference.py (`op` cases:
inputs, output, a random cotangent and the VJP of every differentiable input, random tangents and
the JVP of the output; `const` holds inputs that take no gradient, such as class labels), which
test/engine/reference/tensor-ops-reference.test.ts runs through the engine's reference runner in
float64 and float32.

Run with Debian's PyTorch (python3-torch 1.13): /usr/bin/python3 scripts/gen-tensor-ops-reference.py
"""
import json
import math
import os

import torch
import torch.nn.functional as F

torch.manual_seed(15)
DT = torch.float64


def t(*shape):
    return torch.randn(*shape, dtype=DT)


def tensor_json(v):
    return {"shape": list(v.shape), "data": [float(x) for x in v.detach().reshape(-1).tolist()]}


def case(name, op, fn, inputs, attrs, const=None, differentiable=True, note=None):
    """fn(**inputs, **const) -> output; VJP and JVP of every input (not const) by autograd."""
    const = const or {}
    names = list(inputs)
    primals = [inputs[k].clone().requires_grad_(differentiable) for k in names]
    out = fn(**dict(zip(names, primals)), **const)
    a = dict(attrs)
    if note:
        a["note"] = note
    result = {
        "kind": "op",
        "name": name,
        "op": op,
        "attrs": a,
        "inputs": {k: tensor_json(inputs[k]) for k in names},
        "output": tensor_json(out),
    }
    if const:
        result["const"] = {k: tensor_json(v) for k, v in const.items()}
    if not differentiable:
        return result
    cot = torch.randn_like(out)
    grads = torch.autograd.grad(out, primals, cot)
    tangents = [torch.randn_like(p) for p in primals]
    _, jvp = torch.autograd.functional.jvp(
        lambda *ps: fn(**dict(zip(names, ps)), **const), tuple(inputs[k] for k in names), tuple(tangents)
    )
    result.update(
        {
            "cotangent": tensor_json(cot),
            "vjp": {k: tensor_json(g) for k, g in zip(names, grads)},
            "tangents": {k: tensor_json(v) for k, v in zip(names, tangents)},
            "jvp": tensor_json(jvp),
        }
    )
    return result


cases = []
add = cases.append

# matmul as torch.matmul: batch axes broadcast, 1-D operands.
add(case("matmul/batched", "matmul", lambda a, b: torch.matmul(a, b), {"a": t(2, 3, 4, 5), "b": t(2, 3, 5, 2)}, {}))
add(case("matmul/broadcast-batch", "matmul", lambda a, b: torch.matmul(a, b), {"a": t(2, 1, 3, 4), "b": t(3, 4, 2)}, {}))
add(case("matmul/matrix-by-batch", "matmul", lambda a, b: torch.matmul(a, b), {"a": t(3, 4), "b": t(2, 4, 5)}, {}))
add(case("matmul/vector-matrix", "matmul", lambda a, b: torch.matmul(a, b), {"a": t(4), "b": t(2, 4, 3)}, {}))
add(case("matmul/matrix-vector", "matmul", lambda a, b: torch.matmul(a, b), {"a": t(2, 3, 4), "b": t(4)}, {}))
add(case("matmul/dot", "matmul", lambda a, b: torch.matmul(a, b), {"a": t(5), "b": t(5)}, {}))

# Softmax and log-softmax on a middle axis.
add(case("softmax/dim-1", "softmax", lambda x: torch.softmax(x, dim=1), {"x": t(2, 4, 3)}, {"axis": 1}))
add(case("log_softmax/dim-0", "log_softmax", lambda x: torch.log_softmax(x, dim=0), {"x": t(3, 4)}, {"axis": 0}))

# Reductions over chosen axes.
add(case("sum/axes-keepdim", "sum", lambda x: x.sum(dim=(0, 2), keepdim=True), {"x": t(2, 3, 4)}, {"axis": [0, 2], "keepdim": True}))
add(case("mean/axes", "mean", lambda x: x.mean(dim=(-1, 1)), {"x": t(2, 3, 4)}, {"axis": [-1, 1]}))
add(case("sum/all", "sum", lambda x: x.sum(), {"x": t(3, 4)}, {}))
add(case("max/dim", "max", lambda x: x.max(dim=1).values, {"x": t(3, 5, 2)}, {"axis": 1}))
add(case("max/axes", "max", lambda x: x.amax(dim=(0, 2), keepdim=True), {"x": t(2, 3, 4)}, {"axis": [0, 2], "keepdim": True}))
add(case("min/all", "min", lambda x: x.min(), {"x": t(3, 4)}, {}))
add(case("var/unbiased", "var", lambda x: x.var(dim=1), {"x": t(3, 5)}, {"axis": 1}))
add(case("var/axes-population", "var", lambda x: torch.var(x, dim=(0, 2), correction=0), {"x": t(2, 3, 4)}, {"axis": [0, 2], "correction": 0}))
add(case("std/keepdim", "std", lambda x: x.std(dim=-1, keepdim=True), {"x": t(2, 3, 4)}, {"axis": -1, "keepdim": True}))
add(case("std/all", "std", lambda x: x.std(), {"x": t(3, 4)}, {}))
add(case("argmax/dim", "argmax", lambda x: torch.argmax(x, dim=1).to(DT), {"x": t(3, 5)}, {"axis": 1}, differentiable=False))
add(
    case(
        "argmax/flat-keepdim",
        "argmax",
        lambda x: torch.argmax(x, keepdim=True).to(DT),
        {"x": t(2, 3, 4)},
        {"keepdim": True},
        differentiable=False,
    )
)

# Shape ops.
add(case("swapaxes/0-2", "swapaxes", lambda x: x.swapaxes(0, 2), {"x": t(2, 3, 4)}, {"axis0": 0, "axis1": 2}))
add(case("squeeze/all", "squeeze", lambda x: x.squeeze(), {"x": t(2, 1, 3, 1)}, {}))
add(case("squeeze/axis-not-1-kept", "squeeze", lambda x: x.squeeze(1).squeeze(0), {"x": t(2, 1, 3)}, {"axis": [0, 1]}, note="torch leaves axis 0 (size 2) as it is"))
add(case("unsqueeze/-1", "unsqueeze", lambda x: x.unsqueeze(-1), {"x": t(2, 3)}, {"axis": -1}))
add(case("reshape/-1", "reshape", lambda x: x.reshape(-1, 6), {"x": t(2, 3, 4)}, {"shape": [-1, 6]}))
add(
    case(
        "slice/steps-negative-starts",
        "slice",
        lambda x: x[:, 1:100:2, -3:4],
        {"x": t(3, 5, 4)},
        {"axes": [1, -1], "starts": [1, -3], "ends": [100, 4], "steps": [2, 1]},
    )
)
add(case("expand/new-axis", "expand", lambda x: x.expand(2, -1, 4), {"x": t(3, 1)}, {"shape": [2, -1, 4]}))
add(case("tile/more-reps", "tile", lambda x: x.tile((2, 1, 2)), {"x": t(2, 3)}, {"reps": [2, 1, 2]}))
add(case("tile/fewer-reps", "tile", lambda x: x.tile((3,)), {"x": t(2, 2)}, {"reps": [3]}))

# cross_entropy on a sequence: logits [N, C, T], target [N, T] (torch's class axis 1).
labels = torch.randint(0, 4, (3, 5)).to(DT)
add(
    case(
        "cross_entropy/N-C-T",
        "cross_entropy",
        lambda logits, target: F.cross_entropy(logits, target.long()),
        {"logits": t(3, 4, 5)},
        {},
        const={"target": labels},
    )
)

# Attention from the parts: softmax(Q·Kᵀ/√d)·V as matmul, swapaxes, mul, softmax, matmul.
q, k = t(2, 3, 4), t(2, 3, 4)
add(case("attention/scores", "matmul", lambda a, b: torch.matmul(a, b), {"a": q, "b": k.swapaxes(-2, -1)}, {}, note="Q·Kᵀ of attention"))

# Joining and splitting: concat and stack of three tensors, split into given sizes and equal parts
# (an op with several outputs: `outputPort` says which piece the case checks).
add(
    case(
        "concat/three-axis-1",
        "concat",
        lambda a, b, c: torch.cat([a, b, c], dim=1),
        {"a": t(2, 3, 4), "b": t(2, 1, 4), "c": t(2, 2, 4)},
        {"axis": 1, "count": 3},
    )
)
add(case("concat/two-last-axis", "concat", lambda a, b: torch.cat([a, b], dim=-1), {"a": t(3, 2), "b": t(3, 4)}, {"axis": -1}))
add(
    case(
        "stack/three-axis-0",
        "stack",
        lambda a, b, c: torch.stack([a, b, c], dim=0),
        {"a": t(2, 3), "b": t(2, 3), "c": t(2, 3)},
        {"axis": 0, "count": 3},
    )
)
add(case("stack/two-last-axis", "stack", lambda a, b: torch.stack([a, b], dim=-1), {"a": t(2, 3), "b": t(2, 3)}, {"axis": -1, "count": 2}))
add(
    case(
        "split/sizes-middle-piece",
        "split",
        lambda x: torch.split(x, [1, 3, 1], dim=1)[1],
        {"x": t(2, 5, 3)},
        {"sizes": [1, 3, 1], "outputPort": 1},
    )
)
add(
    case(
        "split/equal-parts-last",
        "split",
        lambda x: torch.chunk(x, 3, dim=-1)[2],
        {"x": t(2, 3, 6)},
        {"axis": -1, "parts": 3, "outputPort": 2},
    )
)

# embedding: rows of the table at whole-number indices (the indices get no gradient).
indices = torch.tensor([[0, 3, 3, 1], [4, 0, 2, 4]], dtype=DT)
add(
    case(
        "embedding/repeated-rows",
        "embedding",
        lambda weight, indices: F.embedding(indices.long(), weight),
        {"weight": t(5, 3)},
        {},
        const={"indices": indices},
        note="rows 3 and 4 are picked twice: their gradients add",
    )
)


def attention(q, k, v, causal=False, scale=None):
    """softmax(q·kᵀ·scale + mask)·v: torch.nn.functional.scaled_dot_product_attention (PyTorch 2) written out for 1.13."""
    scale = 1 / math.sqrt(q.shape[-1]) if scale is None else scale
    scores = q @ k.transpose(-2, -1) * scale
    if causal:
        scores = scores + torch.full((q.shape[-2], k.shape[-2]), float("-inf"), dtype=DT).triu(1)
    return torch.softmax(scores, dim=-1) @ v


# scaled_dot_product_attention: heads as a batch axis, more keys than queries, causal with its own scale.
add(
    case(
        "scaled_dot_product_attention/heads",
        "scaled_dot_product_attention",
        attention,
        {"q": t(2, 3, 4, 5), "k": t(2, 3, 6, 5), "v": t(2, 3, 6, 2)},
        {},
    )
)
add(
    case(
        "scaled_dot_product_attention/causal",
        "scaled_dot_product_attention",
        lambda q, k, v: attention(q, k, v, causal=True),
        {"q": t(2, 5, 4), "k": t(2, 5, 4), "v": t(2, 5, 3)},
        {"causal": True},
    )
)
add(
    case(
        "scaled_dot_product_attention/causal-scale-more-keys",
        "scaled_dot_product_attention",
        lambda q, k, v: attention(q, k, v, causal=True, scale=0.3),
        {"q": t(3, 4), "k": t(6, 4), "v": t(6, 2)},
        {"causal": True, "scale": 0.3},
        note="is_causal keeps key j <= query i (top-left aligned, as PyTorch 2's tril)",
    )
)

# Batch axes broadcast as in F.scaled_dot_product_attention (torch.matmul's rule): k and v shared by
# every head, and k, v [S, d] shared by every batch and head (after the cases above, which keep their numbers).
add(
    case(
        "scaled_dot_product_attention/broadcast-heads",
        "scaled_dot_product_attention",
        attention,
        {"q": t(2, 3, 4, 5), "k": t(2, 1, 6, 5), "v": t(2, 1, 6, 2)},
        {},
        note="k and v [B, 1, S, d] serve every head: their gradients sum over the heads",
    )
)
add(
    case(
        "scaled_dot_product_attention/broadcast-matrix-kv-causal",
        "scaled_dot_product_attention",
        lambda q, k, v: attention(q, k, v, causal=True, scale=0.4),
        {"q": t(2, 2, 4, 3), "k": t(4, 3), "v": t(4, 2)},
        {"causal": True, "scale": 0.4},
        note="k and v [S, d] serve every batch and head",
    )
)

out = {
    "generator": f"scripts/gen-tensor-ops-reference.py, PyTorch {torch.__version__}, float64",
    "seed": 15,
    "tensor_format": "row-major data with its shape",
    "cases": cases,
}
path = os.path.join(os.path.dirname(__file__), "..", "test", "engine", "reference", "tensor-ops-cases.json")
with open(path, "w") as f:
    json.dump(out, f, separators=(",", ":"))
    f.write("\n")
print(f"wrote {len(cases)} cases to {os.path.relpath(path)}")
