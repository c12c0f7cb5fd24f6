#!/usr/bin/env python3
"""Family-wise error of `ttsbench adastop` with its default options, through the CLI.

Writes CSVs of equal normal scores (L systems, K*n rows) and counts the runs in which any
comparison was decided "larger"/"smaller". Usage:
    tools/stats/cli_fwer.py BINARY --systems 8 --runs 400 [--interims 5] [--group 5] [--jobs 2]
"""
import argparse, concurrent.futures, json, os, random, subprocess, tempfile

def one(binary, systems, interims, group, run, extra):
    rng = random.Random(1_000_003 * systems + run)
    names = [f"s{i}" for i in range(systems)]
    rows = [[f"{rng.gauss(0, 1):.6f}" for _ in names] for _ in range(interims * group)]
    with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False) as f:
        f.write(",".join(names) + "\n" + "\n".join(",".join(r) for r in rows) + "\n")
        path = f.name
    try:
        args = [binary, "adastop", path, "--json", "--seed", str(run)] + extra
        if interims != 5: args += ["--n-groups", str(interims)]
        if group != 5: args += ["--size-group", str(group)]
        out = json.loads(subprocess.run(args, check=True, capture_output=True, text=True).stdout)
    finally:
        os.unlink(path)
    wrong = any(d["decision"] in ("larger", "smaller") for d in out["decisions"])
    return wrong, sum(out["scores_used"].values()), out.get("procedure")

def main():
    p = argparse.ArgumentParser()
    p.add_argument("binary"); p.add_argument("--systems", type=int, required=True)
    p.add_argument("--runs", type=int, default=400); p.add_argument("--interims", type=int, default=5)
    p.add_argument("--group", type=int, default=5); p.add_argument("--jobs", type=int, default=2)
    p.add_argument("extra", nargs="*")
    a = p.parse_args()
    with concurrent.futures.ThreadPoolExecutor(a.jobs) as ex:
        res = list(ex.map(lambda r: one(a.binary, a.systems, a.interims, a.group, r, a.extra), range(a.runs)))
    errors = sum(w for w, _, _ in res)
    rate = errors / a.runs
    se = (rate * (1 - rate) / a.runs) ** 0.5
    procs = sorted({p for _, _, p in res})
    print(f"{a.systems} equal systems, K={a.interims}, n={a.group}, {a.runs} runs through the CLI: "
          f"family-wise error {rate:.4f} ± {se:.4f}; procedure {procs}; mean scores used {sum(s for _, s, _ in res) / a.runs:.1f}")

if __name__ == "__main__":
    main()
