#!/usr/bin/env python3
"""Train ttsbench's tiny real model and export it as GGUF for llama.cpp.

A character-level llama-architecture model (2 layers, hidden 128, 4 heads, FFN 256,
RMSNorm, RoPE, SwiGLU; ~420k parameters) learns two-digit addition prompts

    <s>Q: 47+38=? A: 85\\n</s>

(a, b in 0..99; 500 (a, b) pairs are held out). Held-out greedy accuracy is measured
every 50 steps and training stops at the first checkpoint whose accuracy lies in
[50%, 67%], so that sampling, voting and best-of-N visibly change the score.

Outputs, next to this script:
  tiny-add.gguf    the model (F32), llama architecture, SPM tokenizer, chat template
  heldout.jsonl    the 500 held-out prompts with PyTorch's greedy continuation
  train.log        the training log
  SHA256SUMS       sha256 of tiny-add.gguf

Everything is deterministic (fixed seeds, one thread, deterministic algorithms):
rerunning with the pinned requirements.txt on the same kind of CPU gives the same file.

Usage:  python train.py [--out-dir DIR]
"""
import argparse
import hashlib
import json
import math
import os
import random
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

# ---------------------------------------------------------------- configuration
SEED = 1234
N_LAYER, D_MODEL, N_HEAD, D_FF = 2, 128, 4, 256
HEAD_DIM = D_MODEL // N_HEAD
RMS_EPS = 1e-5
ROPE_BASE = 10000.0
CTX_LEN = 512            # advertised context length (prompts are < 25 tokens)
N_HELDOUT = 500
BATCH = 64
LR = 2e-3
WARMUP = 20
WEIGHT_DECAY = 0.01
EVAL_EVERY = 50
MAX_STEPS = 3000
ACC_LO, ACC_HI = 0.50, 0.67
MAX_NEW = 8              # longest answer is " 198\n</s>" = 6 tokens

CHAT_TEMPLATE = (
    "{{ bos_token }}{% for message in messages %}{{ message['content'] }}{% endfor %}"
)

# --------------------------------------------------------------------- tokenizer
# SPM vocabulary as llama.cpp reads it: <unk>, <s>, </s>, 256 byte tokens, "▁" (the
# SPM space) and the printable ASCII characters except space. Every prompt and
# answer character maps to one token; "\n" is the byte token <0x0A>.
UNK, BOS, EOS = 0, 1, 2
SPACE = "\u2581"
TOKENS = ["<unk>", "<s>", "</s>"] + [f"<0x{b:02X}>" for b in range(256)] + [SPACE] + [
    chr(c) for c in range(0x21, 0x7F)
]
TOKEN_ID = {t: i for i, t in enumerate(TOKENS)}
VOCAB = len(TOKENS)
BYTE0 = 3


def encode(text: str) -> list[int]:
    """Tokenize like llama.cpp's SPM tokenizer with add_space_prefix = false."""
    ids = []
    for ch in text.replace(" ", SPACE):
        if ch in TOKEN_ID:
            ids.append(TOKEN_ID[ch])
        else:
            ids.extend(BYTE0 + b for b in ch.encode("utf-8"))
    return ids


def decode(ids: list[int]) -> str:
    out = bytearray()
    for i in ids:
        if i in (UNK, BOS, EOS):
            continue
        if BYTE0 <= i < BYTE0 + 256:
            out.append(i - BYTE0)
        else:
            out.extend(TOKENS[i].replace(SPACE, " ").encode("utf-8"))
    return out.decode("utf-8", errors="replace")


def prompt_of(a: int, b: int) -> str:
    return f"Q: {a}+{b}=? A:"


def answer_of(a: int, b: int) -> str:
    return f" {a + b}\n"


# ------------------------------------------------------------------------- model
class RMSNorm(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(d))

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + RMS_EPS) * self.weight


def rope_tables(n_pos: int):
    # llama.cpp's LLAMA rope ("normal" mode): rotates adjacent pairs (x[2i], x[2i+1])
    # with theta_i = pos * base^(-2i/d). Training in this layout means the Q/K weights
    # export as they are, with no permutation.
    inv = ROPE_BASE ** (-torch.arange(0, HEAD_DIM, 2, dtype=torch.float32) / HEAD_DIM)
    ang = torch.arange(n_pos, dtype=torch.float32)[:, None] * inv[None, :]
    return torch.cos(ang), torch.sin(ang)  # (T, HEAD_DIM/2)


