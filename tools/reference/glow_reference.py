#!/usr/bin/python3
"""Independent PyTorch reference of DP-Flow Studio's conditional multi-scale GLOW.

Reads a model written by `dpflow train` (safetensors + model card in its metadata) with its own
safetensors parser, rebuilds the architecture from the card, and
  * checks a `dpflow roundtrip --save FILE` record: decode(latent) against the C++ reconstruction
    (max abs difference, pass if < --tol) and encode(input) against the C++ latent: pass if they
    differ by less than --tol, or if the C++ latent is at least as close to this reference's
    float64 encode as its float32 encode is (the standardised latent reaches |u| ~ 15, where
    float32 rounding alone is ~1e-4);
  * times decode at batch 1 (median of --runs) in eager PyTorch, written the plain way
    (inverse 1x1 weights recomputed per call, ActNorm not folded).

Run with Debian's interpreter, which has python3-torch:
  /usr/bin/python3 tools/reference/glow_reference.py MODEL.safetensors --check RECORD.safetensors
  /usr/bin/python3 tools/reference/glow_reference.py MODEL.safetensors --bench 50 --threads 2
"""
import argparse
import json
import statistics
import struct
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

DTYPES = {"F64": np.float64, "F32": np.float32, "F16": np.float16, "I64": np.int64, "I32": np.int32,
          "I16": np.int16, "I8": np.int8, "U8": np.uint8, "BOOL": np.bool_}


def read_safetensors(path):
    data = open(path, "rb").read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    meta = header.pop("__metadata__", {})
    base = 8 + n
    tensors = {}
    for name, e in header.items():
        b, end = e["data_offsets"]
        arr = np.frombuffer(data[base + b:base + end], dtype=DTYPES[e["dtype"]]).reshape(e["shape"])
        tensors[name] = torch.from_numpy(arr.copy())
    return tensors, meta


