"""Small networks exported by PyTorch, as a user would import them (issues #20 and #15).

Writes test/engine/onnx/pytorch/:
  tabular-mlp-bn.onnx   8 features -> Linear/BatchNorm1d/ReLU x2 -> 3 classes (eval mode)
  residual-mlp.onnx     6 features -> Linear/ReLU, a residual block (x + f(x)), ReLU -> 1 value
  two-input.onnx        two inputs, wide (4) and deep (6): a deep MLP branch and a wide branch
                        joined with the raw wide features by torch.cat -> 3 classes
  self-attention.onnx   tokens [N, 5, 16] -> 4-head self-attention (Linear q, k, v; reshape to heads;
                        q @ k^T / sqrt(d); softmax; @ v; merge heads; Linear), a residual and
                        LayerNorm, then the mean over tokens -> Linear -> 3 classes
  causal-self-attention.onnx  the same block with a causal mask added to the scores (a -inf buffer)
  multihead-attention.onnx    tokens [N, 5, 16] -> torch.nn.MultiheadAttention(16, 4, batch_first=True)
                        as self-attention, a residual and LayerNorm, the mean over tokens -> Linear ->
                        3 classes (its head split is Shape/Gather/Concat arithmetic in the export)
  multihead-attention-weights.onnx  the same called as attn(x, x, x): need_weights=True, the default
                        (the averaged attention weights it also returns are unused)
  multihead-attention-causal.onnx  the same with attn_mask a causal mask (a -inf buffer)
  multihead-attention-fixed-batch.onnx  multihead-attention's network exported without a dynamic
                        batch axis (its reshapes then say 16 = 4 samples x 4 heads)
  transformer-encoder-layer.onnx  tokens [N, 5, 16] -> torch.nn.TransformerEncoderLayer(16, 4,
                        dim_feedforward=32, batch_first=True) (MultiheadAttention, residuals,
                        LayerNorms, a ReLU MLP), the mean over tokens -> Linear -> 3 classes
  tabular.csv           a dataset that fits the tabular network (x1..x8, y)
  two-input.csv         a dataset that fits the two-input network (wide_1..4, deep_1..6, y)
  attention.csv         a dataset that fits the attention networks (x1..x80: 5 tokens of 16, y)
  manifest.json         for each model: an input batch (by input name where there are several)
                        and PyTorch's output on it

Regenerate with Debian's PyTorch 1.13 (not a pyenv python), then format the manifest:
  /usr/bin/python3 scripts/make-import-fixtures.py
  npx prettier --write test/engine/onnx/pytorch/manifest.json
"""
import json
import math
import os

import numpy as np
import torch
from torch import nn

OUT = os.path.join(os.path.dirname(__file__), "..", "test", "engine", "onnx", "pytorch")


class TabularMLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(8, 32)
        self.bn1 = nn.BatchNorm1d(32)
        self.fc2 = nn.Linear(32, 16)
        self.bn2 = nn.BatchNorm1d(16, momentum=0.3)  # written 0.3 in the document, not 0.30000001
        self.head = nn.Linear(16, 3)

    def forward(self, x):
        x = torch.relu(self.bn1(self.fc1(x)))
        x = torch.relu(self.bn2(self.fc2(x)))
        return self.head(x)


class ResidualMLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Linear(6, 16)
        self.block_fc1 = nn.Linear(16, 16)
        self.block_fc2 = nn.Linear(16, 16)
        self.head = nn.Linear(16, 1)

    def forward(self, x):
        h = torch.relu(self.stem(x))
        r = self.block_fc2(torch.relu(self.block_fc1(h)))
        return self.head(torch.relu(h + r))


class TwoInputNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.deep1 = nn.Linear(6, 16)
        self.deep2 = nn.Linear(16, 8)
        self.wide_fc = nn.Linear(4, 8)
        self.head = nn.Linear(8 + 8 + 4, 3)

    def forward(self, wide, deep):
        d = torch.relu(self.deep2(torch.relu(self.deep1(deep))))
        w = torch.tanh(self.wide_fc(wide))
        return self.head(torch.cat([w, d, wide], dim=1))


