"""gpt-zh-chat (lesson 11): gpt-zh instruction-tuned with LoRA on four tasks built from the course's annotations.

Supervised fine-tuning the way the ecosystem does it: a chat template in the tokenizer, loss on the assistant's
tokens only, TRL's ``SFTTrainer`` with LoRA adapters from ``peft``; the adapters are merged into the weights
before saving, so the checkpoint loads as a plain GPT-2. ``benchmarks/instruct.py`` compares full fine-tuning.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from ..recipe import BuildResult, Recipe

RECIPE = Recipe("gpt-zh-chat", "11", steps=2500, batch=16, lr=2e-3, warmup=0.05, weight_decay=0.0, eval_every=250,
                seq_len=256, hidden=256, layers=4, heads=4, test_use="reported only; the weights are chosen on validation loss")
PER_TASK = {"train": 3000, "validation": 100, "test": 200}  # examples per task and split
LORA = {"r": 32, "lora_alpha": 64, "lora_dropout": 0.05, "target_modules": "all-linear"}  # GPT-2: c_attn, c_proj, c_fc


def sft_config(r: Recipe, output_dir: str, progress: bool = False, **overrides):
    """The ``SFTConfig`` every lesson-11 run uses (the recipe, the benchmark and the lesson's short live run)."""
    from trl import SFTConfig

    settings = dict(output_dir=output_dir, max_steps=r.steps, per_device_train_batch_size=r.batch,
                    per_device_eval_batch_size=64, learning_rate=r.lr, warmup_steps=int(r.warmup * r.steps),
                    lr_scheduler_type="linear", weight_decay=r.weight_decay, max_length=r.seq_len,
                    assistant_only_loss=True, logging_steps=50, eval_strategy="steps", eval_steps=r.eval_every,
                    save_strategy="steps", save_steps=r.eval_every, save_total_limit=1, load_best_model_at_end=True,
                    metric_for_best_model="eval_loss", report_to="none", seed=r.seed, data_seed=r.seed,
                    disable_tqdm=not progress, dataloader_num_workers=0,
                    # TRL's defaults suit a GPU (bf16, activation checkpointing); on the CPU both only cost time
                    use_cpu=True, bf16=False, activation_checkpointing=False)
    settings.update(overrides)
    return SFTConfig(**settings)


def sft_start(r: Recipe):
    """What every SFT run of lesson 11 starts from (this recipe and ``benchmarks/instruct.py``): gpt-zh's tokenizer with
    the chat template, the training and validation examples, and gpt-zh's weights (``torch`` seeded with ``r.seed``)."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from ...checkpoints import checkpoint_dir
    from ...tasks.instruct import CHAT_TEMPLATE, instruction_examples

    base = checkpoint_dir("gpt-zh")
    tokenizer = AutoTokenizer.from_pretrained(base)
    tokenizer.chat_template = CHAT_TEMPLATE
    train = instruction_examples("train", PER_TASK["train"], seed=r.seed)
    val = instruction_examples("validation", PER_TASK["validation"], seed=r.seed)
    torch.manual_seed(r.seed)
    return tokenizer, train, val, AutoModelForCausalLM.from_pretrained(base)


def test_scores(model, tokenizer, seed: int) -> dict[str, float]:
    """The headline score of every task on the test examples, asked with a training phrasing and with the unseen one."""
    from ...tasks.instruct import TASKS, answer_and_score, headline, instruction_examples

    scores = {}
    for unseen in (False, True):
        results, _ = answer_and_score(model, tokenizer, instruction_examples("test", PER_TASK["test"], seed=seed, unseen=unseen))
        for task in TASKS:
            scores[f"{task}{' (unseen phrasing)' if unseen else ''}"] = round(headline(task, results[task]), 4)
    return scores


def build(r: Recipe, out: Path, progress: bool) -> BuildResult:
    from peft import LoraConfig
    from trl import SFTTrainer

    tokenizer, train, val, model = sft_start(r)
    wall0, cpu0 = time.perf_counter(), time.process_time()
    with tempfile.TemporaryDirectory() as tmp:
        trainer = SFTTrainer(model=model, args=sft_config(r, tmp, progress), processing_class=tokenizer,
                             train_dataset=train.select_columns(["messages"]), eval_dataset=val.select_columns(["messages"]),
                             peft_config=LoraConfig(task_type="CAUSAL_LM", **LORA))
        trainable = sum(p.numel() for p in trainer.model.parameters() if p.requires_grad)
        trainer.train()
        history = trainer.state.log_history
        best_step = int(trainer.state.best_global_step)
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    model = trainer.model.merge_and_unload().eval()
    log = {"step": [h["step"] for h in history if "loss" in h], "train_loss": [round(h["loss"], 4) for h in history if "loss" in h],
           "eval": [{"step": h["step"], "seconds": None, "score": round(h["eval_loss"], 4), "eval_loss": round(h["eval_loss"], 4)}
                    for h in history if "eval_loss" in h],
           "best_step": best_step, "wall_seconds": round(wall, 1), "cpu_seconds": round(cpu, 1), "trainable": trainable}
    test_metrics = test_scores(model, tokenizer, r.seed)
    test_metrics["examples per task"] = PER_TASK["test"]
    facts = {
        "data": f"instruction examples built by helpers.tasks.instruct from the training splits ({PER_TASK['train']:,} per "
                f"task: review sentiment, PER/LOC/ORG names, word segmentation, number reading), four "
                f"phrasings per task; validation {PER_TASK['validation']} per task (weights chosen on its loss)",
        "tokenizer": "gpt-zh's, with the chat template (`tokenizer.chat_template`) that marks the assistant's turns",
        "objective": f"supervised fine-tuning, loss on the assistant's tokens only (TRL SFTTrainer, assistant_only_loss); "
                     f"LoRA r={LORA['r']}, alpha {LORA['lora_alpha']}, dropout {LORA['lora_dropout']} on "
                     f"every linear layer except the output layer ({trainable:,} trainable parameters), merged into the weights "
                     f"after training; test: accuracy (sentiment), name F1 (ner), word F1 (segment), exact match "
                     f"(number), greedy decoding, with a training phrasing and with one never trained on",
        "test": test_metrics,
    }
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)
    return BuildResult(log=log, **facts, params=sum(p.numel() for p in model.parameters()),
                       load="GPT2LMHeadModel / AutoModelForCausalLM", origin="fine-tuned from the course's gpt-zh checkpoint")
