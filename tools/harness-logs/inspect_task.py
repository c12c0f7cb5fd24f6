"""Inspect AI task over ttsbench's tiny addition items (tools/harness-logs/make_logs.sh runs it).

The items file is a JSONL of {"id", "question", "answer"} named by the ITEMS environment variable.
"""
import os

from inspect_ai import Task, task
from inspect_ai.dataset import FieldSpec, json_dataset
from inspect_ai.scorer import match
from inspect_ai.solver import generate, prompt_template


@task
def tiny_add():
    return Task(
        dataset=json_dataset(os.environ["ITEMS"], FieldSpec(input="question", target="answer", id="id")),
        solver=[prompt_template("Q: {prompt}=? A:"), generate()],
        scorer=match(location="any", numeric=True),
    )
