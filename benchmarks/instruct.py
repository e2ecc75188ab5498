"""Lesson 11's instruction tuning: LoRA (the shipped gpt-zh-chat) against full fine-tuning of gpt-zh.

    .venv/bin/python benchmarks/instruct.py     # ~35 min on 1 thread; writes instruct.json and instruct.md
    .venv/bin/python benchmarks/instruct.py --table-only   # after rebuilding gpt-zh-chat: re-read its card only

The LoRA row is the ``gpt-zh-chat`` checkpoint's own run, read from its ``training_log.json`` (the recipe is
the benchmark's LoRA setting: ``python -m helpers.pretrain gpt-zh-chat --threads 2`` rebuilds it). This script
runs full fine-tuning with the same data, template, steps, batch, schedule and selection (best validation loss),
through the recipe's ``sft_config`` with every parameter trainable and a lower peak learning rate
(``FULL_LR``: full fine-tuning moves all weights, so it takes a smaller step than the low-rank update), then
scores it exactly as the recipe scores the checkpoint: the held-out test examples of every task, asked with a
training phrasing and with one never trained on, greedy decoding (``helpers.tasks.instruct.answer_and_score``).
"""

from __future__ import annotations

import json
import platform
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT_JSON = Path(__file__).with_name("instruct.json")
OUT_MD = Path(__file__).with_name("instruct.md")
FULL_LR = 5e-4
THREADS = 1  # as the recipe's default (python -m helpers.pretrain gpt-zh-chat)


def full_fine_tuning() -> dict:
    import dataclasses

    from trl import SFTTrainer

    import helpers
    from helpers.pretrain.recipes.gpt_zh_chat import RECIPE, sft_config, sft_start, test_scores

    helpers.setup(threads=THREADS, quiet=True)
    r = dataclasses.replace(RECIPE, lr=FULL_LR)
    tokenizer, train, val, model = sft_start(r)
    wall0, cpu0 = time.perf_counter(), time.process_time()
    with tempfile.TemporaryDirectory() as tmp:
        trainer = SFTTrainer(model=model, args=sft_config(r, tmp), processing_class=tokenizer,
                             train_dataset=train.select_columns(["messages"]), eval_dataset=val.select_columns(["messages"]))
        trainable = sum(p.numel() for p in trainer.model.parameters() if p.requires_grad)
        trainer.train()
        best_step = int(trainer.state.best_global_step)
        best_loss = float(trainer.state.best_metric)
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    model = trainer.model.eval()
    test = test_scores(model, tokenizer, r.seed)
    return {"method": "full fine-tuning", "lr": FULL_LR, "trainable": trainable,
            "params": sum(p.numel() for p in model.parameters()), "wall_seconds": round(wall, 1),
            "cpu_seconds": round(cpu, 1), "best_step": best_step, "best_eval_loss": round(best_loss, 4), "test": test}


def lora_from_card() -> dict:
    from helpers import checkpoint_dir

    log = json.loads((checkpoint_dir("gpt-zh-chat") / "training_log.json").read_text(encoding="utf-8"))
    best = min(log["eval"], key=lambda e: e["score"])
    test = {k: v for k, v in log["test"].items() if k != "examples per task"}
    return {"method": "LoRA (gpt-zh-chat)", "lr": log["recipe"]["lr"], "trainable": log["trainable"], "params": log["params"],
            "wall_seconds": log["wall_seconds"], "cpu_seconds": log["cpu_seconds"], "best_step": log["best_step"],
            "best_eval_loss": best["eval_loss"], "test": test, "threads": log["threads"]}


def main() -> None:
    from helpers.pretrain.recipes.gpt_zh_chat import PER_TASK, RECIPE

    import sys

    if "--table-only" in sys.argv[1:]:  # keep the measured full fine-tuning row, re-read the LoRA card
        full = next(r for r in json.loads(OUT_JSON.read_text(encoding="utf-8"))["rows"] if r["method"] == "full fine-tuning")
    else:
        full = {**full_fine_tuning(), "threads": THREADS}
    rows = [lora_from_card(), full]  # the card is read after the long run: the two may be built side by side
    OUT_JSON.write_text(json.dumps({"machine": platform.processor() or platform.machine(), "rows": rows},
                                   ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    tasks = list(rows[0]["test"])
    head = "| method | trainable | share | peak LR | wall s | best step | val loss | " + " | ".join(tasks) + " |"
    lines = [head, "|" + "---|" * (7 + len(tasks))]
    for row in rows:
        lines.append(f"| {row['method']} | {row['trainable']:,} | {row['trainable'] / row['params']:.1%} | {row['lr']:g} | "
                     f"{row['wall_seconds']:,.0f} | {row['best_step']:,} | {row['best_eval_loss']:.3f} | "
                     + " | ".join(f"{row['test'][t]:.3f}" for t in tasks) + " |")
    OUT_MD.write_text(
        "# Instruction tuning: LoRA vs full fine-tuning (lesson 11)\n\n"
        "Written by `benchmarks/instruct.py` (see its docstring). gpt-zh fine-tuned on the same instruction data "
        f"({PER_TASK['train']:,} examples per task, {RECIPE.steps:,} steps, batch {RECIPE.batch}), weights chosen on "
        f"validation loss; test: {PER_TASK['test']} held-out examples per task, accuracy (sentiment), name F1 (ner), word F1 (segment), exact match (number); "
        "\"unseen phrasing\": the same examples asked with a phrasing never trained on. Wall seconds on "
        f"{THREADS} thread each; the measured runs were made side by side on the 2-core machine, so their times "
        "compare with each other.\n\n" + "\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
