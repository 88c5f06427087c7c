#!/usr/bin/python3
"""Reference cases for the convolution family, computed by PyTorch in float64.

Writes test/engine/reference/conv-cases.json in the format of ../shared/reference/pytorch-reference.json
(`op` cases: inputs, output, a random cotangent and the VJP of every input, random tangents and the
JVP of the output), which test/engine/reference/conv-reference.test.ts runs through the engine's
reference runner in float64 and float32.

Run with Debian's PyTorch (python3-torch 1.13): /usr/bin/python3 scripts/gen-conv-reference.py
"""
import json
import os

import torch
import torch.nn.functional as F

torch.manual_seed(14)
DT = torch.float64


def t(*shape):
    return torch.randn(*shape, dtype=DT)


def tensor_json(v):
    return {"shape": list(v.shape), "data": [float(x) for x in v.detach().reshape(-1).tolist()]}


def case(name, op, fn, inputs, attrs, note=None):
    """fn(**inputs) -> output; VJP and JVP of every input by autograd."""
    names = list(inputs)
    primals = [inputs[k].clone().requires_grad_(True) for k in names]
    out = fn(**dict(zip(names, primals)))
    cot = torch.randn_like(out)
    grads = torch.autograd.grad(out, primals, cot)
    tangents = [torch.randn_like(p) for p in primals]
    _, jvp = torch.autograd.functional.jvp(
        lambda *ps: fn(**dict(zip(names, ps))), tuple(inputs[k] for k in names), tuple(tangents)
    )
    a = dict(attrs)
    if note:
        a["note"] = note
    return {
        "kind": "op",
        "name": name,
        "op": op,
        "attrs": a,
        "inputs": {k: tensor_json(inputs[k]) for k in names},
        "output": tensor_json(out),
        "cotangent": tensor_json(cot),
        "vjp": {k: tensor_json(g) for k, g in zip(names, grads)},
        "tangents": {k: tensor_json(v) for k, v in zip(names, tangents)},
        "jvp": tensor_json(jvp),
    }


def conv2d_case(name, x, w, b, attrs, torch_kwargs, pre=None, note=None):
    def fn(x, weight, bias=None):
        xin = pre(x) if pre else x
        return F.conv2d(xin, weight, bias, **torch_kwargs)

    inputs = {"x": x, "weight": w}
    if b is not None:
        inputs["bias"] = b
    return case(name, "conv2d", fn, inputs, attrs, note)


cases = []

# The held-out style case: a 2×3 kernel, everything else default (kernel and outChannels come from the weight).
cases.append(conv2d_case("conv2d/kernel-2x3", t(2, 3, 5, 6), t(4, 3, 2, 3), t(4), {}, {}))
cases.append(
    conv2d_case(
        "conv2d/stride-dilation-padding-per-axis",
        t(2, 2, 7, 8),
        t(3, 2, 3, 2),
        t(3),
        {"stride": [2, 1], "dilation": [1, 2], "padding": [1, 1]},
        {"stride": (2, 1), "dilation": (1, 2), "padding": (1, 1)},
    )
)
cases.append(
    conv2d_case("conv2d/groups", t(2, 4, 5, 5), t(6, 2, 3, 3), t(6), {"groups": 2, "padding": 1}, {"groups": 2, "padding": 1})
)
cases.append(
    conv2d_case(
        "conv2d/depthwise-same",
        t(2, 3, 5, 5),
        t(3, 1, 3, 3),
        t(3),
        {"groups": 3, "padding": "same"},
        {"groups": 3, "padding": "same"},
    )
)
cases.append(
    conv2d_case(
        "conv2d/same-even-kernel",
        t(1, 2, 5, 6),
        t(2, 2, 2, 4),
        None,
        {"padding": "same"},
        {"padding": "same"},
        note="PyTorch pads an odd total one more after (bottom, right)",
    )
)
cases.append(
    conv2d_case(
        "conv2d/padding-per-side",
        t(2, 2, 5, 6),
        t(3, 2, 3, 3),
        t(3),
        {"padding": [1, 0, 0, 1], "stride": 2},
        {"stride": 2},
        pre=lambda x: F.pad(x, (0, 1, 1, 0)),
        note="padding [top, bottom, left, right]; PyTorch: conv2d of F.pad(x, (left, right, top, bottom))",
    )
)
cases.append(conv2d_case("conv2d/valid-no-bias", t(2, 2, 6, 5), t(2, 2, 3, 2), None, {"padding": "valid"}, {"padding": "valid"}))

cases.append(
    case(
        "conv1d/groups-dilation-stride",
        "conv1d",
        lambda x, weight, bias: F.conv1d(x, weight, bias, stride=2, padding=2, dilation=2, groups=2),
        {"x": t(2, 4, 9), "weight": t(6, 2, 3), "bias": t(6)},
        {"stride": 2, "padding": 2, "dilation": 2, "groups": 2},
    )
)
cases.append(
    case(
        "conv1d/same",
        "conv1d",
        lambda x, weight, bias: F.conv1d(x, weight, bias, padding="same"),
        {"x": t(2, 3, 8), "weight": t(2, 3, 4), "bias": t(2)},
        {"padding": "same"},
    )
)

