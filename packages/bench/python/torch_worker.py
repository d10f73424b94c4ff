"""The bench's PyTorch reference: one long-lived process that builds and times the bench workloads.

Started by packages/bench/src/frameworks/torchWorker.ts. Protocol over stdin/stdout, one request at
a time, answered in order:
  request: one line of JSON, {"op": ..., "bytes": [n0, n1, ...], ...}, then n0 + n1 + ... raw bytes
           (little-endian float32 / int32 arrays, in the order the op lists them);
  reply:   one line of JSON, {"ok": true, "bytes": n, ...} or {"error": "..."}, then n raw bytes.
The first reply, sent unasked, is {"ok": true, "torch": version, "threads": default threads}, or
{"error": ...} when torch does not import.

Timings are taken here (time.perf_counter, or time.process_time for --clock=cpu) by the same
sampling procedure as Sampler.round in src/measure.ts, so process start-up and IPC are never timed.
"""

import ctypes
import json
import math
import os
import sys
import time

# Replies go to a private copy of stdout; anything else that prints (torch included) goes to stderr.
PROTOCOL = os.fdopen(os.dup(1), "wb")
os.dup2(2, 1)
sys.stdout = sys.stderr


def reply(header, payload=b""):
    header = dict(header, bytes=len(payload))
    PROTOCOL.write(json.dumps(header).encode() + b"\n" + payload)
    PROTOCOL.flush()


try:
    import warnings

    warnings.filterwarnings("ignore", message=".*NumPy.*")
    import torch
    import torch.nn.functional as F
except Exception as e:  # noqa: BLE001 - the reason is the reply
    reply({"error": f"{type(e).__name__}: {e}"})
    sys.exit(0)

DEFAULT_THREADS = torch.get_num_threads()


def floats(raw, *shape):
    # bytearray: torch.frombuffer wants a writable buffer.
    return torch.frombuffer(bytearray(raw), dtype=torch.float32).reshape(*shape).clone()


def ints(raw):
    return torch.frombuffer(bytearray(raw), dtype=torch.int32).long()


def raw_bytes(t):
    # No numpy needed: copy the tensor's memory out directly (same machine, so same byte order).
    t = t.contiguous()
    return ctypes.string_at(t.data_ptr(), t.numel() * t.element_size())


class Product:
    def __init__(self, req, raw):
        n = req["n"]
        self.a, self.b = floats(raw[0], n, n), floats(raw[1], n, n)

    def run(self):
        torch.matmul(self.a, self.b)

    def result(self):
        return raw_bytes(torch.matmul(self.a, self.b))


class Trainer:
    """A model, its batch and plain SGD; bench weights are stored [in, out], nn.Linear's [out, in]."""

    def __init__(self, model, x, labels, lr):
        self.model, self.x, self.labels = model, x, labels
        self.opt = torch.optim.SGD(model.parameters(), lr=lr)

    def step(self):
        loss = F.cross_entropy(self.model(self.x), self.labels)
        self.opt.zero_grad()
        loss.backward()
        self.opt.step()
        return loss.item()

    run = step


def linear(w, b, fan_in, fan_out):
    layer = torch.nn.Linear(fan_in, fan_out)
    with torch.no_grad():
        layer.weight.copy_(w.reshape(fan_in, fan_out).t())
        layer.bias.copy_(b)
    return layer


def mlp(req, raw):
    batch, (i, h, o) = req["batch"], req["sizes"]
    x, labels, w1, b1, w2, b2 = raw
    model = torch.nn.Sequential(
        linear(floats(w1, i, h), floats(b1, h), i, h),
        torch.nn.ReLU(),
        linear(floats(w2, h, o), floats(b2, o), h, o),
    )
    return Trainer(model, floats(x, batch, i), ints(labels), req["lr"])


