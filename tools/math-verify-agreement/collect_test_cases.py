#!/usr/bin/env python3
"""Collect the (gold, prediction, expected) cases of math-verify's own test suite into JSONL.

Usage:
    python3 collect_test_cases.py <math-verify source tree>/tests > Tests/Fixtures/math-verify-cases.jsonl

The source tree is math-verify's sdist (`pip download --no-deps --no-binary :all: math-verify==0.9.0`,
then unpack it). Every `@pytest.mark.parametrize` table of the test modules whose rows hold a
gold answer, a prediction and an expected 0/1 verdict becomes one line per row:

    {"id": "test_all.py::test_percent_notation#3", "gold": ..., "pred": ..., "expected": 1,
     "options": {"match_types": ["latex", "expr"], "precision": 6, "strict": true,
                 "allow_set_relation_comp": false}}

`options` are the arguments the test passes to its comparison helper (the upstream helper also
sets the LaTeX extraction's `boxed_match_priority=0`); tests that call `verify(parse(g), parse(p))`
directly get math-verify's defaults. The test files are only read (parsed with `ast`), never run.
Verdicts are added by verify_cases.py.
"""
import ast
import json
import math
import pathlib
import sys

DEFAULTS = {"match_types": ["latex", "expr"], "precision": 6, "strict": True,
            "allow_set_relation_comp": False, "helper": "compare_strings"}


def value(node):
    """The literal value of an AST node; f-strings are formatted with `math` in scope."""
    try:
        return ast.literal_eval(node)
    except ValueError:
        return eval(compile(ast.Expression(node), "<case>", "eval"), {"math": math})  # noqa: S307


def helper_options(func: ast.FunctionDef) -> dict:
    """Options of the comparison the test body makes (keyword literals or parameter names)."""
    opts = dict(DEFAULTS)
    for node in ast.walk(func):
        if not isinstance(node, ast.Call):
            continue
        name = getattr(node.func, "id", getattr(node.func, "attr", ""))
        if name == "compare_strings":
            for kw in node.keywords:
                if isinstance(kw.value, ast.Name):
                    opts[kw.arg] = {"param": kw.value.id}
                else:
                    opts[kw.arg] = value(kw.value)
            return opts
        if name == "verify":
            opts["helper"] = "default"
    return opts


def cases(path: pathlib.Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for func in [n for n in tree.body if isinstance(n, ast.FunctionDef)]:
        for deco in func.decorator_list:
            if not (isinstance(deco, ast.Call) and getattr(deco.func, "attr", "") == "parametrize"):
                continue
            names = [n.strip() for n in value(deco.args[0]).split(",")]
            if not {"gold", "pred"} <= set(names) or len(deco.args) < 2:
                continue
            verdict_name = "expected" if "expected" in names else "result"
            base = helper_options(func)
            for index, row in enumerate(deco.args[1].elts):
                fields = dict(zip(names, value(row)))
                opts = {k: (fields[v["param"]] if isinstance(v, dict) else v) for k, v in base.items()}
                yield {"id": f"{path.name}::{func.name}#{index}", "gold": fields["gold"], "pred": fields["pred"],
                       "expected": int(fields[verdict_name]), "options": opts}


def main() -> int:
    root = pathlib.Path(sys.argv[1])
    for path in sorted(root.glob("test_*.py")):
        for case in cases(path):
            sys.stdout.write(json.dumps(case, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
