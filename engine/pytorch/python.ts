/**
 * The parts of the exported PyTorch package that are the same for every graph: data.py, train.py
 * (its settings block is filled in by export.ts) and the README. Written for PyTorch 1.13 (Debian's,
 * what CI runs) and 2.x alike: nothing newer than 1.13 is used.
 */

export const DATA_PY = String.raw`"""The graph's dataset as the engine made it, and the engine's batch order.

data.json holds the samples the engine generated (or read) and split with the graph's seed, so
nothing here regenerates them. BatchOrder reproduces the engine's seeded shuffle bit for bit
(mulberry32 and Fisher-Yates, engine/tensor/random.ts and engine/data/dataset.ts), so an epoch
visits the samples in the same order as backprop-studio train.
"""
import base64
import json
import os
from collections import namedtuple

import torch

HERE = os.path.dirname(os.path.abspath(__file__))

# x: the samples [N, ...]; y: the targets as the loss takes them; labels: class indices (or None).
Split = namedtuple("Split", "x y labels")
Data = namedtuple("Data", "name task classes train validation")


def load_data(dtype, device, target_shape):
    with open(os.path.join(HERE, "data.json")) as f:
        d = json.load(f)

    def features(part):
        if "pixels" not in part:
            return torch.tensor(part["x"], dtype=torch.float64)
        # 8-bit images: float32((p / 255 - mean) / std), computed as the engine does.
        raw = bytearray(base64.b64decode(part["pixels"]))
        p = torch.frombuffer(raw, dtype=torch.uint8).to(torch.float64)
        scale = d["pixels"]
        return ((p / 255 - scale["mean"]) / scale["std"]).to(torch.float32).to(torch.float64)

    def split(part):
        if part is None:
            return None
        x = features(part).reshape(-1, *d["sample_shape"])
        y = torch.tensor(part["y"], dtype=torch.float64)
        n = x.shape[0]
        # Class indices per sample, or per position of a sequence ([N, T]).
        labels = y.reshape(n, *d["target_shape"]).long() if d["task"] == "classification" else None
        y = y.reshape(n, *target_shape)
        return Split(
            x.to(device=device, dtype=dtype),
            y.to(device=device, dtype=dtype),
            None if labels is None else labels.to(device),
        )

    return Data(d["name"], d["task"], d["classes"], split(d["train"]), split(d["validation"]))


class Mulberry32:
    """The engine's seeded generator: uniform floats in [0, 1), the same sequence for the same seed."""

    def __init__(self, seed):
        self.state = seed & 0xFFFFFFFF

    def next(self):
        self.state = (self.state + 0x6D2B79F5) & 0xFFFFFFFF
        t = self.state
        t = ((t ^ (t >> 15)) * (t | 1)) & 0xFFFFFFFF
        t ^= (t + (((t ^ (t >> 7)) * (t | 61)) & 0xFFFFFFFF)) & 0xFFFFFFFF
        return ((t ^ (t >> 14)) & 0xFFFFFFFF) / 4294967296

    def int(self, n):
        return int(self.next() * n)


class BatchOrder:
    """One permutation of the N training samples per epoch, from one generator seeded once."""

    def __init__(self, seed, n):
        self.rng = Mulberry32(seed)
        self.n = n

    def next_epoch(self):
        p = list(range(self.n))
        for i in range(self.n - 1, 0, -1):
            j = self.rng.int(i + 1)
            p[i], p[j] = p[j], p[i]
        return p
`;