cases.append(
    case(
        "conv_transpose2d/stride-output-padding-groups",
        "conv_transpose2d",
        lambda x, weight, bias: F.conv_transpose2d(x, weight, bias, stride=2, padding=1, output_padding=1, groups=2),
        {"x": t(2, 4, 3, 3), "weight": t(4, 3, 3, 2), "bias": t(6)},
        {"stride": 2, "padding": 1, "output_padding": 1, "groups": 2},
        note="weight [in, out/groups, kh, kw]",
    )
)
cases.append(
    case(
        "conv_transpose2d/dilation-no-bias",
        "conv_transpose2d",
        lambda x, weight: F.conv_transpose2d(x, weight, None, stride=(1, 2), dilation=2),
        {"x": t(1, 2, 3, 4), "weight": t(2, 3, 2, 2)},
        {"stride": [1, 2], "dilation": 2},
    )
)

cases.append(
    case(
        "max_pool2d/kernel-2x3-dilation-ceil",
        "max_pool2d",
        lambda x: F.max_pool2d(x, (2, 3), stride=2, padding=1, dilation=(2, 1), ceil_mode=True),
        {"x": t(2, 2, 7, 8)},
        {"kernel": [2, 3], "stride": 2, "padding": 1, "dilation": [2, 1], "ceil_mode": True},
    )
)
cases.append(
    case(
        "max_pool1d/ceil",
        "max_pool1d",
        lambda x: F.max_pool1d(x, 3, stride=2, padding=1, ceil_mode=True),
        {"x": t(2, 3, 10)},
        {"kernel": 3, "stride": 2, "padding": 1, "ceil_mode": True},
    )
)
for include in (False, True):
    cases.append(
        case(
            f"avg_pool2d/ceil-{'include' if include else 'exclude'}-pad",
            "avg_pool2d",
            lambda x, include=include: F.avg_pool2d(
                x, (3, 2), stride=(2, 1), padding=1, ceil_mode=True, count_include_pad=include
            ),
            {"x": t(2, 2, 7, 6)},
            {"kernel": [3, 2], "stride": [2, 1], "padding": 1, "ceil_mode": True, "count_include_pad": include},
        )
    )
cases.append(
    case(
        "avg_pool1d/ceil-exclude-pad",
        "avg_pool1d",
        lambda x: F.avg_pool1d(x, 4, stride=3, padding=2, ceil_mode=True, count_include_pad=False),
        {"x": t(2, 2, 9)},
        {"kernel": 4, "stride": 3, "padding": 2, "ceil_mode": True, "count_include_pad": False},
    )
)
cases.append(
    case(
        "global_avg_pool/2d",
        "global_avg_pool",
        lambda x: F.adaptive_avg_pool2d(x, 1),
        {"x": t(2, 3, 4, 5)},
        {},
    )
)
cases.append(
    case(
        "global_max_pool/1d",
        "global_max_pool",
        lambda x: F.adaptive_max_pool1d(x, 1),
        {"x": t(2, 3, 6)},
        {},
    )
)

cases.append(
    case(
        "pad/constant",
        "pad",
        lambda x: F.pad(x, (1, 2, 2, 0), value=0.5),
        {"x": t(2, 3, 4, 5)},
        {"pad": [1, 2, 2, 0], "value": 0.5},
    )
)
cases.append(
    case(
        "pad/reflect",
        "pad",
        lambda x: F.pad(x, (2, 1, 1, 3), mode="reflect"),
        {"x": t(2, 3, 4, 5)},
        {"pad": [2, 1, 1, 3], "mode": "reflect"},
    )
)
cases.append(
    case(
        "pad/replicate",
        "pad",
        lambda x: F.pad(x, (3, 1), mode="replicate"),
        {"x": t(2, 3, 4)},
        {"pad": [3, 1], "mode": "replicate"},
    )
)

# conv3d (issue #16: ONNX's Conv3d models): uneven padding (F.pad first), strides, then groups
# with dilation and no bias.
cases.append(
    case(
        "conv3d/uneven-padding-stride",
        "conv3d",
        lambda x, weight, bias: F.conv3d(F.pad(x, (1, 0, 0, 1, 1, 0)), weight, bias, stride=(1, 2, 1)),
        {"x": t(2, 2, 4, 3, 4), "weight": t(3, 2, 2, 2, 3), "bias": t(3)},
        {"stride": [1, 2, 1], "padding": [1, 0, 0, 1, 1, 0]},
    )
)
cases.append(
    case(
        "conv3d/groups-dilation",
        "conv3d",
        lambda x, weight: F.conv3d(x, weight, None, stride=2, dilation=(2, 1, 2), groups=2),
        {"x": t(1, 4, 5, 4, 5), "weight": t(2, 2, 2, 2, 2)},
        {"stride": 2, "dilation": [2, 1, 2], "groups": 2, "bias": False},
    )
)

out = {
    "generator": f"scripts/gen-conv-reference.py, PyTorch {torch.__version__}, float64",
    "seed": 14,
    "tensor_format": "row-major data with its shape",
    "cases": cases,
}
path = os.path.join(os.path.dirname(__file__), "..", "test", "engine", "reference", "conv-cases.json")
with open(path, "w") as f:
    json.dump(out, f, separators=(",", ":"))
    f.write("\n")
print(f"wrote {len(cases)} cases to {os.path.relpath(path)}")
