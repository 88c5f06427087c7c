#!/usr/bin/python3
"""The physical anchor: the benchmark's training step in NumPy on single-thread OpenBLAS.

`/usr/bin/python3 bench/numpy-child.py <workload.json>` (bench/harness.ts writes the file from
bench/workloads.ts, so the network, weights and data are the very ones the other implementations
train) prints one line `BENCH_RESULT {json}` like the other children. float32 throughout; matrix
products (dense layers, convolutions as im2col products) go to BLAS, the rest is vectorised NumPy.
The parent starts it with OPENBLAS_NUM_THREADS=1 and the OpenBLAS directory on LD_LIBRARY_PATH;
this process checks that OpenBLAS is what NumPy loaded and says which kernel it runs.
"""
import ctypes
import json
import sys
import time

MARKER = "BENCH_RESULT "


def emit(result):
    sys.stdout.write(MARKER + json.dumps(result) + "\n")


def blas_info():
    """(description, problem): which BLAS NumPy loaded, its kernel and threads; problem if not OpenBLAS."""
    try:
        import threadpoolctl  # noqa: F401  (if present it knows best)

        infos = threadpoolctl.threadpool_info()
        blas = [i for i in infos if i.get("user_api") == "blas"]
        if blas:
            b = blas[0]
            if b.get("internal_api") != "openblas":
                return None, f"NumPy's BLAS is {b.get('internal_api')}, not OpenBLAS"
            return f"OpenBLAS {b.get('version')} {b.get('architecture')}, {b.get('num_threads')} thread(s)", None
    except ImportError:
        pass
    maps = open("/proc/self/maps").read().splitlines()
    libs = sorted({line.split()[-1] for line in maps if "blas" in line.lower() and line.split()[-1].startswith("/")})
    for path in libs:
        lib = ctypes.CDLL(path)
        if hasattr(lib, "openblas_get_config"):
            lib.openblas_get_config.restype = ctypes.c_char_p
            lib.openblas_get_corename.restype = ctypes.c_char_p
            config = lib.openblas_get_config().decode()
            version = config.split()[1] if config.startswith("OpenBLAS") else config
            return (
                f"OpenBLAS {version} {lib.openblas_get_corename().decode()}, {lib.openblas_get_num_threads()} thread(s)",
                None,
            )
    return None, f"NumPy's BLAS is {', '.join(libs) or 'unknown'}, not OpenBLAS: apt-get install libopenblas0-serial"


