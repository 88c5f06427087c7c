#!/usr/bin/python3
"""Reference cases for the activations and normalisations of issue #14, from PyTorch in float64.

Run with Debian's PyTorch (1.13):
    /usr/bin/python3 scripts/generate-act-norm-reference.py > test/engine/reference/act-norm-reference.json
The format is ../shared/reference's (`op` cases: inputs, output, cotangent and VJP, tangents and
JVP), so the engine's reference runner checks them (test/engine/reference/act-norm.test.ts).
"""
import json

import torch
import torch.autograd.forward_ad as fwAD
import torch.nn.functional as F

torch.manual_seed(14)
torch.set_default_dtype(torch.float64)


def tensor_json(t):
    return {"shape": list(t.shape), "data": [float(v) for v in t.detach().reshape(-1).tolist()]}


def case(name, op, attrs, inputs, fn, scale=None):
    """`inputs`: name -> tensor (all differentiable); `fn(**inputs)` is PyTorch's op."""
    names = list(inputs)
    values = [inputs[n].detach().clone().requires_grad_(True) for n in names]
    out = fn(**dict(zip(names, values)))
    cot = torch.randn_like(out)
    grads = torch.autograd.grad(out, values, cot)
    tangents = [torch.randn_like(v) for v in values]
    with fwAD.dual_level():
        duals = [fwAD.make_dual(v.detach(), t) for v, t in zip(values, tangents)]
        jvp = fwAD.unpack_dual(fn(**dict(zip(names, duals)))).tangent
    return {
        "kind": "op",
        "name": name,
        "op": op,
        "attrs": attrs,
        "inputs": {n: tensor_json(v) for n, v in zip(names, values)},
        "const": {},
        "output": tensor_json(out),
        "cotangent": tensor_json(cot),
        "vjp": {n: tensor_json(g) for n, g in zip(names, grads)},
        "tangents": {n: tensor_json(t) for n, t in zip(names, tangents)},
        "jvp": tensor_json(jvp),
    }


def randn(*shape, scale=1.0):
    return torch.randn(*shape) * scale


cases = []

# Activations. Inputs are spread (×4) where the op has pieces beyond ±3 or its bounds.
cases.append(case("clip/bounds", "clip", {"min": -0.5, "max": 0.8}, {"x": randn(3, 4, scale=2)},
                  lambda x: torch.clamp(x, -0.5, 0.8)))
cases.append(case("clip/relu6", "clip", {"min": 0, "max": 6, "note": "the relu6 preset"},
                  {"x": randn(3, 5, scale=4)}, lambda x: torch.clamp(x, 0, 6)))
cases.append(case("clip/hardtanh", "clip", {"min": -1, "max": 1, "note": "the hardtanh preset"},
                  {"x": randn(3, 5, scale=2)}, lambda x: torch.clamp(x, -1, 1)))
cases.append(case("clip/min-only", "clip", {"min": 0.2}, {"x": randn(2, 5)}, lambda x: torch.clamp(x, min=0.2)))
cases.append(case("clip/max-only", "clip", {"max": -0.1}, {"x": randn(2, 5)}, lambda x: torch.clamp(x, max=-0.1)))
# PyTorch 1.13's hardsigmoid_backward multiplies by 1/6 rounded to float32 (a relative error of
# 3e-8 in float64), so the case takes relu6(x + 3)/6: the same function, with an exact backward.
x_hs = randn(4, 5, scale=4).requires_grad_(True)
g_hs = torch.randn(4, 5)
assert torch.equal(F.hardsigmoid(x_hs), F.relu6(x_hs + 3) / 6)
assert torch.allclose(torch.autograd.grad(F.hardsigmoid(x_hs), x_hs, g_hs)[0],
                      torch.autograd.grad(F.relu6(x_hs + 3) / 6, x_hs, g_hs)[0], rtol=1e-7, atol=0)
cases.append(case("hardsigmoid/basic", "hardsigmoid", {"note": "PyTorch's relu6(x + 3)/6"},
                  {"x": x_hs.detach()}, lambda x: F.relu6(x + 3) / 6))
