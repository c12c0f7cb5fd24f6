#!/usr/bin/env python3
"""Print HuggingFace math-verify verdicts for (gold, answer) pairs.

Input: JSONL on stdin (or a file given as argv[1]); one object per line:
    {"gold": "<reference answer, LaTeX>", "answer": "<candidate answer, LaTeX>"}
Output: one JSON object per input line, in order, on stdout:
    {"verdict": true|false, "gold_parsed": "...", "answer_parsed": "...", "error": null|"..."}

math-verify's verify(gold, answer) is asymmetric: the dataset/reference answer is always
passed as `gold` and the candidate as `answer`.

Each bare answer string is wrapped as "$\\boxed{...}$" before math_verify.parse, the way
graders usually feed final answers to math-verify (a string that already contains
\\boxed is passed as "$...$" unchanged), with the default extraction config
[LatexExtractionConfig(), ExprExtractionConfig()].

Run with the venv made by .ci/install-mathverify.sh:
    /opt/ttsbench-mathverify-venv/bin/python tools/math-verify-agreement/verify_pairs.py pairs.jsonl
"""
import json
import logging
import sys

logging.disable(logging.CRITICAL)

from math_verify import parse, verify  # noqa: E402


def wrap(s: str) -> str:
    if "\\boxed" in s:
        return "$" + s + "$"
    return "$\\boxed{" + s + "}$"


_CACHE: dict = {}


def parsed(s: str):
    """math_verify.parse of the wrapped string, memoized (each gold appears in many pairs)."""
    if s not in _CACHE:
        _CACHE[s] = parse(wrap(s))
    return _CACHE[s]


def main() -> int:
    stream = open(sys.argv[1], encoding="utf-8") if len(sys.argv) > 1 else sys.stdin
    out = sys.stdout
    for line in stream:
        line = line.strip()
        if not line:
            continue
        rec = json.loads(line)
        res = {"verdict": False, "gold_parsed": "", "answer_parsed": "", "error": None}
        try:
            g = parsed(rec["gold"])
            a = parsed(rec["answer"])
            res["gold_parsed"] = str(g)
            res["answer_parsed"] = str(a)
            res["verdict"] = bool(verify(g, a))
        except Exception as e:  # keep going; a crash counts as "not equivalent"
            res["error"] = f"{type(e).__name__}: {e}"
        out.write(json.dumps(res) + "\n")
        out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
