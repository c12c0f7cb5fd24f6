#!/usr/bin/env python3
"""Runs the reference AdaStop (PyPI adastop==0.1.3) on a scores CSV, interim by interim.

The CSV is the layout `ttsbench adastop` reads: a header row of agent names (an empty first
header cell marks a row-index column, as pandas writes it), one column per agent, one row per
run, all rows so far in one file. The driver follows the reference's own protocol
(REFERENCE.md section 9, and what its CLI does): at interim k every agent still in an undecided
comparison receives its next n scores; the others keep the arrays they had.

Prints one JSON object:
  {"seconds": best wall time of the interim loop over --repeat runs (import and CSV reading excluded),
   "decisions": [{"a", "b", "decision", "interim"}], "scores_used": {name: count},
   "interims": k_run, "boundaries": [b_k or null], "level_spent": x, "adastop_version": "0.1.3"}
"decisions" / "scores_used" / "interims" have the same meaning as `ttsbench adastop --json`.
"""

import argparse
import csv
import json
import math
import sys
import time


def read_scores(path):
    with open(path, newline="") as fp:
        rows = [r for r in csv.reader(fp) if any(cell.strip() for cell in r)]
    header = [c.strip() for c in rows[0]]
    offset = 1 if header and header[0] == "" else 0
    names = header[offset:]
    columns = {name: [] for name in names}
    for r in rows[1:]:
        for j, name in enumerate(names):
            cell = r[j + offset].strip()
            if cell:
                columns[name].append(float(cell))
    return names, columns


def run_once(names, columns, args):
    import numpy as np
    from adastop import MultipleAgentsComparator

    comparisons = None
    if args.compare_to_first:
        comparisons = np.array([(0, j) for j in range(1, len(names))])
    comparator = MultipleAgentsComparator(
        n=args.size_group, K=args.n_groups, B=args.n_permutations,
        comparisons=comparisons, alpha=args.alpha, beta=0, seed=args.seed)
    n = args.size_group
    used = {name: 0 for name in names}
    data = {}
    decided_at = {}
    interims = 0
    start = time.perf_counter()
    for k in range(args.n_groups):
        if k == 0:
            active = set(range(len(names)))
        else:
            active = set(int(i) for i in np.asarray(comparator.current_comparisons).ravel())
        if any(len(columns[names[i]]) < (k + 1) * n for i in active):
            break  # the file does not hold the next interim yet
        for i, name in enumerate(names):
            if i in active:
                used[name] = (k + 1) * n
            # Q7: the reference needs numpy arrays.
            data[name] = np.asarray(columns[name][:used[name]], dtype=float)
        comparator.partial_compare(data, False)
        interims += 1
        for key, value in comparator.decisions.items():
            if value != "continue" and key not in decided_at:
                decided_at[key] = k
        if comparator.is_finished:
            break
    seconds = time.perf_counter() - start

    decisions = []
    for c in comparator.comparisons:
        key = str(c)
        value = comparator.decisions[key]
        decisions.append({
            "a": names[int(c[0])], "b": names[int(c[1])],
            "decision": "undecided" if value == "continue" else value,
            "interim": decided_at.get(key),
        })
    boundaries = []
    for _, upper in comparator.boundary:
        upper = float(upper)
        boundaries.append(upper if math.isfinite(upper) else None)
    return seconds, {
        "decisions": decisions,
        "scores_used": used,
        "interims": interims,
        "boundaries": boundaries,
        "level_spent": float(comparator.level_spent),
    }


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("csv")
    p.add_argument("-K", "--n-groups", type=int, default=5)
    p.add_argument("-N", "--size-group", type=int, default=5)
    p.add_argument("-B", "--n-permutations", type=int, default=10000)
    p.add_argument("--alpha", type=float, default=0.05)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--compare-to-first", action="store_true")
    p.add_argument("--repeat", type=int, default=1)
    args = p.parse_args()

    import adastop
    names, columns = read_scores(args.csv)
    best = None
    result = None
    for _ in range(max(1, args.repeat)):
        seconds, result = run_once(names, columns, args)
        best = seconds if best is None else min(best, seconds)
    out = {"seconds": best}
    out.update(result)
    out["adastop_version"] = getattr(adastop, "__version__", "unknown")
    json.dump(out, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
