#!/usr/bin/env python3
"""Savings of the adaptive votes against majority voting on the same pools (docs/strategies.md).

For every adaptive system (`adaptive_consistency`, `esc`, `confidence_consistency`) and every
majority system of the same model, on the item-seeds both recorded: the samples, tokens and
sequential tokens per item of each, their ratio, the accuracy of each and the paired difference
with its standard error (over item-seeds), and how often the two chose the same answer.

    python3 tools/adaptive_savings.py results/ttsbench.sqlite [SUITE]
"""
import collections
import math
import sqlite3
import sys

db = sqlite3.connect(sys.argv[1])
suite = sys.argv[2] if len(sys.argv) > 2 else None
systems = db.execute("SELECT name, model, strategy_label, family FROM systems" + (" WHERE suite = ?" if suite else ""),
                     (suite,) if suite else ()).fetchall()
outcomes = collections.defaultdict(dict)
for name, seed, item, correct, answer, read, rounds, tokens, seq in db.execute(
        "SELECT r.system_name, r.seed_index, o.item_id, o.correct, o.answer, o.samples_read, o.rounds,"
        " o.prompt_tokens + o.completion_tokens, o.sequential_tokens FROM outcomes o JOIN seed_runs r ON o.run_id = r.id"):
    outcomes[name][(seed, item)] = (correct, answer, read, rounds, tokens, seq)
adaptive = [s for s in systems if s[3].split("-")[0] in ("adaptive_consistency", "esc", "confidence_consistency")]
majorities = [s for s in systems if s[3] == "majority"]
print("| adaptive | majority | item-seeds | samples/item | ratio | rounds/item | tokens ratio | sequential tokens ratio "
      "| accuracy adaptive | accuracy majority | difference ± SE | same answer |")
print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
for a in adaptive:
    for m in majorities:
        if m[1] != a[1]:
            continue
        common = sorted(set(outcomes[a[0]]) & set(outcomes[m[0]]))
        if not common:
            continue
        n = len(common)
        A = [outcomes[a[0]][k] for k in common]
        M = [outcomes[m[0]][k] for k in common]
        mean = lambda xs: sum(xs) / len(xs)
        diffs = [x[0] - y[0] for x, y in zip(A, M)]
        d = mean(diffs)
        se = math.sqrt(sum((x - d) ** 2 for x in diffs) / (n - 1) / n) if n > 1 else float("nan")
        same = mean([1.0 if x[1] == y[1] else 0.0 for x, y in zip(A, M)])
        print(f"| {a[0]} | {m[0]} | {n} | {mean([x[2] for x in A]):.2f} | {mean([x[2] for x in A]) / mean([y[2] for y in M]):.3f} "
              f"| {mean([x[3] or 0 for x in A]):.2f} | {mean([x[4] for x in A]) / mean([y[4] for y in M]):.3f} "
              f"| {mean([x[5] for x in A]) / mean([y[5] for y in M]):.3f} | {mean([x[0] for x in A]):.4f} | {mean([y[0] for y in M]):.4f} "
              f"| {100 * d:+.2f} ± {100 * se:.2f} pts | {same:.3f} |")
