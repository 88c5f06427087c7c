#!/usr/bin/python3
"""torchvision's ResNet-18 (random weights, eval mode) as ONNX with its weights in an external data
file, as big models are shipped: <out>/resnet18.onnx + <out>/resnet18.onnx.data (onnx.save_model(...,
save_as_external_data=True)), plus one input and PyTorch's output for it (float32, little-endian,
<out>/input.bin [1, 3, 224, 224] and <out>/output.bin [1, 1000]).

Run with Debian's PyTorch 1.13 / torchvision 0.14 / onnx 1.12: /usr/bin/python3 scripts/export-resnet18.py <out>
The test that needs it (test/onnx/big-model.test.ts) runs this into a cache folder; nothing is committed.
"""
import os
import sys

import numpy as np
import onnx
import torch
import torchvision

out = sys.argv[1] if len(sys.argv) > 1 else "resnet18-onnx"
os.makedirs(out, exist_ok=True)
torch.manual_seed(0)
model = torchvision.models.resnet18(weights=None).eval()
x = torch.randn(1, 3, 224, 224)
with torch.no_grad():
    y = model(x)
tmp = os.path.join(out, "resnet18.embedded.onnx")
torch.onnx.export(model, x, tmp, opset_version=13, input_names=["input"], output_names=["output"],
                  dynamic_axes={"input": {0: "N"}, "output": {0: "N"}})
m = onnx.load(tmp)
os.remove(tmp)
onnx.save_model(m, os.path.join(out, "resnet18.onnx"), save_as_external_data=True,
                all_tensors_to_one_file=True, location="resnet18.onnx.data", size_threshold=1024)
x.numpy().astype("<f4").tofile(os.path.join(out, "input.bin"))
y.numpy().astype("<f4").tofile(os.path.join(out, "output.bin"))
print(f"wrote {out}/resnet18.onnx (+ .data), input.bin, output.bin; params "
      f"{sum(p.numel() for p in model.parameters())}")
