"""Training efficiency on this machine: what batching saves, and how close training gets to the peak.

    .venv/bin/python benchmarks/efficiency.py          # prints the tables, writes benchmarks/efficiency.md

1. **Batching.** Lesson 10's fine-tuning data (real reviews, 4 to 128 tokens) and model, one
   training step (forward, backward, AdamW) per batch of 32, three ways:
   every review padded to 128 tokens (the naive recipe); dynamic padding (each random batch padded
   to its longest review: ``DataCollatorWithPadding``); dynamic padding plus length grouping
   (the lessons' batches: ``train_sampling_strategy="group_by_length"`` / lesson 10's
   ``length_grouped_batches``). Same reviews, same model, same number of steps, one process.
   Reported: real (non-padding) tokens per second, and the ratio to the naive recipe.
2. **Matmul peak.** float32 ``A @ B`` for square sizes 256-2048 on all threads; the best GFLOP/s.
3. **Share of the peak.** The largest shipped course model (by parameter count), one training step
   at the batch and length of its recipe (``helpers.pretrain``); its FLOPs counted by
   ``torch.utils.flop_counter`` (matmuls of forward and backward), divided by the step time.
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[1]
TABLE = Path(__file__).with_name("efficiency.md")


def median_seconds(fn, repeats: int) -> float:
    """Median wall time of ``fn()`` over ``repeats`` runs, after one warm-up run."""
    fn()  # warm-up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def matmul_peak(sizes=(256, 512, 1024, 2048)) -> dict[int, float]:
    out = {}
    for n in sizes:
        a, b = torch.randn(n, n), torch.randn(n, n)
        reps = max(3, int(2e10 / (2 * n**3)))
        seconds = median_seconds(lambda: [a @ b for _ in range(reps)], repeats=5) / reps
        out[n] = 2 * n**3 / seconds / 1e9
    return out


def batching(model_name: str, steps: int, batch: int, max_len: int) -> list[dict]:
    from transformers import AutoModelForSequenceClassification, AutoTokenizer, DataCollatorWithPadding
    from transformers.utils import logging as hf_logging

    from helpers import checkpoint_dir
    from helpers.data import load_chinese_reviews

    hf_logging.set_verbosity_error()
    path = checkpoint_dir(model_name)
    tokenizer = AutoTokenizer.from_pretrained(path)
    reviews = load_chinese_reviews()["train"].shuffle(seed=0).select(range(steps * batch))
    encoded = [tokenizer(t, truncation=True, max_length=max_len) for t in reviews["text"]]
    for e, label in zip(encoded, reviews["label"]):
        e["labels"] = label
    lengths = [len(e["input_ids"]) for e in encoded]
    g = torch.Generator().manual_seed(0)
    order = torch.randperm(len(encoded), generator=g).tolist()
    random_batches = [order[i : i + batch] for i in range(0, len(order), batch)]
    grouped = []  # lesson 10: sort inside windows of 50 batches, then shuffle the batches
    for start in range(0, len(order), batch * 50):
        chunk = sorted(order[start : start + batch * 50], key=lambda i: lengths[i])
        grouped += [chunk[i : i + batch] for i in range(0, len(chunk), batch)]
    grouped = [grouped[i] for i in torch.randperm(len(grouped), generator=g).tolist()]
    strategies = {
        f"pad every review to {max_len}": (random_batches, DataCollatorWithPadding(tokenizer, padding="max_length", max_length=max_len)),
        "dynamic padding": (random_batches, DataCollatorWithPadding(tokenizer)),
        "dynamic padding + length grouping (lessons)": (grouped, DataCollatorWithPadding(tokenizer)),
    }
    full = sum(max(lengths[i] for i in idx) == max_len for idx in random_batches) / len(random_batches)
    rows = []
    for name, (plan, collate) in strategies.items():
        torch.manual_seed(0)
        model = AutoModelForSequenceClassification.from_pretrained(path, num_labels=2)
        optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4)
        batches = [collate([encoded[i] for i in idx]) for idx in plan]
        model.train()
        model(**batches[0]).loss.backward()  # warm-up step, not timed
        optimizer.zero_grad()
        start = time.perf_counter()
        for b in batches:
            loss = model(**b).loss
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        seconds = time.perf_counter() - start
        real = sum(int(b["attention_mask"].sum()) for b in batches)
        total = sum(b["input_ids"].numel() for b in batches)
        rows.append({"batching": name, "steps": len(batches), "seconds": seconds, "real tokens": real,
                     "padding share": 1 - real / total, "real tokens/s": real / seconds,
                     "random batches holding a review cut at max_len": full})
    for r in rows:
        r["speed-up"] = r["real tokens/s"] / rows[0]["real tokens/s"]
    return rows


def largest_model_step(repeats: int = 5) -> dict:
    import transformers
    from torch.utils.flop_counter import FlopCounterMode

    from helpers import checkpoint_dir
    from helpers.checkpoints import course_checkpoints
    from helpers.pretrain import REGISTRY

    sizes = {}
    for name in course_checkpoints():
        config = transformers.AutoConfig.from_pretrained(checkpoint_dir(name))
        model = getattr(transformers, config.architectures[0]).from_pretrained(checkpoint_dir(name))
        sizes[name] = (model.num_parameters(), model)
    name = max(sizes, key=lambda n: sizes[n][0])
    params, model = sizes[name]
    recipe = REGISTRY[name].recipe
    g = torch.Generator().manual_seed(0)
    ids = torch.randint(5, model.config.vocab_size, (recipe.batch, recipe.seq_len), generator=g)
    inputs = {"input_ids": ids}
    if model.config.is_encoder_decoder:
        inputs["decoder_input_ids"] = ids
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4)
    model.train()

    def step():
        out = model(**inputs)
        logits = out.logits if hasattr(out, "logits") else out.prediction_logits
        loss = torch.nn.functional.cross_entropy(logits.flatten(0, 1), ids.flatten())
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

    with FlopCounterMode(display=False) as counter:
        step()
    flops = counter.get_total_flops()
    seconds = median_seconds(step, repeats)
    return {"model": name, "architecture": model.config.architectures[0], "parameters": params,
            "batch": f"{recipe.batch} x {recipe.seq_len} tokens", "GFLOP per step": flops / 1e9,
            "seconds per step": seconds, "GFLOP/s": flops / seconds / 1e9}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default="bert-zh-reviews", help="course checkpoint for the batching comparison")
    parser.add_argument("--steps", type=int, default=60, help="training steps per batching strategy")
    args = parser.parse_args()
    import helpers

    helpers.setup(quiet=True)
    threads = torch.get_num_threads()
    print(f"torch {torch.__version__}, {threads} threads, {platform.machine()}", flush=True)

    rows = batching(args.model, args.steps, batch=32, max_len=128)
    peak = matmul_peak()
    step = largest_model_step()
    best = max(peak.values())

    lines = [f"Measured by `benchmarks/efficiency.py` on {platform.machine()}, {threads} torch threads, "
             f"torch {torch.__version__.split('+')[0]}.", "",
             f"**Batching** (lesson 10's reviews and model `{args.model}`, batch 32, {args.steps} training steps each):", "",
             "| batching | padding share | real tokens/s | speed-up |", "|---|---|---|---|"]
    lines += [f"| {r['batching']} | {r['padding share']:.0%} | {r['real tokens/s']:,.0f} | {r['speed-up']:.2f}× |" for r in rows]
    lines += ["", f"{rows[0]['random batches holding a review cut at max_len']:.0%} of the random batches contain a review "
              "cut at 128 tokens, so padding each batch to its own longest review saves almost nothing here; "
              "sorting similar lengths into the same batch is what removes the padding."]
    lines += ["", "**Matmul peak** (float32, square `A @ B`):", "",
              "| n | GFLOP/s |", "|---|---|"] + [f"| {n} | {v:.1f} |" for n, v in peak.items()]
    lines += ["", f"**Largest course model's training step**: `{step['model']}` ({step['architecture']}, "
              f"{step['parameters']:,} parameters), {step['batch']}: {step['GFLOP per step']:.2f} GFLOP "
              f"(forward + backward matmuls) in {step['seconds per step'] * 1000:.0f} ms = "
              f"{step['GFLOP/s']:.1f} GFLOP/s, **{step['GFLOP/s'] / best:.0%} of the matmul peak** "
              f"({best:.1f} GFLOP/s). A model this small spends most of a step outside large matmuls "
              f"(embeddings, softmax, layer norm, the optimizer, Python)."]
    text = "\n".join(lines) + "\n"
    print(text)
    TABLE.write_text(text, encoding="utf-8")
    print(f"written to {TABLE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
