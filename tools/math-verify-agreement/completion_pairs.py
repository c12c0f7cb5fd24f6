#!/usr/bin/env python3
"""Build whole-completion pairs from MATH-500 and GSM8K answers and print math-verify's verdicts.

Usage (with the venv made by .ci/install-mathverify.sh):
    /opt/ttsbench-mathverify-venv/bin/python tools/math-verify-agreement/completion_pairs.py \
        MATH500.jsonl GSM8K.jsonl [--gsm8k-items N] [--no-verify]

Each reference answer is written into whole completions in the styles real models use (a box at
the end, "The answer is $x$.", Minerva's "Final Answer: The final answer is $x$. I hope it is
correct.", an inline \\( x \\), a display \\[ x \\], "**Answer:** $x$", "Answer: x", GSM8K's
"#### x", an amount in prose after currency dollars, thousands separators), after reasoning that
holds numbers and LaTeX of its own, once with the right answer and once with a wrong one.

Output: one JSON object per pair on stdout, deterministic order:
    {"source": "math500"|"gsm8k", "item": ID, "style": S, "right": bool,
     "gold": REFERENCE, "completion": TEXT, "verdict": bool}
`verdict` is math-verify's verify(parse("$\\boxed{gold}$"), parse(completion)) with the default
extraction configs: the prediction is parsed from the whole completion, as graders do.
"""
import json
import logging
import random
import re
import sys

logging.disable(logging.CRITICAL)

MATH_STYLES = ["boxed", "answer_is", "minerva", "inline_paren", "bold_answer", "display", "boxed_sentence", "plain_answer"]
GSM_STYLES = ["gsm8k_hash", "answer_is_number", "prose_currency", "boxed", "thousands", "minerva", "bold_answer", "plain_answer"]


def math_reasoning(rng: random.Random) -> str:
    a = rng.randint(2, 40)
    b = rng.randint(2, 9)
    return (f"Let us work through the problem carefully. Set $n = {a}$ and note that $n + {b} = {a + b}$.\n"
            f"Substituting into the expression and simplifying term by term, the factor {b} cancels, "
            "so only the quantity we are asked for remains.")


def gsm_reasoning(solution: str) -> str:
    lines = [ln for ln in solution.split("\n") if not ln.startswith("####")]
    text = "\n".join(lines)
    return re.sub(r"<<[^>]*>>", "", text)


def write(style: str, reasoning: str, x: str) -> str:
    if style == "boxed":
        return f"{reasoning}\n\nTherefore, the final answer is $\\boxed{{{x}}}$."
    if style == "answer_is":
        return f"{reasoning}\n\nThe answer is ${x}$."
    if style == "minerva":
        return f"{reasoning}\n\nFinal Answer: The final answer is ${x}$. I hope it is correct."
    if style == "inline_paren":
        return f"{reasoning}\n\nSo the result is \\( {x} \\)."
    if style == "bold_answer":
        return f"{reasoning}\n\n**Answer:** ${x}$"
    if style == "display":
        return f"{reasoning}\n\nPutting everything together,\n\\[\n{x}\n\\]"
    if style == "boxed_sentence":
        return f"{reasoning} Hence \\boxed{{{x}}} is what we wanted."
    if style == "plain_answer":
        return f"{reasoning}\n\nAnswer: {x}"
    if style == "gsm8k_hash":
        return f"{reasoning}\n#### {x}"
    if style == "answer_is_number":
        return f"{reasoning}\nThe answer is {x}."
    if style == "prose_currency":
        return f"{reasoning}\nSo in total it comes to ${x}."
    if style == "thousands":
        return f"{reasoning}\nThe answer is {thousands(x)}."
    raise ValueError(style)


def thousands(x: str) -> str:
    if re.fullmatch(r"-?\d+", x):
        return f"{int(x):,}"
    return x


def wrong_number(rng: random.Random, x: str) -> str:
    v = int(x) if re.fullmatch(r"-?\d+", x) else None
    if v is None:
        return x + "1"
    delta = rng.choice([1, 2, 3, 10, -1, -2])
    if rng.random() < 0.3:
        return str(v * 2 + 1)
    return str(v + delta)


def main() -> int:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    verify_on = "--no-verify" not in sys.argv
    gsm_items = 400
    for i, a in enumerate(sys.argv):
        if a == "--gsm8k-items":
            gsm_items = int(sys.argv[i + 1])
            args.remove(sys.argv[i + 1])
    math_path, gsm_path = args[0], args[1]
    rng = random.Random(20261130)
    math_items = [json.loads(ln) for ln in open(math_path, encoding="utf-8") if ln.strip()]
    gsm = [json.loads(ln) for ln in open(gsm_path, encoding="utf-8") if ln.strip()][:gsm_items]
    pairs = []
    answers = [m["answer"] for m in math_items]
    for idx, m in enumerate(math_items):
        gold = m["answer"]
        for k in range(3):
            style = MATH_STYLES[(idx * 3 + k) % len(MATH_STYLES)]
            reasoning = math_reasoning(rng)
            pairs.append(("math500", m["id"], style, True, gold, write(style, reasoning, gold)))
            other = answers[(idx + 1 + rng.randrange(len(answers) - 1)) % len(answers)]
            pairs.append(("math500", m["id"], style, False, gold, write(style, reasoning, other)))
    for idx, g in enumerate(gsm):
        gold = str(g["answer"])
        reasoning = gsm_reasoning(g.get("solution", ""))
        for k in range(2):
            style = GSM_STYLES[(idx * 2 + k) % len(GSM_STYLES)]
            pairs.append(("gsm8k", g["id"], style, True, gold, write(style, reasoning, gold)))
            pairs.append(("gsm8k", g["id"], style, False, gold, write(style, reasoning, wrong_number(rng, gold))))
    if verify_on:
        from math_verify import parse, verify  # noqa: E402
    gold_cache = {}
    out = sys.stdout
    for source, item, style, right, gold, completion in pairs:
        verdict = None
        if verify_on:
            try:
                if gold not in gold_cache:
                    gold_cache[gold] = parse("$\\boxed{" + gold + "}$")
                verdict = bool(verify(gold_cache[gold], parse(completion)))
            except Exception:  # a crash counts as "not equivalent"
                verdict = False
        out.write(json.dumps({"source": source, "item": item, "style": style, "right": right, "gold": gold,
                              "completion": completion, "verdict": verdict}, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