class SelfAttentionBlock(nn.Module):
    """Multi-head self-attention written out as a transformer block does it, then a class head."""

    def __init__(self, d=16, heads=4, tokens=5, causal=False):
        super().__init__()
        self.heads, self.d, self.tokens = heads, d, tokens
        self.q = nn.Linear(d, d)
        self.k = nn.Linear(d, d)
        self.v = nn.Linear(d, d)
        self.out = nn.Linear(d, d)
        self.norm = nn.LayerNorm(d)
        self.head = nn.Linear(d, 3)
        mask = torch.full((tokens, tokens), float("-inf")).triu(1) if causal else None
        self.register_buffer("mask", mask)

    def forward(self, x):
        # Sizes from the module, not x.shape: with a dynamic batch those would be Shape ops.
        t, d = self.tokens, self.d
        hd = d // self.heads
        split = lambda z: z.reshape(-1, t, self.heads, hd).transpose(1, 2)
        q, k, v = split(self.q(x)), split(self.k(x)), split(self.v(x))
        scores = q @ k.transpose(-2, -1) / math.sqrt(hd)
        if self.mask is not None:
            scores = scores + self.mask
        y = (torch.softmax(scores, dim=-1) @ v).transpose(1, 2).reshape(-1, t, d)
        h = self.norm(x + self.out(y))
        return self.head(h.mean(dim=1))


class MultiheadSelfAttention(nn.Module):
    """torch.nn.MultiheadAttention as a transformer block uses it, then a class head."""

    def __init__(self, d=16, heads=4, tokens=5, need_weights=False, causal=False):
        super().__init__()
        self.need_weights = need_weights
        mask = torch.full((tokens, tokens), float("-inf")).triu(1) if causal else None
        self.register_buffer("mask", mask)
        self.attn = nn.MultiheadAttention(embed_dim=d, num_heads=heads, batch_first=True)
        self.norm = nn.LayerNorm(d)
        self.head = nn.Linear(d, 3)
        # Non-zero biases (PyTorch starts them at 0), so that the import must place them right.
        with torch.no_grad():
            self.attn.in_proj_bias.copy_(torch.randn(3 * d) * 0.1)
            self.attn.out_proj.bias.copy_(torch.randn(d) * 0.1)

    def forward(self, x):
        y, _ = self.attn(x, x, x, attn_mask=self.mask, need_weights=self.need_weights)
        h = self.norm(x + y)
        return self.head(h.mean(dim=1))


class EncoderLayerClassifier(nn.Module):
    """torch.nn.TransformerEncoderLayer, then a class head."""

    def __init__(self, d=16, heads=4):
        super().__init__()
        self.encoder = nn.TransformerEncoderLayer(d, heads, dim_feedforward=32, batch_first=True)
        self.head = nn.Linear(d, 3)

    def forward(self, x):
        return self.head(self.encoder(x).mean(dim=1))


def export_attention(model, name, rng, dynamic=True):
    model.eval()
    x = torch.tensor(rng.standard_normal((4, 5, 16)), dtype=torch.float32)
    torch.onnx.export(
        model,
        x,
        os.path.join(OUT, name),
        input_names=["tokens"],
        output_names=["output"],
        dynamic_axes={"tokens": {0: "batch"}, "output": {0: "batch"}} if dynamic else None,
        opset_version=13,
    )
    with torch.no_grad():
        y = model(x)
    return {
        "file": name,
        "input": {"shape": list(x.shape), "data": [float(v) for v in x.flatten()]},
        "output": {"shape": list(y.shape), "data": [float(v) for v in y.flatten()]},
    }


def export_two_input(model, rng):
    model.eval()
    wide = torch.tensor(rng.standard_normal((5, 4)), dtype=torch.float32)
    deep = torch.tensor(rng.standard_normal((5, 6)), dtype=torch.float32)
    name = "two-input.onnx"
    torch.onnx.export(
        model,
        (wide, deep),
        os.path.join(OUT, name),
        input_names=["wide", "deep"],
        output_names=["output"],
        dynamic_axes={"wide": {0: "batch"}, "deep": {0: "batch"}, "output": {0: "batch"}},
        opset_version=13,
    )
    with torch.no_grad():
        y = model(wide, deep)
    stored = lambda t: {"shape": list(t.shape), "data": [float(v) for v in t.flatten()]}
    return {"file": name, "inputs": {"wide": stored(wide), "deep": stored(deep)}, "output": stored(y)}


def export(model, features, name, rng):
    model.eval()
    x = torch.tensor(rng.standard_normal((4, features)), dtype=torch.float32)
    path = os.path.join(OUT, name)
    torch.onnx.export(
        model,
        x,
        path,
        input_names=["features"],
        output_names=["output"],
        dynamic_axes={"features": {0: "batch"}, "output": {0: "batch"}},
        opset_version=13,
    )
    with torch.no_grad():
        y = model(x)
    return {
        "file": name,
        "input": {"shape": list(x.shape), "data": [float(v) for v in x.flatten()]},
        "output": {"shape": list(y.shape), "data": [float(v) for v in y.flatten()]},
    }


