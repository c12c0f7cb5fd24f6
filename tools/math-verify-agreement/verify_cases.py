#!/usr/bin/env python3
"""Print math-verify's verdicts on the cases of Tests/Fixtures/math-verify-cases.jsonl.

Usage (venv made by .ci/install-mathverify.sh):
    /opt/ttsbench-mathverify-venv/bin/python tools/math-verify-agreement/verify_cases.py \
        Tests/Fixtures/math-verify-cases.jsonl

For each case line, one JSON line, in order:
    {"id": ..., "default": true|false, "with_options": true|false}

`default` is `verify(parse(gold), parse(pred))` with math-verify's default options (what a grader
that calls math-verify plainly gets); `with_options` uses the options the upstream test passes
(its extraction targets, `boxed_match_priority=0`, `float_rounding`, `strict`,
`allow_set_relation_comp`). An exception counts as false.
"""
import json
import logging
import sys

logging.disable(logging.CRITICAL)

from math_verify import ExprExtractionConfig, LatexExtractionConfig, parse, verify  # noqa: E402


def targets(match_types):
    out = []
    for kind in match_types:
        out.append(LatexExtractionConfig(boxed_match_priority=0) if kind == "latex" else ExprExtractionConfig())
    return out


def judged(fn) -> bool:
    try:
        return bool(fn())
    except Exception:  # noqa: BLE001 -- a crash is "not equivalent", as in graders
        return False


def main() -> int:
    stream = open(sys.argv[1], encoding="utf-8") if len(sys.argv) > 1 else sys.stdin
    for line in stream:
        line = line.strip()
        if not line or line.startswith("//"):
            continue
        case = json.loads(line)
        gold, pred, o = case["gold"], case["pred"], case["options"]
        default = judged(lambda: verify(parse(gold), parse(pred)))
        if o.get("helper") == "default":
            with_options = default
        else:
            t = targets(o["match_types"])
            with_options = judged(lambda: verify(parse(gold, t), parse(pred, t), float_rounding=o["precision"],
                                                 strict=o["strict"],
                                                 allow_set_relation_comp=o["allow_set_relation_comp"]))
        sys.stdout.write(json.dumps({"id": case["id"], "default": default, "with_options": with_options}) + "\n")
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