def apply_rope(x, cos, sin):
    # x: (B, H, T, Dh)
    x0, x1 = x[..., 0::2], x[..., 1::2]
    r0 = x0 * cos - x1 * sin
    r1 = x0 * sin + x1 * cos
    return torch.stack((r0, r1), dim=-1).flatten(-2)


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.attn_norm = RMSNorm(D_MODEL)
        self.wq = nn.Linear(D_MODEL, D_MODEL, bias=False)
        self.wk = nn.Linear(D_MODEL, D_MODEL, bias=False)
        self.wv = nn.Linear(D_MODEL, D_MODEL, bias=False)
        self.wo = nn.Linear(D_MODEL, D_MODEL, bias=False)
        self.ffn_norm = RMSNorm(D_MODEL)
        self.w_gate = nn.Linear(D_MODEL, D_FF, bias=False)
        self.w_up = nn.Linear(D_MODEL, D_FF, bias=False)
        self.w_down = nn.Linear(D_FF, D_MODEL, bias=False)

    def forward(self, x, cos, sin, mask):
        B, T, _ = x.shape
        h = self.attn_norm(x)
        q = self.wq(h).view(B, T, N_HEAD, HEAD_DIM).transpose(1, 2)
        k = self.wk(h).view(B, T, N_HEAD, HEAD_DIM).transpose(1, 2)
        v = self.wv(h).view(B, T, N_HEAD, HEAD_DIM).transpose(1, 2)
        q, k = apply_rope(q, cos, sin), apply_rope(k, cos, sin)
        att = (q @ k.transpose(-1, -2)) / math.sqrt(HEAD_DIM)
        att = att.masked_fill(mask, float("-inf")).softmax(-1)
        y = (att @ v).transpose(1, 2).reshape(B, T, D_MODEL)
        x = x + self.wo(y)
        h = self.ffn_norm(x)
        return x + self.w_down(F.silu(self.w_gate(h)) * self.w_up(h))


class TinyLlama(nn.Module):
    def __init__(self):
        super().__init__()
        self.tok = nn.Embedding(VOCAB, D_MODEL)
        self.blocks = nn.ModuleList(Block() for _ in range(N_LAYER))
        self.norm = RMSNorm(D_MODEL)
        self.out = nn.Linear(D_MODEL, VOCAB, bias=False)
        for name, p in self.named_parameters():
            if p.dim() == 2:
                nn.init.normal_(p, std=0.02)
        for blk in self.blocks:  # scaled init of residual projections
            nn.init.normal_(blk.wo.weight, std=0.02 / math.sqrt(2 * N_LAYER))
            nn.init.normal_(blk.w_down.weight, std=0.02 / math.sqrt(2 * N_LAYER))

    def forward(self, idx):
        T = idx.shape[1]
        cos, sin = rope_tables(T)
        mask = torch.triu(torch.ones(T, T, dtype=torch.bool), diagonal=1)
        x = self.tok(idx)
        for blk in self.blocks:
            x = blk(x, cos, sin, mask)
        return self.out(self.norm(x))


# -------------------------------------------------------------------------- data
def split_pairs():
    pairs = [(a, b) for a in range(100) for b in range(100)]
    random.Random(SEED).shuffle(pairs)
    return pairs[N_HELDOUT:], sorted(pairs[:N_HELDOUT])


def make_batch(train_pairs, gen):
    idx = torch.randint(len(train_pairs), (BATCH,), generator=gen).tolist()
    seqs, starts = [], []
    for i in idx:
        a, b = train_pairs[i]
        p = [BOS] + encode(prompt_of(a, b))
        seqs.append(p + encode(answer_of(a, b)) + [EOS])
        starts.append(len(p))
    T = max(map(len, seqs))
    x = torch.full((BATCH, T - 1), EOS, dtype=torch.long)
    y = torch.full((BATCH, T - 1), -100, dtype=torch.long)
    for r, (s, st) in enumerate(zip(seqs, starts)):
        t = torch.tensor(s)
        x[r, : len(s) - 1] = t[:-1]
        # loss only on the answer: " 85\n</s>" (the operands are random anyway)
        y[r, st - 1 : len(s) - 1] = t[st:]
    return x, y


