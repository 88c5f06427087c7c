#!/usr/bin/python3
"""Small PyTorch networks using the convolution family, exported to ONNX by PyTorch itself.

Writes test/engine/onnx/conv-family/*.onnx and manifest.json (for each model: an input and PyTorch's
output for it), which test/engine/onnx/conv-family-pytorch.test.ts imports and runs through the engine.

Run with Debian's PyTorch (python3-torch 1.13): /usr/bin/python3 scripts/gen-conv-onnx.py
"""
import io
import json
import os

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(14)
OUT = os.path.join(os.path.dirname(__file__), "..", "test", "engine", "onnx", "conv-family")


class Seq1d(nn.Module):
    """conv1d with groups, dilation and stride; ceil-mode pools; replicate pad; global average."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv1d(4, 6, 3, stride=2, padding=2, dilation=2, groups=2)
        self.pool = nn.MaxPool1d(3, stride=2, padding=1, ceil_mode=True)
        self.avg = nn.AvgPool1d(2, stride=2, padding=1, ceil_mode=True, count_include_pad=False)
        self.gap = nn.AdaptiveAvgPool1d(1)
        self.fc = nn.Linear(6, 3)

    def forward(self, x):
        x = self.avg(self.pool(torch.relu(self.conv(x))))
        x = F.pad(x, (2, 1), mode="replicate")
        return self.fc(torch.flatten(self.gap(x), 1))


class Image2d(nn.Module):
    """A 2×3 kernel with per-axis stride, dilation and padding; a grouped transposed conv; a dilated
    ceil-mode max pool; reflect pad; an average pool not counting padding; global max."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, (2, 3), stride=(2, 1), padding=(1, 2), dilation=(1, 2))
        self.up = nn.ConvTranspose2d(4, 6, (3, 2), stride=2, padding=1, output_padding=1, groups=2)
        self.pool = nn.MaxPool2d(3, stride=2, padding=1, dilation=(1, 2), ceil_mode=True)
        self.avg = nn.AvgPool2d(3, stride=2, padding=1, ceil_mode=True, count_include_pad=False)
        self.gmp = nn.AdaptiveMaxPool2d(1)
        self.fc = nn.Linear(6, 4)

    def forward(self, x):
        x = self.pool(self.up(torch.relu(self.conv(x))))
        x = F.pad(x, (1, 1, 2, 0), mode="reflect")
        return self.fc(torch.flatten(self.gmp(self.avg(x)), 1))


class Depthwise(nn.Module):
    """MobileNet's depthwise-separable block (torch 1.13 exports no padding="same"), and a constant pad."""

    def __init__(self):
        super().__init__()
        self.dw = nn.Conv2d(4, 4, 3, padding=1, groups=4, bias=False)
        self.pw = nn.Conv2d(4, 8, 1)
        self.gap = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(8, 2)

    def forward(self, x):
        x = F.pad(self.pw(torch.relu(self.dw(x))), (1, 0, 0, 2), value=0.5)
        return self.fc(torch.flatten(self.gap(x), 1))


MODELS = [("seq1d.onnx", Seq1d(), (3, 4, 12)), ("image2d.onnx", Image2d(), (2, 3, 9, 8)), ("depthwise.onnx", Depthwise(), (2, 4, 6, 6))]

os.makedirs(OUT, exist_ok=True)
manifest = {"generator": f"scripts/gen-conv-onnx.py, PyTorch {torch.__version__}, opset 13", "models": []}
for name, model, shape in MODELS:
    model.eval()
    x = torch.randn(*shape)
    with torch.no_grad():
        y = model(x)
    buf = io.BytesIO()
    torch.onnx.export(
        model,
        x,
        buf,
        opset_version=13,
        input_names=["input"],
        output_names=["output"],
        dynamic_axes={"input": {0: "N"}, "output": {0: "N"}},
    )
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(buf.getvalue())
    manifest["models"].append(
        {
            "file": name,
            "module": model.__class__.__doc__.strip(),
            "input": {"shape": list(x.shape), "data": x.reshape(-1).tolist()},
            "output": {"shape": list(y.shape), "data": y.reshape(-1).tolist()},
        }
    )
with open(os.path.join(OUT, "manifest.json"), "w") as f:
    json.dump(manifest, f, indent=1)
    f.write("\n")
print(f"wrote {len(MODELS)} models to {os.path.relpath(OUT)}")
