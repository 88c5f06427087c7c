#!/usr/bin/python3
"""Held-out real networks for the ONNX import test: torchvision's ResNet-18, MobileNetV2 (width 0.35)
and SqueezeNet 1.1 with random weights (seeded), in eval mode, exported by PyTorch at opset 13.

    /usr/bin/python3 scripts/export-torchvision-onnx.py <out-dir>

writes <name>.onnx for each and manifest.json with, per model, the input (1×3×64×64, seeded) and
PyTorch's eval output for it. test/engine/onnx/torchvision.test.ts runs this into a cache folder (the
files are about 45 MB, so they are not committed) and checks the import against the outputs.
Needs Debian's python3-torch, python3-torchvision and python3-onnx (scripts/setup-tests.sh).
"""
import json
import os
import sys

import torch
import torchvision

OPSET = 13
INPUT_SHAPE = (1, 3, 64, 64)


def randomise_batch_norm(model, gen):
    """Non-trivial running statistics and affine parameters (fresh ones are 0, 1, 1, 0)."""
    for m in model.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            c = m.num_features
            with torch.no_grad():
                m.running_mean.copy_(torch.rand(c, generator=gen) - 0.5)
                m.running_var.copy_(torch.rand(c, generator=gen) + 0.5)
                m.weight.copy_(torch.rand(c, generator=gen) + 0.5)
                m.bias.copy_((torch.rand(c, generator=gen) - 0.5) * 0.4)


MODELS = {
    "resnet18": lambda: torchvision.models.resnet18(weights=None),
    "mobilenet_v2_0.35": lambda: torchvision.models.mobilenet_v2(weights=None, width_mult=0.35),
    "squeezenet1_1": lambda: torchvision.models.squeezenet1_1(weights=None),
}


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    entries = []
    for i, (name, build) in enumerate(MODELS.items()):
        torch.manual_seed(14 + i)
        model = build()
        randomise_batch_norm(model, torch.Generator().manual_seed(100 + i))
        model.eval()
        x = torch.randn(*INPUT_SHAPE, generator=torch.Generator().manual_seed(200 + i))
        with torch.no_grad():
            y = model(x)
        path = os.path.join(out, f"{name}.onnx")
        torch.onnx.export(
            model, x, path, opset_version=OPSET, input_names=["input"], output_names=["output"],
            do_constant_folding=True,
        )
        entries.append({
            "name": name,
            "file": f"{name}.onnx",
            "input": {"shape": list(x.shape), "data": x.reshape(-1).tolist()},
            "output": {"shape": list(y.shape), "data": y.reshape(-1).tolist()},
        })
    with open(os.path.join(out, "manifest.json"), "w") as f:
        json.dump({
            "generator": f"scripts/export-torchvision-onnx.py, PyTorch {torch.__version__}, torchvision {torchvision.__version__}, opset {OPSET}",
            "models": entries,
        }, f)


main()