export const TRAIN_PY = String.raw`#!/usr/bin/env python3
"""Trains the exported network with the graph's own settings, on one process or data-parallel.

    python3 train.py [--epochs N] [--dtype float32|float64] [--device cpu|cuda] [--json]
                     [--nproc N] [--weights FILE] [--save-weights FILE]
    torchrun --nproc_per_node N train.py ...

Data-parallel runs use DistributedDataParallel, one process per device (gloo on CPU, nccl on GPU),
started by torchrun (RANK, WORLD_SIZE, LOCAL_RANK) or by --nproc N, which spawns the processes
itself with torch.multiprocessing. Every step trains the graph's batch size in all: each process
takes a contiguous part of the global batch and weighs its loss by its share, so the gradient (and
every number printed) is that of one process training the whole batch.
"""
import argparse
import json
import math
import os
import socket
import sys
import time

import torch
import torch.distributed as dist
import torch.multiprocessing as mp
from torch import nn
from torch.nn.parallel import DistributedDataParallel

from data import BatchOrder, load_data
from model import load_model, model_inputs, save_weights

HERE = os.path.dirname(os.path.abspath(__file__))

# @@SETTINGS@@


def parse_args(argv):
    p = argparse.ArgumentParser(description="Train the exported network with its graph's settings.")
    p.add_argument("--epochs", type=int, default=EPOCHS, help=f"epochs to train (default {EPOCHS})")
    p.add_argument("--dtype", choices=["float32", "float64"], default="float32")
    p.add_argument("--device", choices=["cpu", "cuda"], default="cuda" if torch.cuda.is_available() else "cpu")
    p.add_argument("--json", action="store_true", help="one JSON line per epoch, as backprop-studio train --json")
    p.add_argument("--nproc", type=int, default=1, help="data-parallel processes to spawn (one per device)")
    p.add_argument("--weights", default=os.path.join(HERE, "weights.json"), help="weights to start from")
    p.add_argument("--save-weights", default=None, help="where to write the trained weights")
    a = p.parse_args(argv)
    if a.epochs < 1 or a.nproc < 1:
        p.error("--epochs and --nproc must be at least 1")
    return a


# Optimiser and schedule: torch.optim's update rules, with the learning rate set before each epoch
# (or step, for one_cycle) from the schedule's closed form, exactly as the engine sets it.


def make_optimizer(params):
    o = dict(OPTIMIZER)
    kind, lr = o.pop("kind"), o.pop("lr")
    if kind == "sgd":
        return torch.optim.SGD(params, lr=lr, momentum=o.get("momentum", 0), dampening=o.get("dampening", 0),
                               nesterov=o.get("nesterov", False), weight_decay=o.get("weightDecay", 0))
    if kind in ("adam", "adamw"):
        cls = torch.optim.Adam if kind == "adam" else torch.optim.AdamW
        return cls(params, lr=lr, betas=tuple(o.get("betas", (0.9, 0.999))), eps=o.get("eps", 1e-8),
                   weight_decay=o.get("weightDecay", 0 if kind == "adam" else 0.01), amsgrad=o.get("amsgrad", False))
    if kind == "rmsprop":
        return torch.optim.RMSprop(params, lr=lr, alpha=o.get("alpha", 0.99), eps=o.get("eps", 1e-8),
                                   momentum=o.get("momentum", 0), weight_decay=o.get("weightDecay", 0))
    if kind == "adagrad":
        return torch.optim.Adagrad(params, lr=lr, eps=o.get("eps", 1e-10), weight_decay=o.get("weightDecay", 0))
    raise ValueError(f"unknown optimizer {kind}")


def schedule_unit():
    return "step" if SCHEDULE and SCHEDULE["kind"] == "one_cycle" else "epoch"


def learning_rate(t, total_steps):
    """The learning rate after t scheduler steps (PyTorch's lr_scheduler closed forms)."""
    base = OPTIMIZER["lr"]
    s = SCHEDULE
    if not s or s["kind"] == "constant":
        return base
    k = s["kind"]
    if k == "step":
        return base * s["gamma"] ** (t // s["stepSize"])
    if k == "exponential":
        return base * s["gamma"] ** t
    if k == "cosine":
        eta_min = s.get("etaMin", 0)
        return eta_min + (base - eta_min) * (1 + math.cos(math.pi * t / s["tMax"])) / 2
    if k == "linear_warmup":
        start, end, n = s["startFactor"], s.get("endFactor", 1), s["totalIters"]
        return base * (start + (end - start) * min(t, n) / n)
    if k == "one_cycle":
        total = s.get("totalSteps") or total_steps
        pct, div, final_div = s.get("pctStart", 0.3), s.get("divFactor", 25), s.get("finalDivFactor", 1e4)
        initial = s["maxLr"] / div
        low = initial / final_div
        phases = [(pct * total - 1, initial, s["maxLr"]), (total - 1, s["maxLr"], low)]
        t = min(t, total - 1)
        start = 0
        for i, (end, a, b) in enumerate(phases):
            if t <= end or i == len(phases) - 1:
                pct_done = (t - start) / (end - start)
                return b + (a - b) / 2 * (math.cos(math.pi * pct_done) + 1)
            start = end
    raise ValueError(f"unknown schedule {k}")


# Data-parallel plumbing.


class World:
    def __init__(self, rank, size, device):
        self.rank, self.size, self.device = rank, size, device

    def sum(self, values):
        """The sums over all processes of a few numbers (float64)."""
        t = torch.tensor(values, dtype=torch.float64, device=self.device)
        if self.size > 1:
            dist.all_reduce(t)
        return t.tolist()

    def part(self, rows):
        """This process's contiguous part of a global batch (sizes differ by at most one)."""
        n = len(rows)
        lo = self.rank * n // self.size
        hi = (self.rank + 1) * n // self.size
        return rows[lo:hi]


def predictions_correct(pred, labels):
    """Correct class guesses: argmax of the logits, or logit > 0 for a single one (as the engine).
    With a label per position (logits [N, C, ...]), each sample counts the fraction it gets right."""
    if labels.dim() > 1:
        right = (pred.detach().argmax(dim=1) == labels).float()
        return float(right.reshape(labels.shape[0], -1).mean(dim=1).sum())
    flat = pred.detach().reshape(pred.shape[0], -1)
    guess = (flat[:, 0] > 0).long() if flat.shape[1] == 1 else flat.argmax(dim=1)
    return int((guess == labels).sum())


def evaluate(model, split, classification):
    """Loss (and accuracy) on a whole split in evaluation mode, in chunks as the engine evaluates."""
    n = split.x.shape[0]
    size = min(n, max(BATCH_SIZE, 256))
    loss_sum, correct = 0.0, 0
    model.eval()
    with torch.no_grad():
        for start in range(0, n, size):
            stop = min(n, start + size)
            pred, loss = model(*model_inputs(split.x[start:stop]), split.y[start:stop])
            loss_sum += float(loss) * (stop - start)
            if classification:
                correct += predictions_correct(pred, split.labels[start:stop])
    model.train()
    out = {"loss": loss_sum / n}
    if classification:
        out["accuracy"] = correct / n
    return out


def metrics_json(train, val):
    m = dict(train)
    if val is not None:
        m["val_loss"] = val["loss"]
        if "accuracy" in val:
            m["val_accuracy"] = val["accuracy"]
    return m


def describe(m):
    parts = [f"loss {m['loss']:.4f}"]
    if "accuracy" in m:
        parts.append(f"accuracy {100 * m['accuracy']:.1f}%")
    if "val_loss" in m:
        parts.append(f"val_loss {m['val_loss']:.4f}")
    if "val_accuracy" in m:
        parts.append(f"val_accuracy {100 * m['val_accuracy']:.1f}%")
    return "  ".join(parts)


def train(args, world):
    dtype = torch.float64 if args.dtype == "float64" else torch.float32
    device = world.device
    torch.manual_seed(SEED)
    data = load_data(dtype, device, TARGET_SHAPE)
    classification = data.task == "classification"
    model = load_model(args.weights, dtype).to(device)
    if world.size > 1:
        if device.type == "cuda":
            # Batch statistics over the whole batch across GPUs (SyncBatchNorm runs on CUDA only in 1.13).
            model = nn.SyncBatchNorm.convert_sync_batchnorm(model)
        net = DistributedDataParallel(model, device_ids=[device.index] if device.type == "cuda" else None)
    else:
        net = model
    optimizer = make_optimizer(model.parameters())
    params = [p for p in model.parameters()]
    say = print if world.rank == 0 else (lambda *a, **k: None)

    n = data.train.x.shape[0]
    batches = math.ceil(n / BATCH_SIZE)
    order = BatchOrder(SEED, n)
    unit = schedule_unit()
    steps, history, status, error = 0, [], "completed", None
    best, since_best = math.inf, 0
    if not args.json:
        say(f"training {data.name}: {args.epochs} epochs, seed {SEED}, {args.dtype}, "
            f"{world.size} process{'es' if world.size > 1 else ''} on {device.type}")
    t0 = time.perf_counter()
    net.train()
    for epoch in range(1, args.epochs + 1):
        if unit == "epoch":
            for g in optimizer.param_groups:
                g["lr"] = learning_rate(epoch - 1, args.epochs * batches)
        perm = order.next_epoch()
        loss_sum, correct, seen = 0.0, 0, 0
        for start in range(0, n, BATCH_SIZE):
            rows = perm[start:start + BATCH_SIZE]
            mine = world.part(rows)
            # A process with no share of a tiny last batch still joins the step, with weight 0.
            share = len(mine) / len(rows) if mine else 0.0
            idx = torch.tensor(mine or rows[:1], device=device)
            pred, loss = net(*model_inputs(data.train.x[idx]), data.train.y[idx])
            steps += 1
            batch_loss, batch_correct = world.sum([
                float(loss) * (share if LOSS_REDUCTION == "mean" else (1.0 if mine else 0.0)),
                predictions_correct(pred, data.train.labels[idx]) if classification and mine else 0,
            ])
            if not math.isfinite(batch_loss):
                status, error = "diverged", f"training stopped at step {steps} (epoch {epoch}): the loss became {batch_loss}"
                break
            # DDP averages the gradients over processes; weighing each loss by world size x share
            # makes the average the gradient of the whole batch's loss.
            weight = world.size * share if LOSS_REDUCTION == "mean" else (world.size if mine else 0.0)
            optimizer.zero_grad()
            (loss * weight).backward()
            if not all(bool(torch.isfinite(p.grad).all()) for p in params if p.grad is not None):
                status, error = "diverged", f"training stopped at step {steps} (epoch {epoch}): a gradient became NaN or Infinity"
                break
            correct += float(batch_correct)
            loss_sum += batch_loss * len(rows)
            seen += len(rows)
            if CLIP_GRAD_NORM is not None:
                torch.nn.utils.clip_grad_norm_(params, CLIP_GRAD_NORM)
            if unit == "step":
                for g in optimizer.param_groups:
                    g["lr"] = learning_rate(steps - 1, args.epochs * batches)
            optimizer.step()
        if status == "diverged":
            break
        m = {"loss": loss_sum / seen}
        if classification:
            m["accuracy"] = correct / seen
        val = evaluate(model, data.validation, classification) if data.validation is not None else None
        m = metrics_json(m, val)
        history.append(m)
        if args.json:
            say(json.dumps({"epoch": epoch, **m}, separators=(",", ":")), flush=True)
        else:
            say(f"epoch {epoch}/{args.epochs}  {describe(m)}", flush=True)
        if EARLY_STOPPING:
            watched = m.get("val_loss", m["loss"])
            if watched < best - EARLY_STOPPING.get("minDelta", 0):
                best, since_best = watched, 0
            else:
                since_best += 1
                if since_best >= EARLY_STOPPING["patience"]:
                    status = "early_stopped"
                    break
    seconds = time.perf_counter() - t0
    final = metrics_json(
        evaluate(model, data.train, classification),
        evaluate(model, data.validation, classification) if data.validation is not None else None,
    )
    if args.json:
        line = {"final": True, "status": status, "epochs": len(history), "steps": steps, **final,
                "seconds": round(seconds, 3)}
        if error:
            line["error"] = error
        say(json.dumps(line, separators=(",", ":")), flush=True)
    else:
        if status == "early_stopped":
            say(f"stopped early after {len(history)} epochs (no improvement)")
        say(f"final: {describe(final)}  ({seconds:.2f} s)")
    if error:
        print(error, file=sys.stderr)
        return 1
    if world.rank == 0:
        path = args.save_weights or os.path.join(HERE, SAVE_WEIGHTS)
        if not args.save_weights and not os.path.isdir(os.path.dirname(path)):
            path = os.path.join(HERE, "trained.weights.json")
        save_weights(model, path)
        if not args.json:
            say(f"weights written to {path}")
    return 0


def run(args, rank, size, local_rank):
    """One process: joins the process group when there are several, trains, leaves."""
    if args.device == "cuda":
        if not torch.cuda.is_available():
            sys.exit("--device cuda: no CUDA device here; use --device cpu")
        device = torch.device("cuda", local_rank)
        torch.cuda.set_device(device)
    else:
        device = torch.device("cpu")
    if size > 1:
        dist.init_process_group("nccl" if device.type == "cuda" else "gloo", rank=rank, world_size=size)
    try:
        return train(args, World(rank, size, device))
    finally:
        if size > 1:
            dist.destroy_process_group()


def _spawned(local_rank, args, size, port):
    os.environ["MASTER_ADDR"] = "127.0.0.1"
    os.environ["MASTER_PORT"] = str(port)
    code = run(args, local_rank, size, local_rank)
    if code:
        sys.exit(code)


def _free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _loopback_interface():
    names = {name for _, name in socket.if_nameindex()}
    return next((n for n in ("lo", "lo0") if n in names), None)


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if "WORLD_SIZE" in os.environ:
        # Started by torchrun (or another launcher that sets the usual variables).
        return run(args, int(os.environ["RANK"]), int(os.environ["WORLD_SIZE"]), int(os.environ.get("LOCAL_RANK", 0)))
    if args.nproc > 1:
        if args.device == "cuda" and torch.cuda.device_count() < args.nproc:
            sys.exit(f"--nproc {args.nproc} needs {args.nproc} CUDA devices; this machine has {torch.cuda.device_count()}")
        # Processes on this machine talk over the loopback interface only.
        lo = _loopback_interface()
        if lo and "GLOO_SOCKET_IFNAME" not in os.environ:
            os.environ["GLOO_SOCKET_IFNAME"] = lo
        mp.spawn(_spawned, args=(args, args.nproc, _free_port()), nprocs=args.nproc, join=True)
        return 0
    return run(args, 0, 1, 0)


if __name__ == "__main__":
    sys.exit(main())
`;

