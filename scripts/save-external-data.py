#!/usr/bin/python3
"""Re-saves an ONNX model with its weights in an external data file, as big models are shipped:

    /usr/bin/python3 scripts/save-external-data.py <in.onnx> <out.onnx>

writes <out.onnx> and <out.onnx>.data beside it with onnx.save_model(..., save_as_external_data=True)
(one data file, tensors of 1 KB and more). test/engine/onnx/big-model.test.ts runs it on the ResNet-18 that
scripts/export-torchvision-onnx.py exports, into a cache folder (nothing is committed).
Needs Debian's python3-onnx (scripts/setup-tests.sh).
"""
import os
import sys

import onnx

src, dst = sys.argv[1], sys.argv[2]
os.makedirs(os.path.dirname(os.path.abspath(dst)), exist_ok=True)
model = onnx.load(src)
onnx.save_model(model, dst, save_as_external_data=True, all_tensors_to_one_file=True,
                location=os.path.basename(dst) + ".data", size_threshold=1024)
print(f"wrote {dst} ({os.path.getsize(dst)} bytes) and {dst}.data ({os.path.getsize(dst + '.data')} bytes)")