cases.append(case("hardswish/basic", "hardswish", {}, {"x": randn(4, 5, scale=4)}, lambda x: F.hardswish(x)))
cases.append(case("softsign/basic", "softsign", {}, {"x": randn(3, 4, scale=2)}, lambda x: F.softsign(x)))
cases.append(case("mish/basic", "mish", {}, {"x": randn(4, 5, scale=3)}, lambda x: F.mish(x)))
cases.append(case("prelu/per-channel", "prelu", {"num_parameters": 3, "layout": "NCHW"},
                  {"x": randn(2, 3, 2, 2), "weight": randn(3) * 0.5}, lambda x, weight: F.prelu(x, weight)))
cases.append(case("prelu/shared", "prelu", {}, {"x": randn(3, 4), "weight": torch.tensor([0.25])},
                  lambda x, weight: F.prelu(x, weight)))

# Normalisations.
def batch_norm(training):
    def fn(x, weight, bias):
        c = x.shape[1]
        return F.batch_norm(x, torch.zeros(c), torch.ones(c), weight, bias, training=training, momentum=0.1, eps=1e-5)
    return fn


cases.append(case("batch_norm/NCL-train", "batch_norm", {"eps": 1e-5, "training": True},
                  {"x": randn(3, 2, 4), "weight": randn(2), "bias": randn(2)}, batch_norm(True)))
cases.append(case("batch_norm/NCL-eval", "batch_norm",
                  {"eps": 1e-5, "training": False, "note": "running mean 0, variance 1"},
                  {"x": randn(3, 2, 4), "weight": randn(2), "bias": randn(2)}, batch_norm(False)))
cases.append(case("batch_norm/NCHW-train", "batch_norm", {"eps": 1e-5, "training": True},
                  {"x": randn(2, 3, 2, 3), "weight": randn(3), "bias": randn(3)}, batch_norm(True)))
cases.append(case("group_norm/NCL", "group_norm", {"num_groups": 2},
                  {"x": randn(2, 4, 3), "weight": randn(4), "bias": randn(4)},
                  lambda x, weight, bias: F.group_norm(x, 2, weight, bias, 1e-5)))
cases.append(case("group_norm/NCHW", "group_norm", {"num_groups": 3, "eps": 1e-3},
                  {"x": randn(2, 6, 2, 2), "weight": randn(6), "bias": randn(6)},
                  lambda x, weight, bias: F.group_norm(x, 3, weight, bias, 1e-3)))
cases.append(case("group_norm/not-affine", "group_norm", {"num_groups": 1, "affine": False},
                  {"x": randn(3, 4)}, lambda x: F.group_norm(x, 1, None, None, 1e-5)))
cases.append(case("instance_norm/NCL", "instance_norm", {}, {"x": randn(2, 3, 5)},
                  lambda x: F.instance_norm(x, eps=1e-5)))
cases.append(case("instance_norm/NCHW-affine", "instance_norm", {"affine": True},
                  {"x": randn(2, 2, 3, 3), "weight": randn(2), "bias": randn(2)},
                  lambda x, weight, bias: F.instance_norm(x, weight=weight, bias=bias, eps=1e-5)))

# Issue #16 (ONNX's backend test suite): the binary ops Max, Min and Pow import as, and the two
# shrinks. Random draws never tie, where torch.maximum/minimum split the gradient evenly.
cases.append(case("maximum/broadcast", "maximum", {}, {"a": randn(3, 4), "b": randn(4)},
                  lambda a, b: torch.maximum(a, b)))
cases.append(case("minimum/broadcast", "minimum", {}, {"a": randn(2, 3, 4), "b": randn(3, 1)},
                  lambda a, b: torch.minimum(a, b)))
cases.append(case("pow/broadcast", "pow", {}, {"a": torch.rand(3, 4) + 0.5, "b": randn(4)},
                  lambda a, b: torch.pow(a, b)))
cases.append(case("hardshrink/basic", "hardshrink", {"lambd": 0.7}, {"x": randn(4, 5, scale=2)},
                  lambda x: F.hardshrink(x, 0.7)))
cases.append(case("softshrink/basic", "softshrink", {"lambd": 0.7}, {"x": randn(4, 5, scale=2)},
                  lambda x: F.softshrink(x, 0.7)))

print(json.dumps({
    "generator": f"scripts/generate-act-norm-reference.py, PyTorch {torch.__version__}, float64, CPU",
    "seed": 14,
    "tensor_format": "row-major flat data with shape",
    "cases": cases,
}, indent=None))
