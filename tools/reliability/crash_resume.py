#!/usr/bin/env python3
"""Crash and resume: kill `ttsbench run` with SIGKILL at random moments, restart it each time,
and check that the end state equals an uninterrupted run's: no duplicate and no missing sample,
the same decisions, byte-identical leaderboard files.

Usage: crash_resume.py [--binary .build/release/ttsbench] [--suite suites/demo.yaml] [--kills 6] [--seed 7]
Prints one line per kill and a summary; exits 1 on any difference.
"""
import argparse, hashlib, os, random, signal, sqlite3, subprocess, sys, tempfile, time

def run(binary, suite, db, out, timeout=None):
    return subprocess.Popen([binary, "run", suite, "--db", db, "--out", out, "--quiet"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

def digest_dir(path):
    out = {}
    for root, _, files in os.walk(path):
        for f in sorted(files):
            p = os.path.join(root, f)
            out[os.path.relpath(p, path)] = hashlib.sha256(open(p, "rb").read()).hexdigest()
    return out

def db_facts(db):
    c = sqlite3.connect(db)
    q = lambda s: c.execute(s).fetchall()
    facts = {
        "samples": q("SELECT COUNT(*) FROM samples")[0][0],
        "duplicate_samples": q("SELECT COUNT(*) FROM (SELECT 1 FROM samples GROUP BY pool, seed_index, item_id, temperature, sample_index HAVING COUNT(*) > 1)")[0][0],
        "seed_runs": q("SELECT COUNT(*) FROM seed_runs")[0][0],
        "outcomes": q("SELECT COUNT(*) FROM outcomes")[0][0],
        "incomplete_runs": q("SELECT COUNT(*) FROM seed_runs r WHERE r.items != (SELECT COUNT(*) FROM outcomes o WHERE o.run_id = r.id)")[0][0],
        "decisions": q("SELECT a, b, decision, interim FROM decisions ORDER BY a, b"),
        "integrity": q("PRAGMA integrity_check")[0][0],
    }
    c.close()
    return facts

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default=".build/release/ttsbench")
    ap.add_argument("--suite", default="suites/demo.yaml")
    ap.add_argument("--kills", type=int, default=6)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--json", help="write the figures here (for the `make reliability` table)")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    work = tempfile.mkdtemp(prefix="ttsbench-crash-")

    # The uninterrupted reference run, timed to place the kills.
    ref_db, ref_out = os.path.join(work, "ref.sqlite"), os.path.join(work, "ref-out")
    t0 = time.monotonic()
    p = run(args.binary, args.suite, ref_db, ref_out)
    _, err = p.communicate()
    duration = time.monotonic() - t0
    if p.returncode != 0:
        print("reference run failed:", err.decode()[-500:]); return 1
    print(f"uninterrupted run: {duration:.1f} s")

    db, out = os.path.join(work, "crash.sqlite"), os.path.join(work, "crash-out")
    kills = 0
    attempts = 0
    while True:
        attempts += 1
        p = run(args.binary, args.suite, db, out)
        if kills < args.kills:
            delay = rng.uniform(0.05, max(0.1, duration * 0.35))
            time.sleep(delay)
            if p.poll() is None:
                os.kill(p.pid, signal.SIGKILL)
                p.wait()
                kills += 1
                n = sqlite3.connect(db).execute("SELECT COUNT(*) FROM samples").fetchone()[0] if os.path.exists(db) else 0
                print(f"kill {kills}: SIGKILL after {delay:.2f} s ({n} samples recorded so far)")
                continue
        _, err = p.communicate()
        if p.returncode != 0:
            print("resumed run failed:", err.decode()[-500:]); return 1
        if kills >= args.kills:
            break
    ref, got = db_facts(ref_db), db_facts(db)
    same_files = digest_dir(ref_out) == digest_dir(out)
    ok = (same_files and got["duplicate_samples"] == 0 and got["samples"] == ref["samples"]
          and got["decisions"] == ref["decisions"] and got["incomplete_runs"] == 0 and got["integrity"] == "ok"
          and got["seed_runs"] == ref["seed_runs"])
    print(f"{kills} kills, {attempts} starts: samples {got['samples']} (uninterrupted {ref['samples']}), "
          f"duplicates {got['duplicate_samples']}, seed runs {got['seed_runs']}/{ref['seed_runs']}, "
          f"decisions identical: {got['decisions'] == ref['decisions']}, leaderboard bytes identical: {same_files}, "
          f"integrity: {got['integrity']}")
    print("crash-resume:", "survived" if ok else "FAILED")
    if args.json:
        import json
        with open(args.json, "w") as f:
            json.dump({"kills": kills, "starts": attempts, "samples": got["samples"], "reference_samples": ref["samples"],
                       "duplicates": got["duplicate_samples"], "lost": ref["samples"] - got["samples"],
                       "decisions_identical": got["decisions"] == ref["decisions"], "bytes_identical": same_files,
                       "integrity": got["integrity"], "survived": ok}, f)
    return 0 if ok else 1

if __name__ == "__main__":
    sys.exit(main())
