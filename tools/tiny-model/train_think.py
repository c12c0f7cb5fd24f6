#!/usr/bin/env python3
"""Train the tiny model to think before it answers: train.py's model and training, on traces

    <s>Q: 47+38=? A: <think>7+8=15 4+3+1=8</think> 85\\n</s>

(the digit sums, units then tens with the carry, inside <think>...</think>, then the sum). Served
by llama.cpp without a reasoning parser, the thinking comes back inline in the text, which is
what ttsbench splits (docs/models.md, "Reasoning models"). Training stops at the first checkpoint
(every 50 steps) whose held-out greedy accuracy (the whole trace exactly right) is at least 50%.

Outputs, next to this script: tiny-think.gguf, train-think.log, and its line in SHA256SUMS-think.

Usage:  python train_think.py
"""
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import train as T  # noqa: E402


def answer_of(a: int, b: int) -> str:
    units = a % 10 + b % 10
    tens = a // 10 + b // 10 + units // 10
    return f" <think>{a % 10}+{b % 10}={units} {a // 10}+{b // 10}+{units // 10}={tens}</think> {a + b}\n"


T.answer_of = answer_of
T.MAX_NEW = 40           # the longest trace is " <think>9+9=18 9+9+1=19</think> 198\n</s>" = 38 tokens
T.ACC_LO, T.ACC_HI = 0.50, 1.01


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    with tempfile.TemporaryDirectory() as out:
        sys.argv = [sys.argv[0], "--out-dir", out]
        T.main()
        shutil.copy(os.path.join(out, "tiny-add.gguf"), os.path.join(here, "tiny-think.gguf"))
        shutil.copy(os.path.join(out, "train.log"), os.path.join(here, "train-think.log"))
        digest = open(os.path.join(out, "SHA256SUMS")).read().split()[0]
        with open(os.path.join(here, "SHA256SUMS-think"), "w") as f:
            f.write(f"{digest}  tiny-think.gguf\n")


if __name__ == "__main__":
    main()
