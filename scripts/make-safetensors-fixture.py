#!/usr/bin/python3
"""A weights file written by the safetensors library itself (PyTorch's state_dict names, float32 and
float64 tensors), and the same values as a backprop-studio weights JSON file, for
test/engine/graph/weights-file.test.ts: the project's safetensors reader must read what the library writes.

Needs Debian's PyTorch and the safetensors package (pip install safetensors; not needed to run the tests):
  /usr/bin/python3 scripts/make-safetensors-fixture.py test/engine/graph/fixtures
writes pytorch-state.safetensors and pytorch-state.weights.json there.
"""
import json
import os
import sys

import torch
from safetensors.torch import save_file

out = sys.argv[1] if len(sys.argv) > 1 else "test/engine/graph/fixtures"
torch.manual_seed(0)
fc1 = torch.nn.Linear(3, 4)
bn = torch.nn.BatchNorm1d(4)
bn.running_mean.uniform_(-1, 1)
state = {f"fc1.{k}": v for k, v in fc1.state_dict().items()}
state["bn.running_mean"] = bn.running_mean.double()
save_file({k: v.contiguous() for k, v in state.items()}, os.path.join(out, "pytorch-state.safetensors"))
weights = {"format": "backprop-studio.weights", "version": 1, "weights": {}}
for key, v in state.items():
    node, name = key.rsplit(".", 1)
    weights["weights"].setdefault(node, {})[name] = {"shape": list(v.shape), "data": v.flatten().tolist()}
with open(os.path.join(out, "pytorch-state.weights.json"), "w") as f:
    json.dump(weights, f)
    f.write("\n")
print(f"wrote {out}/pytorch-state.safetensors and pytorch-state.weights.json")