def main():
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    os.makedirs(OUT, exist_ok=True)
    tabular = TabularMLP()
    # Running statistics as after training, so batch norm does something in eval mode.
    with torch.no_grad():
        for bn in (tabular.bn1, tabular.bn2):
            bn.running_mean.copy_(torch.randn(bn.num_features) * 0.1)
            bn.running_var.copy_(torch.rand(bn.num_features) + 0.5)
            bn.weight.copy_(torch.rand(bn.num_features) + 0.5)
            bn.bias.copy_(torch.randn(bn.num_features) * 0.1)
    models = [
        export(tabular, 8, "tabular-mlp-bn.onnx", rng),
        export(ResidualMLP(), 6, "residual-mlp.onnx", rng),
    ]
    # After the others, so that their weights and inputs stay as they were.
    models.append(export_two_input(TwoInputNet(), np.random.default_rng(15)))
    torch.manual_seed(1513)
    models.append(export_attention(SelfAttentionBlock(), "self-attention.onnx", np.random.default_rng(17)))
    models.append(
        export_attention(SelfAttentionBlock(causal=True), "causal-self-attention.onnx", np.random.default_rng(18))
    )
    torch.manual_seed(1520)
    models.append(export_attention(MultiheadSelfAttention(), "multihead-attention.onnx", np.random.default_rng(20)))
    torch.manual_seed(1521)
    models.append(
        export_attention(
            MultiheadSelfAttention(need_weights=True), "multihead-attention-weights.onnx", np.random.default_rng(21)
        )
    )
    torch.manual_seed(1523)
    models.append(
        export_attention(
            MultiheadSelfAttention(causal=True), "multihead-attention-causal.onnx", np.random.default_rng(23)
        )
    )
    torch.manual_seed(1524)
    models.append(
        export_attention(
            MultiheadSelfAttention(), "multihead-attention-fixed-batch.onnx", np.random.default_rng(24), dynamic=False
        )
    )
    torch.manual_seed(1522)
    models.append(
        export_attention(EncoderLayerClassifier(), "transformer-encoder-layer.onnx", np.random.default_rng(22))
    )
    with open(os.path.join(OUT, "manifest.json"), "w") as f:
        json.dump({"torch": torch.__version__, "models": models}, f, indent=1)
        f.write("\n")
    # 120 rows, 3 classes: the class is the sign pattern of two feature sums.
    x = rng.standard_normal((120, 8))
    y = (x[:, :4].sum(1) > 0).astype(int) + (x[:, 4:].sum(1) > 1).astype(int)
    with open(os.path.join(OUT, "tabular.csv"), "w") as f:
        f.write(",".join([f"x{i + 1}" for i in range(8)] + ["y"]) + "\n")
        for row, label in zip(x, y):
            f.write(",".join(f"{v:.4f}" for v in row) + f",{label}\n")
    # 150 rows, 3 classes: one wide and one deep feature sum decide the class together.
    rng2 = np.random.default_rng(16)
    wide = rng2.standard_normal((150, 4))
    deep = rng2.standard_normal((150, 6))
    label = (wide[:, :2].sum(1) > 0).astype(int) + (deep[:, :3].sum(1) * wide[:, 3] > 0).astype(int)
    with open(os.path.join(OUT, "two-input.csv"), "w") as f:
        f.write(",".join([f"wide_{i + 1}" for i in range(4)] + [f"deep_{i + 1}" for i in range(6)] + ["y"]) + "\n")
        for w, d, c in zip(wide, deep, label):
            f.write(",".join(f"{v:.4f}" for v in list(w) + list(d)) + f",{c}\n")

    # 150 rows of 5 tokens x 16 features, 3 classes: whether the first token's first feature
    # beats the last token's, and whether the tokens' second features sum above 0.
    rng3 = np.random.default_rng(19)
    tokens = rng3.standard_normal((150, 5, 16))
    label = (tokens[:, 0, 0] > tokens[:, 4, 0]).astype(int) + (tokens[:, :, 1].sum(1) > 0).astype(int)
    with open(os.path.join(OUT, "attention.csv"), "w") as f:
        f.write(",".join([f"x{i + 1}" for i in range(80)] + ["y"]) + "\n")
        for row, c in zip(tokens.reshape(150, 80), label):
            f.write(",".join(f"{v:.4f}" for v in row) + f",{c}\n")


if __name__ == "__main__":
    main()
