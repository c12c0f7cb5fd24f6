#!/usr/bin/env python3
"""Accuracy of every system of the `strategies` suite on its hard items (docs/strategies.md).

An item is hard when the reference system's pooled samples of seeds 5-19 are right at most CUT of
the time (default 0.25); every system is scored on seeds 0-4, which the choice of hard items did
not read, so the selection favours no system.

    python3 tools/hard_items.py results/ttsbench.sqlite [CUT] [REFERENCE]
"""
import collections
import json
import sqlite3
import sys

db = sqlite3.connect(sys.argv[1])
cut = float(sys.argv[2]) if len(sys.argv) > 2 else 0.25
reference = sys.argv[3] if len(sys.argv) > 3 else "mid/maj8"
share = collections.defaultdict(list)
for item, scores in db.execute(
        "SELECT o.item_id, o.pool_scores FROM outcomes o JOIN seed_runs r ON o.run_id = r.id"
        " WHERE r.system_name = ? AND r.seed_index >= 5", (reference,)):
    share[item] += json.loads(scores)["correct"]
if not share:
    sys.exit(f"no pool scores of {reference} at seeds 5 and up: run the suite with AdaStop (up to 20 seeds) first")
hard = {i for i, c in share.items() if sum(c) / len(c) <= cut}
rows = collections.defaultdict(lambda: [0, 0, 0, 0])
for name, item, correct in db.execute(
        "SELECT r.system_name, o.item_id, o.correct FROM outcomes o JOIN seed_runs r ON o.run_id = r.id WHERE r.seed_index < 5"):
    r = rows[name]
    r[0] += correct
    r[1] += 1
    if item in hard:
        r[2] += correct
        r[3] += 1
print(f"{len(hard)} hard items of {len(share)} ({reference}'s samples of seeds 5-19 right <= {cut:.0%}); seeds 0-4")
print(f"{'system':24s} {'all':>6s} {'hard':>6s}  item-seeds")
for name, (c, n, hc, hn) in sorted(rows.items(), key=lambda kv: -kv[1][2] / max(1, kv[1][3])):
    print(f"{name:24s} {c / n:6.3f} {hc / max(1, hn):6.3f}  {hn}")