@torch.no_grad()
def greedy(model, prompts):
    """Greedy continuation of each prompt (BOS prepended), stopping at </s>."""
    model.eval()
    out = [None] * len(prompts)
    by_len = {}
    for i, p in enumerate(prompts):
        ids = [BOS] + encode(p)
        by_len.setdefault(len(ids), []).append((i, ids))
    for _, group in sorted(by_len.items()):
        x = torch.tensor([ids for _, ids in group])
        gen = [[] for _ in group]
        done = [False] * len(group)
        for _ in range(MAX_NEW):
            nxt = model(x)[:, -1].argmax(-1)
            for r, t in enumerate(nxt.tolist()):
                if not done[r]:
                    if t == EOS:
                        done[r] = True
                    else:
                        gen[r].append(t)
            if all(done):
                break
            x = torch.cat([x, nxt[:, None]], 1)
        for (i, _), g in zip(group, gen):
            out[i] = decode(g)
    model.train()
    return out


def accuracy(model, heldout):
    outs = greedy(model, [prompt_of(a, b) for a, b in heldout])
    ok = sum(o == answer_of(a, b) for o, (a, b) in zip(outs, heldout))
    return ok / len(heldout), outs


# ------------------------------------------------------------------------ export
def export_gguf(model, path):
    import gguf

    sd = {k: v.detach().to(torch.float32).numpy() for k, v in model.state_dict().items()}
    w = gguf.GGUFWriter(path, "llama")
    w.add_name("ttsbench tiny-add")
    w.add_description(
        "Character-level llama-style model trained by ttsbench tools/tiny-model/train.py "
        "on 2-digit addition: 'Q: 47+38=? A:' -> ' 85\\n'"
    )
    w.add_context_length(CTX_LEN)
    w.add_embedding_length(D_MODEL)
    w.add_block_count(N_LAYER)
    w.add_feed_forward_length(D_FF)
    w.add_head_count(N_HEAD)
    w.add_head_count_kv(N_HEAD)
    w.add_layer_norm_rms_eps(RMS_EPS)
    w.add_rope_dimension_count(HEAD_DIM)
    w.add_rope_freq_base(ROPE_BASE)
    w.add_vocab_size(VOCAB)
    w.add_file_type(gguf.LlamaFileType.ALL_F32)

    types = []
    for i, t in enumerate(TOKENS):
        if i == UNK:
            types.append(gguf.TokenType.UNKNOWN)
        elif i in (BOS, EOS):
            types.append(gguf.TokenType.CONTROL)
        elif BYTE0 <= i < BYTE0 + 256:
            types.append(gguf.TokenType.BYTE)
        else:
            types.append(gguf.TokenType.NORMAL)
    w.add_tokenizer_model("llama")
    w.add_token_list(TOKENS)
    w.add_token_scores([0.0] * VOCAB)
    w.add_token_types(types)
    w.add_unk_token_id(UNK)
    w.add_bos_token_id(BOS)
    w.add_eos_token_id(EOS)
    w.add_add_bos_token(True)
    w.add_add_eos_token(False)
    w.add_add_space_prefix(False)
    w.add_chat_template(CHAT_TEMPLATE)

    # Weights in PyTorch's (out, in) layout; gguf reverses the dims into ggml's ne.
    w.add_tensor("token_embd.weight", sd["tok.weight"])
    for n in range(N_LAYER):
        p = f"blocks.{n}."
        for src, dst in [
            ("attn_norm.weight", "attn_norm"),
            ("wq.weight", "attn_q"),
            ("wk.weight", "attn_k"),
            ("wv.weight", "attn_v"),
            ("wo.weight", "attn_output"),
            ("ffn_norm.weight", "ffn_norm"),
            ("w_gate.weight", "ffn_gate"),
            ("w_up.weight", "ffn_up"),
            ("w_down.weight", "ffn_down"),
        ]:
            w.add_tensor(f"blk.{n}.{dst}.weight", np.ascontiguousarray(sd[p + src]))
    w.add_tensor("output_norm.weight", sd["norm.weight"])
    w.add_tensor("output.weight", sd["out.weight"])
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()


