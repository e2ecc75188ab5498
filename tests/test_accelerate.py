"""Lesson 09's Trainer run, unchanged, under ``accelerate launch`` with 2 CPU processes (gloo).

The cells tagged ``training-script`` are exported with ``python -m coursetools.lesson_script`` (the
same command the README documents for multi-GPU full mode) and launched as two processes; each
must see a world of 2 on the MULTI_CPU/gloo backend, train on its half of the data, and agree
on the evaluation score.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.notebook

ROOT = Path(__file__).resolve().parents[1]
TRAIN, BATCH = 6400, 32

CHECK = """
from accelerate import PartialState
_state = PartialState()
print("RESULT " + json.dumps({
    "rank": trainer.args.process_index, "world": trainer.args.world_size,
    "type": str(_state.distributed_type), "backend": _state.backend,
    "batches": len(trainer.get_train_dataloader()),
    "micro_f1": float(history["eval_micro_f1"].iloc[-1]), "roc_auc": float(history["eval_roc_auc"].iloc[-1]),
    "eval_loss": [float(x) for x in history["eval_loss"]],
}), flush=True)
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_lesson_07_trains_under_accelerate_with_two_cpu_processes(tmp_path):
    script = tmp_path / "train09.py"
    subprocess.run([sys.executable, "-m", "coursetools.lesson_script", "notebooks/09_multilabel_bert.ipynb",
                    "--set", f"LIVE_TRAIN={TRAIN}", "--set", "EPOCHS=1", "-o", str(script)], cwd=ROOT, check=True)
    script.write_text(script.read_text(encoding="utf-8") + "import json\n" + CHECK, encoding="utf-8")
    accelerate = Path(sys.executable).parent / "accelerate"
    env = {**os.environ, "ACCELERATE_USE_CPU": "true", "PLM_THREADS": "1", "OMP_NUM_THREADS": "1",
           "MPLBACKEND": "Agg"}
    run = subprocess.run([str(accelerate), "launch", "--multi_gpu", "--num_processes", "2", "--num_machines", "1",
                          "--mixed_precision", "no", "--dynamo_backend", "no", "--main_process_ip", "127.0.0.1",
                          "--main_process_port", str(free_port()), str(script)],
                         cwd=ROOT / "notebooks", env=env, capture_output=True, text=True, timeout=840)
    results = [json.loads(line.split("RESULT ", 1)[1]) for line in run.stdout.splitlines() if line.startswith("RESULT ")]
    assert run.returncode == 0 and len(results) == 2, run.stdout[-3000:] + run.stderr[-3000:]
    assert sorted(r["rank"] for r in results) == [0, 1]
    for r in results:
        assert r["world"] == 2 and r["type"] == "DistributedType.MULTI_CPU" and r["backend"] == "gloo", r
        assert r["batches"] == -(-TRAIN // (2 * BATCH)), r  # each process trains on its half of the data
    assert results[0]["roc_auc"] == results[1]["roc_auc"]  # evaluation is gathered across both processes
    assert results[0]["roc_auc"] > 0.76, results  # it learned: the frequency baseline ranks at ROC-AUC 0.71

