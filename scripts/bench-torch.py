#!/usr/bin/python3
"""PyTorch reference for the step benchmark, one thread: the Llama-style transformer step of
TransformerStepBenchmark (16-token prompts, 32 sampled tokens with a KV cache, one forward+backward
over the whole sequences, AdamW) and the LSTM sampling of StepBenchmark (embedding 32, 2 x LSTM-128,
vocabulary 40). Run with Debian's python3-torch:
  OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 /usr/bin/python3 scripts/bench-torch.py [size:batch ...]
The project's benchmark does not need it. Debian's torch calls the system libblas.so.3: with only
the reference BLAS installed (as on the development machine) its matrix products are slow; preload
an OpenBLAS for a fair comparison, e.g. the one ND4J unpacks:
  LD_PRELOAD=$(ls ~/.javacpp/cache/openblas-*/org/bytedeco/openblas/linux-x86_64/libopenblas_nolapack.so.0) \
    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 /usr/bin/python3 scripts/bench-torch.py lstm:64
That OpenBLAS chooses its kernels from OPENBLAS_CORETYPE as the Java side's does: give both runs
the same value (scripts/bench-step.sh prints the one it ran with; on an AMD CPU with AVX-512 the
project's scripts set SkylakeX when the variable is absent).
Each phase is timed after a warm-up of at least one run and BENCH_WARMUP_SECONDS (3) seconds, the
rule of the Java benchmark."""
import math
import os
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
SIZES = {"tiny": (512, 128, 4, 4, 384), "small": (8192, 512, 8, 8, 1408)}
PROMPT, NEW = 16, 32
WARMUP = float(os.environ.get("BENCH_WARMUP_SECONDS", "3"))


class Block(nn.Module):
    def __init__(self, d, heads, inner):
        super().__init__()
        self.heads, self.hd = heads, d // heads
        self.n1 = nn.Parameter(torch.ones(d))
        self.n2 = nn.Parameter(torch.ones(d))
        self.qkv = nn.Linear(d, 3 * d, bias=False)
        self.o = nn.Linear(d, d, bias=False)
        self.gu = nn.Linear(d, 2 * inner, bias=False)
        self.down = nn.Linear(inner, d, bias=False)

    @staticmethod
    def norm(x, w):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + 1e-5) * w

    def rope(self, x, pos):
        half = self.hd // 2
        inv = 10000 ** (-torch.arange(half, dtype=torch.float32) * 2 / self.hd)
        ang = pos[:, None].float() * inv[None]
        c = torch.cat([ang.cos(), ang.cos()], -1)
        s = torch.cat([ang.sin(), ang.sin()], -1)
        rot = torch.cat([-x[..., half:], x[..., :half]], -1)
        return x * c + rot * s

    def forward(self, x, pos, cache=None):
        b, t, d = x.shape
        q, k, v = self.qkv(self.norm(x, self.n1)).split(d, -1)
        q, k, v = [z.view(b, t, self.heads, self.hd).transpose(1, 2) for z in (q, k, v)]
        q, k = self.rope(q, pos), self.rope(k, pos)
        if cache is not None:
            if cache[0] is not None:
                k = torch.cat([cache[0], k], 2)
                v = torch.cat([cache[1], v], 2)
            cache[0], cache[1] = k, v
        s = q @ k.transpose(-1, -2) / math.sqrt(self.hd)
        if t > 1:
            s = s + torch.triu(torch.full((t, t), -1e30), 1)
        a = (s.softmax(-1) @ v).transpose(1, 2).reshape(b, t, d)
        x = x + self.o(a)
        g, u = self.gu(self.norm(x, self.n2)).chunk(2, -1)
        return x + self.down(F.silu(g) * u)


class Llama(nn.Module):
    def __init__(self, vocab, d, layers, heads, inner):
        super().__init__()
        self.emb = nn.Embedding(vocab, d)
        self.blocks = nn.ModuleList(Block(d, heads, inner) for _ in range(layers))
        self.nf = nn.Parameter(torch.ones(d))
        self.head = nn.Linear(d, vocab, bias=False)
        for p in self.parameters():
            if p.dim() > 1:
                nn.init.normal_(p, std=0.02)

    def forward(self, tokens, start=0, caches=None):
        x = self.emb(tokens)
        pos = torch.arange(start, start + tokens.shape[1])
        for i, blk in enumerate(self.blocks):
            x = blk(x, pos, None if caches is None else caches[i])
        return self.head(Block.norm(x, self.nf))


def sample(model, prompts):
    with torch.no_grad():
        caches = [[None, None] for _ in model.blocks]
        logits = model(prompts, 0, caches)[:, -1]
        out = []
        for step in range(NEW):
            tok = torch.multinomial(logits.softmax(-1), 1)
            out.append(tok)
            if step < NEW - 1:
                logits = model(tok, PROMPT + step, caches)[:, -1]
        return torch.cat([prompts] + out, 1)


def median(n, f):
    # warm-up as the Java benchmark does: at least one run and WARMUP seconds
    warm_until = time.perf_counter() + WARMUP
    f()
    while time.perf_counter() < warm_until:
        f()
    ts = []
    for _ in range(n):
        t0 = time.perf_counter()
        f()
        ts.append((time.perf_counter() - t0) * 1000)
    return sorted(ts)[n // 2]


def transformer(size, batch, iters):
    torch.manual_seed(1)
    model = Llama(*SIZES[size])
    opt = torch.optim.AdamW(model.parameters(), lr=1e-5)
    prompts = torch.randint(1, SIZES[size][0], (batch, PROMPT))
    adv = torch.tensor([(i % 3) - 1.0 for i in range(batch)])

    def backward(seq):
        logits = model(seq[:, :-1])
        lp = torch.log_softmax(logits, -1).gather(-1, seq[:, 1:, None])[..., 0][:, PROMPT - 1:]
        loss = -(adv[:, None] * lp).sum()
        opt.zero_grad()
        loss.backward()

    seq = sample(model, prompts)
    ms_s = median(iters, lambda: sample(model, prompts))
    ms_b = median(iters, lambda: backward(seq))
    def step():
        backward(sample(model, prompts))
        opt.step()
    ms_w = median(iters, step)
    print(f"torch {size}:{batch}: sampling {ms_s:.1f} ms = {batch * NEW / ms_s * 1000:,.0f} tokens/s;"
          f" forward+backward {ms_b:.1f} ms; whole step {ms_w:.1f} ms")


def lstm(batch, iters):
    torch.manual_seed(1)
    emb, rnn, out = nn.Embedding(40, 32), nn.LSTM(32, 128, 2, batch_first=True), nn.Linear(128, 40)
    prompts = torch.randint(0, 40, (batch, 14))

    def run():
        with torch.no_grad():
            y, state = rnn(emb(prompts))
            logits = out(y[:, -1])
            for _ in range(NEW):
                tok = torch.multinomial(logits.softmax(-1), 1)
                y, state = rnn(emb(tok), state)
                logits = out(y[:, -1])

    ms = median(iters, run)
    print(f"torch lstm:{batch}: sampling {ms:.1f} ms = {batch * NEW / ms * 1000:,.0f} tokens/s")


if __name__ == "__main__":
    cases = sys.argv[1:] or ["tiny:16", "tiny:64", "small:16", "small:64", "lstm:64"]
    for c in cases:
        size, batch = c.split(":")
        if size == "lstm":
            lstm(int(batch), 10)
        else:
            transformer(size, int(batch), 5 if size == "tiny" else 3)