def squeeze2(x):
    b, c, h, w = x.shape
    return x.view(b, c, h // 2, 2, w // 2, 2).permute(0, 1, 3, 5, 2, 4).reshape(b, c * 4, h // 2, w // 2)


def unsqueeze2(x):
    b, c, h, w = x.shape
    return x.view(b, c // 4, 2, 2, h, w).permute(0, 1, 4, 2, 5, 3).reshape(b, c // 4, h * 2, w * 2)


class Glow:
    """The architecture of core/flow/glow.h as plain functions over the stored tensors."""

    def __init__(self, tensors, card):
        self.t = tensors
        self.card = card
        a = card["architecture"]
        self.size, self.levels, self.steps = a["image_size"], a["levels"], a["steps_per_level"]
        self.n_bins = a["n_bins"]
        self.min_scale = a.get("coupling_min_scale", 0.0)
        self.logit_alpha = a.get("pixel_logit_alpha", 0.0)  # the flow's first layer (pixel_logit.h); 0: none
        self.attributes = a["attributes"]
        self.cond_dim = sum(len(x["values"]) for x in self.attributes)
        self.layout = [(lv["shape"], lv["offset"]) for lv in card["latent"]["levels"]]
        self.inverse_cache = None  # step prefix -> inverse 1x1 weight, once cache_inverses() ran

    def cache_inverses(self):
        """Computes every step's inverse 1x1 convolution weight once, as a PyTorch user who decodes
        many times would; decode() then uses them instead of inverting per call."""
        self.inverse_cache = {}
        for i in range(self.levels):
            for k in range(self.steps):
                p = f"levels.{i}.steps.{k}.invconv."
                self.inverse_cache[p] = torch.inverse(self.weight(p)).float()[:, :, None, None].contiguous()

    def one_hot(self, values, batch):
        c = torch.zeros(batch, self.cond_dim)
        base = 0
        for attr in self.attributes:
            c[:, base + attr["values"].index(values[attr["name"]])] = 1.0
            base += len(attr["values"])
        return c

    def weight(self, p):
        t = self.t
        lower, upper, log_s = (t[p + n].double() for n in ("lower", "upper", "log_s"))
        eye = torch.eye(lower.shape[0], dtype=torch.float64)
        u = torch.triu(upper, 1) + torch.diag(t[p + "sign_s"].double() * torch.exp(log_s))
        return t[p + "perm"].double() @ (torch.tril(lower, -1) + eye) @ u

    def coupling(self, p, xa, cond):
        t = self.t
        if self.cond_dim:
            xa = torch.cat([xa, cond[:, :, None, None].expand(-1, -1, xa.shape[2], xa.shape[3])], 1)
        h = F.relu(F.conv2d(xa, t[p + "net.0.weight"], t[p + "net.0.bias"], padding=1))
        h = F.relu(F.conv2d(h, t[p + "net.2.weight"], t[p + "net.2.bias"]))
        h = F.conv2d(h, t[p + "net.4.weight"], t[p + "net.4.bias"], padding=1) * torch.exp(t[p + "net.4.logs"] * 3)
        shift, raw = h.chunk(2, 1)
        m = self.min_scale
        return shift, m + (1.0 - m) * torch.sigmoid(raw + 2.0)

    def prior(self, i, h, cond, batch):
        t, p = self.t, f"levels.{i}.prior."
        if p + "base" in t:
            stats = t[p + "base"].expand(batch, -1, -1, -1)
        else:
            stats = F.conv2d(h, t[p + "conv.weight"], t[p + "conv.bias"], padding=1) * torch.exp(t[p + "conv.logs"] * 3)
        if self.cond_dim:
            stats = stats + (cond @ t[p + "cond.weight"].T)[:, :, None, None]
        return stats.chunk(2, 1)

    def encode(self, x, cond):
        blocks, h = [], x
        for i in range(self.levels):
            h = squeeze2(h)
            for k in range(self.steps):
                p = f"levels.{i}.steps.{k}."
                h = (h + self.t[p + "actnorm.loc"]) * torch.exp(self.t[p + "actnorm.logs"])
                w = self.weight(p + "invconv.").to(h.dtype)
                h = F.conv2d(h, w[:, :, None, None])
                xa, xb = h.chunk(2, 1)
                shift, scale = self.coupling(p + "coupling.", xa, cond)
                h = torch.cat([xa, (xb + shift) * scale], 1)
            if i == self.levels - 1:
                z = h
            else:
                h, z = h.chunk(2, 1)
            mean, logsd = self.prior(i, h, cond, x.shape[0])
            blocks.append(((z - mean) * torch.exp(-logsd)).flatten(1))
        return torch.cat(blocks, 1)

    def decode(self, u, cond):
        batch, h = u.shape[0], None
        for i in reversed(range(self.levels)):
            (c, hh, ww), off = self.layout[i]
            ui = u[:, off:off + c * hh * ww].view(batch, c, hh, ww)
            mean, logsd = self.prior(i, h, cond, batch)
            z = mean + torch.exp(logsd) * ui
            h = z if i == self.levels - 1 else torch.cat([h, z], 1)
            for k in reversed(range(self.steps)):
                p = f"levels.{i}.steps.{k}."
                ya, yb = h.chunk(2, 1)
                shift, scale = self.coupling(p + "coupling.", ya, cond)
                h = torch.cat([ya, yb / scale - shift], 1)
                if self.inverse_cache is not None:
                    w_inv = self.inverse_cache[p + "invconv."]
                else:
                    w_inv = torch.inverse(self.weight(p + "invconv.")).to(h.dtype)[:, :, None, None]
                h = F.conv2d(h, w_inv)
                h = h * torch.exp(-self.t[p + "actnorm.logs"]) - self.t[p + "actnorm.loc"]
            h = unsqueeze2(h)
        return h

    def to_model(self, p):
        """Display values -> the flow's input (the model space, then the logit layer if the model has one)."""
        n, a = self.n_bins, self.logit_alpha
        x = p * ((n - 1) / n) + (0.5 / n - 0.5)
        if a > 0:
            s = a + (1 - 2 * a) * (x.clamp(-0.5, 0.5) + 0.5)
            x = torch.log(s) - torch.log1p(-s)
        return x

    def from_model(self, y):
        """The flow's output -> display values (not clamped)."""
        n, a = self.n_bins, self.logit_alpha
        x = (torch.sigmoid(y) - a) / (1 - 2 * a) - 0.5 if a > 0 else y
        return (x + (0.5 - 0.5 / n)) * (n / (n - 1))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("model")
    ap.add_argument("--check", help="record written by `dpflow roundtrip --save`")
    ap.add_argument("--tol", type=float, default=1e-4)
    ap.add_argument("--bench", type=int, default=0, help="time this many batch-1 decodes")
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    tensors, meta = read_safetensors(args.model)
    glow = Glow(tensors, json.loads(meta["model_card"]))
    ok = True
    with torch.inference_mode():
        if args.check:
            rec, rmeta = read_safetensors(args.check)
            attrs = json.loads(rmeta["attributes"])
            n, s = rec["input"].shape[0], glow.size
            cond = glow.one_hot(attrs, n)
            u = glow.encode(glow.to_model(rec["input"].view(n, 1, s, s)), cond)
            x = glow.from_model(glow.decode(rec["latent"], cond)).clamp(0, 1).view(n, s, s)
            du = (u - rec["latent"]).abs().max().item()
            dx = (x - rec["decoded"]).abs().max().item()
            rt = (glow.from_model(glow.decode(u, cond)).view(n, s, s) - rec["input"]).abs().max().item()
            glow64 = Glow({k: v.double() if v.is_floating_point() else v for k, v in tensors.items()}, glow.card)
            u64 = glow64.encode(glow64.to_model(rec["input"].view(n, 1, s, s).double()), cond.double())
            du_py64 = (u.double() - u64).abs().max().item()
            du_cpp64 = (rec["latent"].double() - u64).abs().max().item()
            ok = (du < args.tol or du_cpp64 <= du_py64) and dx < args.tol
            print(f"images {n}: max |u_py - u_cpp| = {du:.3e} (from the float64 encode: python {du_py64:.3e}, "
                  f"C++ {du_cpp64:.3e}), max |x_py - x_cpp| = {dx:.3e}, "
                  f"python round-trip max error = {rt:.3e} -> {'PASS' if ok else 'FAIL'} (tol {args.tol:g})")
        if args.bench:
            g = torch.Generator().manual_seed(12345)
            u = torch.randn(1, glow.size * glow.size, generator=g)
            cond = glow.one_hot({a["name"]: a["values"][0] for a in glow.attributes}, 1)

            def time_decodes(label):
                for _ in range(3):
                    glow.decode(u, cond)
                times = []
                for _ in range(args.bench):
                    t0 = time.perf_counter()
                    glow.decode(u, cond)
                    times.append((time.perf_counter() - t0) * 1000)
                print(f"python decode batch 1 ({args.threads} threads{label}): median {statistics.median(times):.3f} ms, "
                      f"min {min(times):.3f} ms, max {max(times):.3f} ms over {args.bench} runs")

            plain = glow.decode(u, cond)
            time_decodes("")
            glow.cache_inverses()
            cached = glow.decode(u, cond)
            if (cached - plain).abs().max().item() > 1e-5:
                print("cached inverse weights decode differently from the plain decode")
                ok = False
            time_decodes(", inverse 1x1 weights cached")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