export const README_MD = `# @@NAME@@ in PyTorch

Exported by Backprop Studio from \`@@SOURCE@@\`: the network, its data (@@DATA@@) and its training
settings as a small Python package. It starts from @@WEIGHTS@@.

| file | what it is |
| --- | --- |
| \`model.py\` | \`Model\`, a \`torch.nn.Module\` whose submodules are the graph's nodes; \`load_weights\` / \`save_weights\` read and write the project's weights files |
| \`data.py\` | the dataset as the engine made it (from \`data.json\`) and the engine's batch order |
| \`train.py\` | the graph's optimiser, schedule, batch size, epochs, seed, clipping, early stopping and metrics |
| \`weights.json\` | the weights the model starts from (backprop-studio.weights) |
| \`data.json\` | the samples, already split into training and validation as the engine splits them |

## Train

\`\`\`sh
python3 train.py                          # the graph's settings; GPU when there is one
python3 train.py --epochs 5 --dtype float64 --device cpu --json
python3 train.py --nproc 2 --device cpu   # data-parallel: 2 processes (gloo)
torchrun --nproc_per_node 4 train.py      # or started by torchrun (nccl on GPUs)
\`\`\`

\`--json\` prints one line per epoch with the keys of \`backprop-studio train --json\` (\`epoch\`, \`loss\`,
\`accuracy\`, \`val_loss\`, \`val_accuracy\`), then a \`"final": true\` line. The trained weights go
beside the graph (as the editor's **Save weights** does) or wherever \`--save-weights\` says; the
editor's **Load weights**, the analyses, step-through and the exports then use them, and
\`npx backprop-studio train <graph> --weights <file>\` continues from them.

## Same numbers as the engine

The weights come from the engine and the samples from \`data.json\`; \`data.BatchOrder\` is the engine's
seeded shuffle, so each epoch sees the same batches in the same order, and the updates are
torch.optim's, which the engine follows. In float64, \`python3 train.py --dtype float64 --json\` prints
the losses of \`npx backprop-studio train @@SOURCE@@ --dtype float64 --json\` to about 1e-12 (dropout
aside: PyTorch draws its own masks). Data-parallel runs give the same numbers: every process takes a
part of each batch and weighs its loss by its share. Batch norm is the exception there: on GPUs it
becomes SyncBatchNorm (statistics of the whole batch), on CPU each process normalises with the
statistics of its own part.

The code runs on PyTorch 1.13 and 2.x.
`;