def conv(req, raw):
    n, s, c, classes = req["batch"], req["size"], req["channels"], req["classes"]
    x, labels, w_conv, b_conv, w_fc, b_fc = raw
    layer = torch.nn.Conv2d(1, c, 3, padding=1)
    with torch.no_grad():
        layer.weight.copy_(floats(w_conv, c, 1, 3, 3))
        layer.bias.copy_(floats(b_conv, c))
    fc_in = c * (s // 2) ** 2
    model = torch.nn.Sequential(
        layer,
        torch.nn.ReLU(),
        torch.nn.MaxPool2d(2, 2),
        torch.nn.Flatten(),
        linear(floats(w_fc, fc_in, classes), floats(b_fc, classes), fc_in, classes),
    )
    return Trainer(model, floats(x, n, 1, s, s), ints(labels), req["lr"])


class Conv2dPass:
    """F.conv2d forward, loss sum(y * g) and backward to x, weight and bias; no update."""

    def __init__(self, req, raw):
        n, c, o, s, k = req["batch"], req["inChannels"], req["outChannels"], req["size"], req["kernel"]
        self.padding = req["padding"]
        x, w, b, g = raw
        self.x = floats(x, n, c, s, s).requires_grad_()
        self.w = floats(w, o, c, k, k).requires_grad_()
        self.b = floats(b, o).requires_grad_()
        self.g = floats(g, n, o, s, s)

    def step(self):
        # Gradients are replaced each pass, not accumulated (zero_grad(set_to_none=True)).
        self.x.grad = self.w.grad = self.b.grad = None
        loss = (F.conv2d(self.x, self.w, self.b, padding=self.padding) * self.g).sum()
        loss.backward()
        return loss.item()

    run = step

    def result(self):
        """One more pass: its loss, and dx, dW, db back to back as the payload."""
        loss = self.step()
        return {"loss": loss}, b"".join(raw_bytes(t.grad) for t in (self.x, self.w, self.b))


class LastHidden(torch.nn.Module):
    """An LSTM and a linear head on its final hidden state."""

    def __init__(self, lstm, fc):
        super().__init__()
        self.lstm, self.fc = lstm, fc

    def forward(self, x):
        _, (h, _) = self.lstm(x)
        return self.fc(h[-1])


def lstm(req, raw):
    n, t, i, h, classes = req["batch"], req["steps"], req["input"], req["hidden"], req["classes"]
    x, labels, w_ih, w_hh, b_ih, b_hh, w_fc, b_fc = raw
    layer = torch.nn.LSTM(i, h)
    with torch.no_grad():
        layer.weight_ih_l0.copy_(floats(w_ih, 4 * h, i))
        layer.weight_hh_l0.copy_(floats(w_hh, 4 * h, h))
        layer.bias_ih_l0.copy_(floats(b_ih, 4 * h))
        layer.bias_hh_l0.copy_(floats(b_hh, 4 * h))
    model = LastHidden(layer, linear(floats(w_fc, h, classes), floats(b_fc, classes), h, classes))
    return Trainer(model, floats(x, t, n, i), ints(labels), req["lr"])


def time_round(fn, plan):
    """One round of samples, as Sampler.round in src/measure.ts: returns (times in ms, slow)."""
    clock = time.process_time if plan["clock"] == "cpu" else time.perf_counter
    now = lambda: clock() * 1000.0  # noqa: E731
    wall = lambda: time.perf_counter() * 1000.0  # noqa: E731
    times = []
    if plan.get("slow") is True:
        # One run per round: a run this long is its own warm-up.
        t0 = now()
        fn()
        return [now() - t0], True
    wall0 = wall()
    t0 = now()
    fn()
    runs = 1
    if plan.get("slow") is None and now() - t0 > plan["slowMs"]:
        t0 = now()
        fn()
        return [now() - t0], True
    while runs < 2 or wall() - wall0 < plan["warmupMs"]:
        fn()
        runs += 1
    per_run = (now() - t0) / runs
    runs_per_sample = max(1, math.ceil(plan["minSampleMs"] / max(per_run, 1e-3)))
    start = wall()
    n = 0
    while n < plan["minSamples"] or wall() - start < plan["minTimeMs"]:
        t0 = now()
        for _ in range(runs_per_sample):
            fn()
        times.append((now() - t0) / runs_per_sample)
        n += 1
    return times, False


class OpChain:
    """The per-op overhead: a chain of scalar adds y = y + x from x (requires grad), then backward."""

    def __init__(self, req, raw):
        self.length = req["length"]
        self.x = torch.tensor(req["x"], requires_grad=True)

    def step(self):
        self.x.grad = None
        y = self.x
        for _ in range(self.length):
            y = y + self.x
        y.backward()
        return self.x.grad.item()

    run = step


BUILDERS = {"matmul": Product, "mlp": mlp, "conv": conv, "lstm": lstm, "conv2d": Conv2dPass, "ops": OpChain}


def handle(req, raw, objects):
    op = req["op"]
    if "threads" in req:
        torch.set_num_threads(req["threads"])
    if op in BUILDERS:
        objects[req["id"]] = BUILDERS[op](req, raw)
        return {"ok": True}, b""
    if op == "dispose":
        objects.pop(req["id"], None)
        return {"ok": True}, b""
    if op not in ("result", "step", "time"):
        raise ValueError(f"unknown op '{op}'")
    target = objects.get(req.get("id"))
    if target is None:
        raise ValueError(f"{op}: no object with id {req.get('id')}")
    if op == "result":
        out = target.result()
        # A result is its bytes, or (extra header fields, bytes).
        extra, payload = out if isinstance(out, tuple) else ({}, out)
        return {"ok": True, **extra}, payload
    if op == "step":
        return {"ok": True, "loss": target.step()}, b""
    times, slow = time_round(target.run, req["plan"])
    return {"ok": True, "times": times, "slow": slow}, b""


def main():
    stdin = sys.stdin.buffer
    reply({"ok": True, "torch": torch.__version__, "threads": DEFAULT_THREADS})
    objects = {}
    while True:
        line = stdin.readline()
        if not line:
            return  # the bench closed our stdin (or exited)
        req = json.loads(line)
        raw = [stdin.read(k) for k in req.get("bytes", [])]
        try:
            header, payload = handle(req, raw, objects)
        except Exception as e:  # noqa: BLE001 - reported to the bench as this request's error
            header, payload = {"error": f"{type(e).__name__}: {e}"}, b""
        reply(header, payload)


main()