# -------------------------------------------------------------------------- main
def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out-dir", default=os.path.dirname(os.path.abspath(__file__)))
    args = ap.parse_args()
    os.makedirs(args.out_dir, exist_ok=True)
    log_f = open(os.path.join(args.out_dir, "train.log"), "w")

    def log(msg):
        print(msg, flush=True)
        log_f.write(msg + "\n")
        log_f.flush()

    torch.set_num_threads(1)  # 2 threads were ~10x slower for this tiny model
    torch.use_deterministic_algorithms(True)
    random.seed(SEED)
    np.random.seed(SEED)
    torch.manual_seed(SEED)
    gen = torch.Generator().manual_seed(SEED)

    train_pairs, heldout = split_pairs()
    model = TinyLlama()
    n_params = sum(p.numel() for p in model.parameters())
    decay = [p for p in model.parameters() if p.dim() == 2]
    no_decay = [p for p in model.parameters() if p.dim() < 2]
    opt = torch.optim.AdamW(
        [{"params": decay, "weight_decay": WEIGHT_DECAY}, {"params": no_decay, "weight_decay": 0.0}],
        lr=LR,
        betas=(0.9, 0.98),
    )
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min(1.0, (s + 1) / WARMUP))

    log(f"torch {torch.__version__}, threads {torch.get_num_threads()}, seed {SEED}")
    log(
        f"model: llama-style, {N_LAYER} layers, hidden {D_MODEL}, {N_HEAD} heads, FFN {D_FF}, "
        f"vocab {VOCAB}, {n_params} parameters"
    )
    log(
        f"data: {len(train_pairs)} training pairs, {len(heldout)} held out; batch {BATCH}, "
        f"AdamW lr {LR} (warmup {WARMUP}), eval every {EVAL_EVERY} steps, "
        f"stop at held-out greedy accuracy in [{ACC_LO:.2f}, {ACC_HI:.2f}]"
    )
    t0 = time.time()
    loss_sum, loss_n = 0.0, 0
    chosen = None
    for step in range(1, MAX_STEPS + 1):
        x, y = make_batch(train_pairs, gen)
        logits = model(x)
        loss = F.cross_entropy(logits.reshape(-1, VOCAB), y.reshape(-1), ignore_index=-100)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()
        loss_sum += loss.item()
        loss_n += 1
        if step % EVAL_EVERY == 0:
            acc, outs = accuracy(model, heldout)
            log(
                f"step {step:5d}  loss {loss_sum / loss_n:.4f}  held-out greedy accuracy "
                f"{acc:.3f}  ({time.time() - t0:.1f} s)"
            )
            loss_sum, loss_n = 0.0, 0
            if ACC_LO <= acc <= ACC_HI:
                chosen = (step, acc, outs)
                break
            if acc > ACC_HI:
                log("overshot the accuracy window: change SEED, LR or EVAL_EVERY")
                sys.exit(1)
    if chosen is None:
        log("accuracy window never reached")
        sys.exit(1)

    step, acc, outs = chosen
    gguf_path = os.path.join(args.out_dir, "tiny-add.gguf")
    export_gguf(model, gguf_path)
    with open(os.path.join(args.out_dir, "heldout.jsonl"), "w") as f:
        for (a, b), o in zip(heldout, outs):
            rec = {
                "a": a,
                "b": b,
                "prompt": prompt_of(a, b),
                "answer": answer_of(a, b),
                "torch_greedy": o,
            }
            f.write(json.dumps(rec) + "\n")
    digest = hashlib.sha256(open(gguf_path, "rb").read()).hexdigest()
    with open(os.path.join(args.out_dir, "SHA256SUMS"), "w") as f:
        f.write(f"{digest}  tiny-add.gguf\n")
    log(f"stopped at step {step}: held-out greedy accuracy {acc:.3f} ({round(acc * N_HELDOUT)}/{N_HELDOUT})")
    log(f"wrote tiny-add.gguf ({os.path.getsize(gguf_path)} bytes) sha256 {digest}")
    log(f"total time {time.time() - t0:.1f} s")


if __name__ == "__main__":
    main()
