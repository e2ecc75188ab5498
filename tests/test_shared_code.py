"""One source for each idea: a function a lesson writes out and ``helpers`` also holds is checked equal.

Training code (``helpers.pretrain``) reuses some functions that lessons teach. The lesson writes the
function in its own cells first, then imports the ``helpers`` copy and prints ``same ... as
helpers.<module>.<function> ...: True``. This test requires that line, printed by the stored run, for
every pair in :data:`SHARED`, and fails when a lesson defines a function under the name of a task
function in ``helpers`` without being listed here (a silent retyped copy).
"""

from __future__ import annotations

import importlib
import inspect
import re
from pathlib import Path

import pytest

from coursetools.notebooks import printed_text, read

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = {p.name[:2]: p for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")}
# (lesson, the lesson's name for it) -> the helpers copy it is checked against
SHARED = {
    ("02", "train_byte_bpe"): "helpers.pretrain.tokenization.byte_bpe",
    ("04", "clause_re"): "helpers.tasks.mlm.split_clauses",
    ("04", "mask_tokens"): "helpers.tasks.mlm.mask_for_mlm",
    ("04", "nsp_example"): "helpers.tasks.mlm.nsp_example",
    ("05", "token_stream"): "helpers.tasks.lm.token_stream",
    ("06", "span_corrupt"): "helpers.tasks.text2text.span_corrupt",
    ("06", "to_target"): "helpers.tasks.text2text.entity_target",
    ("06", "score"): "helpers.tasks.text2text.entity_prf",
    ("07", "to_bio"): "helpers.tasks.ner.bio_tags",
    ("08", "to_bmes"): "helpers.tasks.segmentation.bmes_tags",
    ("08", "score"): "helpers.tasks.segmentation.word_prf",
    ("08", "forward_max_match"): "helpers.tasks.segmentation.max_match",
    ("10", "tfidf_classifier"): "helpers.tasks.baselines.tfidf_classifier",
    ("10", "length_grouped_batches"): "helpers.batching.length_grouped_batches",
    ("10", "MeanPoolClassifier"): "helpers.tasks.transfer.MeanPoolClassifier",
    ("10", "freeze_for"): "helpers.tasks.transfer.freeze_for",
    ("10", "train_steps"): "helpers.tasks.transfer.train_steps",
    ("11", "CHAT_TEMPLATE"): "helpers.tasks.instruct.CHAT_TEMPLATE",
}
TASK_MODULES = ["helpers.tasks.mlm", "helpers.tasks.lm", "helpers.tasks.numbers", "helpers.tasks.ner", "helpers.tasks.segmentation",
                "helpers.tasks.multilabel", "helpers.tasks.baselines", "helpers.tasks.text2text", "helpers.tasks.transfer", "helpers.tasks.instruct", "helpers.batching", "helpers.pretrain.tokenization"]


def cells(path: Path) -> tuple[str, str]:
    """(all code, all printed text) of a notebook's stored run."""
    nb = read(path)
    return "\n".join(c.source for c in nb.cells if c.cell_type == "code"), printed_text(nb)


@pytest.mark.parametrize(("lesson", "name"), list(SHARED), ids=[f"{k[0]}-{k[1]}" for k in SHARED])
def test_the_lesson_writes_the_function_and_its_stored_run_found_the_helpers_copy_equal(lesson, name):
    target = SHARED[lesson, name]
    module, _, function = target.rpartition(".")
    shared = getattr(importlib.import_module(module), function, None)
    assert callable(shared) or isinstance(shared, str), f"{target} does not exist"  # a function, a class or a template
    source, printed = cells(NOTEBOOKS[lesson])
    assert re.search(rf"^(def {name}\(|class {name}\(|{name} = )", source, re.M), f"lesson {lesson} no longer writes out {name}"
    lines = [line for line in printed.splitlines() if line.startswith("same ") and target in line]
    assert lines, f"lesson {lesson} prints no 'same ... as {target} ...: True' check (re-store it after adding one)"
    assert all(line.rstrip().endswith(": True") for line in lines), f"lesson {lesson}: {lines}"


def test_no_lesson_retypes_a_task_function_of_helpers_unchecked():
    public = {name for module in TASK_MODULES for name, obj in vars(importlib.import_module(module)).items()
              if inspect.isfunction(obj) and obj.__module__ == module and not name.startswith("_")}
    unchecked = []
    for lesson, path in sorted(NOTEBOOKS.items()):
        source, _ = cells(path)
        for name in set(re.findall(r"^def (\w+)\(", source, re.M)) & public:
            if (lesson, name) not in SHARED:
                unchecked.append(f"{path.name}: {name}")
    assert not unchecked, f"lessons define functions that helpers also has, with no equality check: {unchecked}"