def main():
    import numpy as np
    from numpy.lib.stride_tricks import sliding_window_view

    spec = json.load(open(sys.argv[1]))
    name = spec["name"]
    info, problem = blas_info()
    if problem:
        emit({"workload": name, "impl": "numpy", "timing": None, "unavailable": problem})
        return
    f32 = lambda v: np.asarray(v, dtype=np.float32)  # noqa: E731
    batch = spec["batch"]
    x = f32(spec["x"]).reshape([batch] + spec["inputShape"])
    y = np.asarray(spec["y"])
    lr = np.float32(spec["lr"])

    def conv_forward(h, w, b, pad):
        k = w.shape[2]
        if pad:
            h = np.pad(h, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
        n, c, hh, ww = h.shape
        oh, ow = hh - k + 1, ww - k + 1
        cols = sliding_window_view(h, (k, k), axis=(2, 3)).transpose(0, 2, 3, 1, 4, 5).reshape(n * oh * ow, c * k * k)
        out = cols @ w.reshape(w.shape[0], -1).T + b
        return out.reshape(n, oh, ow, -1).transpose(0, 3, 1, 2), cols

    def conv_backward(g, cols, w, in_shape, pad):
        o, c, k, _ = w.shape
        n, _, oh, ow = g.shape
        g2 = g.transpose(0, 2, 3, 1).reshape(-1, o)
        dw = (g2.T @ cols).reshape(w.shape)
        db = g2.sum(axis=0)
        dcols = (g2 @ w.reshape(o, -1)).reshape(n, oh, ow, c, k, k)
        dx = np.zeros((n, c, in_shape[2] + 2 * pad, in_shape[3] + 2 * pad), dtype=np.float32)
        for i in range(k):
            for j in range(k):
                dx[:, :, i : i + oh, j : j + ow] += dcols[:, :, :, :, i, j].transpose(0, 3, 1, 2)
        if pad:
            dx = dx[:, :, pad:-pad, pad:-pad]
        return dx, dw, db

    def pool_forward(h, p):
        n, c, hh, ww = h.shape
        oh, ow = hh // p, ww // p
        windows = h[:, :, : oh * p, : ow * p].reshape(n, c, oh, p, ow, p)
        out = windows.max(axis=(3, 5))
        return out, (windows == out[:, :, :, None, :, None], h.shape)

    def pool_backward(g, saved, p):
        mask, shape = saved
        dx = np.zeros(shape, dtype=np.float32)
        n, c, oh, _, ow, _ = mask.shape
        dx[:, :, : oh * p, : ow * p] = (mask * g[:, :, :, None, :, None]).reshape(n, c, oh * p, ow * p)
        return dx

    def unpool(g, shape, saved, p):
        """The gradient before a layer's (optional) pool, from the one after it (maybe flat)."""
        if saved is None:
            return g.reshape(shape)
        n, c, hh, ww = shape
        return pool_backward(g.reshape(n, c, hh // p, ww // p), saved, p)

    def act(h, a):
        return np.maximum(h, 0) if a == "relu" else np.tanh(h) if a == "tanh" else h

    def act_backward(g, out, a):
        return g * (out > 0) if a == "relu" else g * (1 - out * out) if a == "tanh" else g

    params = []
    layers = []
    for l in spec["layers"]:
        if l["kind"] == "dense":
            p = {"w": f32(l["w"]).reshape(l["in"], l["out"]), "b": f32(l["b"])}
        elif l["kind"] == "conv":
            k = l["kernel"]
            p = {"w": f32(l["w"]).reshape(l["outChannels"], l["inChannels"], k, k), "b": f32(l["b"])}
        elif l["kind"] == "attention":
            p = {}
            for proj in ("q", "k", "v", "out"):
                d = l[proj]
                p["w" + proj], p["b" + proj] = f32(d["w"]).reshape(d["in"], d["out"]), f32(d["b"])
        else:
            c, k = l["channels"], l["kernel"]
            p = {
                "w1": f32(l["w1"]).reshape(c, c, k, k),
                "b1": f32(l["b1"]),
                "w2": f32(l["w2"]).reshape(c, c, k, k),
                "b2": f32(l["b2"]),
            }
        layers.append((l, p))
        params.append(p)

    def forward_backward(train):
        h = x
        tape = []
        for l, p in layers:
            if l["kind"] == "dense":
                inp = h.reshape(batch, -1)
                h = act(inp @ p["w"] + p["b"], l.get("activation"))
                tape.append((inp, h))
            elif l["kind"] == "attention":
                t, d, heads = l["tokens"], l["dim"], l["heads"]
                flat = h.reshape(batch * t, d)
                split = lambda v: v.reshape(batch, t, heads, d // heads).transpose(0, 2, 1, 3)  # noqa: E731
                q, k, v = (split(flat @ p["w" + n] + p["b" + n]) for n in ("q", "k", "v"))
                s = q @ k.transpose(0, 1, 3, 2)
                e = np.exp(s - s.max(axis=-1, keepdims=True))
                pr = e / e.sum(axis=-1, keepdims=True)
                merged = (pr @ v).transpose(0, 2, 1, 3).reshape(batch * t, d)
                tape.append((flat, q, k, v, pr, merged))
                h = h + (merged @ p["wout"] + p["bout"]).reshape(batch, t, d)
            elif l["kind"] == "conv":
                z, cols = conv_forward(h, p["w"], p["b"], l["padding"])
                a = act(z, l.get("activation"))
                pooled, saved = pool_forward(a, l["pool"]) if l["pool"] > 1 else (a, None)
                tape.append((h.shape, cols, a, saved))
                h = pooled
            else:
                pad = (l["kernel"] - 1) // 2
                z1, cols1 = conv_forward(h, p["w1"], p["b1"], pad)
                a1 = np.maximum(z1, 0)
                z2, cols2 = conv_forward(a1, p["w2"], p["b2"], pad)
                out = np.maximum(h + z2, 0)
                pooled, saved = pool_forward(out, l["pool"]) if l["pool"] > 1 else (out, None)
                tape.append((h.shape, cols1, a1, cols2, out, saved))
                h = pooled
        if spec["loss"] == "mse":
            target = y.astype(np.float32).reshape(h.shape)
            diff = h - target
            loss = float(np.mean(diff * diff))
            g = (2 / diff.size) * diff
        else:
            z = h - h.max(axis=1, keepdims=True)
            e = np.exp(z)
            s = e.sum(axis=1, keepdims=True)
            labels = y.astype(np.int64)
            loss = float(np.mean(np.log(s[:, 0]) - z[np.arange(batch), labels]))
            g = e / s
            g[np.arange(batch), labels] -= 1
            g /= batch
        if not train:
            return loss
        g = g.astype(np.float32)
        for (l, p), saved in zip(reversed(layers), reversed(tape)):
            if l["kind"] == "dense":
                inp, out = saved
                g = act_backward(g, out, l.get("activation"))
                p["dw"], p["db"] = inp.T @ g, g.sum(axis=0)
                g = g @ p["w"].T
            elif l["kind"] == "attention":
                flat, q, k, v, pr, merged = saved
                t, d, heads = l["tokens"], l["dim"], l["heads"]
                g = g.reshape(batch, t, d)
                gy = g.reshape(batch * t, d)
                p["dwout"], p["dbout"] = merged.T @ gy, gy.sum(axis=0)
                go = (gy @ p["wout"].T).reshape(batch, t, heads, d // heads).transpose(0, 2, 1, 3)
                gp = go @ v.transpose(0, 1, 3, 2)
                gv = pr.transpose(0, 1, 3, 2) @ go
                gs = pr * (gp - (gp * pr).sum(axis=-1, keepdims=True))
                gq, gk = gs @ k, gs.transpose(0, 1, 3, 2) @ q
                gx = np.zeros_like(flat)
                for n, gh in (("q", gq), ("k", gk), ("v", gv)):
                    gf = gh.transpose(0, 2, 1, 3).reshape(batch * t, d)
                    p["dw" + n], p["db" + n] = flat.T @ gf, gf.sum(axis=0)
                    gx += gf @ p["w" + n].T
                g = g + gx.reshape(batch, t, d)
            elif l["kind"] == "conv":
                in_shape, cols, a, pool = saved
                g = act_backward(unpool(g, a.shape, pool, l["pool"]), a, l.get("activation"))
                g, p["dw"], p["db"] = conv_backward(g, cols, p["w"], in_shape, l["padding"])
            else:
                in_shape, cols1, a1, cols2, out, pool = saved
                g = unpool(g, out.shape, pool, l["pool"]) * (out > 0)
                pad = (l["kernel"] - 1) // 2
                ga1, p["dw2"], p["db2"] = conv_backward(g, cols2, p["w2"], a1.shape, pad)
                gx, p["dw1"], p["db1"] = conv_backward(ga1 * (a1 > 0), cols1, p["w1"], in_shape, pad)
                g = g + gx
        for p in params:
            for key in [k for k in p if not k.startswith("d")]:
                p[key] -= lr * p["d" + key]
        return loss

    def step():
        forward_backward(True)

    before = forward_backward(False)
    warmup_ms, run_ms, runs = (float(v) for v in (sys.argv[2] if len(sys.argv) > 2 else "600,250,7").split(","))
    t0 = time.perf_counter()
    warm = 0
    elapsed = lambda: (time.perf_counter() - t0) * 1000  # noqa: E731
    while warm < 3 or elapsed() < warmup_ms or (warm < 10 and elapsed() < 10 * warmup_ms):
        step()
        warm += 1
    per_step = elapsed() / warm
    steps = max(1, round(run_ms / per_step))
    times = []
    for _ in range(int(runs)):
        s = time.perf_counter()
        for _ in range(steps):
            step()
        times.append((time.perf_counter() - s) * 1000 / steps)
    emit(
        {
            "workload": name,
            "impl": "numpy",
            "timing": {
                "msPerStep": sorted(times)[len(times) // 2],
                "runs": times,
                "stepsPerRun": steps,
                "bytesPerStep": None,
            },
            "lossBefore": before,
            "lossAfter": forward_backward(False),
            "detail": f"NumPy {np.__version__}, {info}",
        }
    )


main()
