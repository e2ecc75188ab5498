"""The training loop every recipe runs: AdamW, warm-up then linear decay, clipping, keep the best weights."""

from __future__ import annotations

import copy
import math
import sys
import time

from .recipe import Recipe


def lr_at(step: int, r: Recipe) -> float:
    """Linear warm-up to the peak, then linear decay to zero (one-cycle)."""
    warm = max(1, int(r.warmup * r.steps))
    return r.lr * (step / warm if step < warm else max(0.0, (r.steps - step) / max(1, r.steps - warm)))


def padded_batches(ids, labels, batch: int, seed: int, per_token_labels: bool = True):
    """``next_batch`` for the fine-tuning recipes: shuffled batches of rows, a new permutation each epoch
    (one ``torch.Generator`` seeded with ``seed``), each cut to its longest row (dynamic padding: id 0 is
    padding). Per-token ``labels`` are cut the same way; per-row labels (``per_token_labels=False``) are not."""
    import torch

    gen = torch.Generator().manual_seed(seed)
    order: list = []

    def next_batch():
        if not order:
            order.extend(torch.randperm(len(ids), generator=gen).split(batch)[::-1])
        rows = order.pop()
        x, y = ids[rows], labels[rows]
        width = int((x > 0).sum(1).max())
        return x[:, :width].contiguous(), (y[:, :width].contiguous() if per_token_labels else y)

    return next_batch


def train_loop(model, r: Recipe, next_batch, loss_fn, validate, progress: bool = True) -> dict:
    """AdamW loop with clipping; validates every ``eval_every`` steps and keeps the best weights.

    ``validate(model)`` returns a dict whose ``"score"`` is lower-is-better. Returns the log that
    ``training_log.json`` stores: the training loss every 50 steps, every validation, the best step,
    wall and CPU seconds.
    """
    import torch
    from tqdm.auto import tqdm

    opt = torch.optim.AdamW(model.parameters(), lr=r.lr, weight_decay=r.weight_decay, betas=(0.9, 0.98))
    log = {"step": [], "train_loss": [], "eval": []}
    best, best_state, running = math.inf, None, []
    wall0, cpu0 = time.perf_counter(), time.process_time()
    model.train()
    bar = tqdm(range(1, r.steps + 1), desc=r.name, disable=not progress, mininterval=5, file=sys.stdout)
    for step in bar:
        for group in opt.param_groups:
            group["lr"] = lr_at(step, r)
        loss = loss_fn(model, next_batch())
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        running.append(loss.item())
        if step % 50 == 0:
            log["step"].append(step)
            log["train_loss"].append(round(sum(running) / len(running), 4))
            running = []
        if step % r.eval_every == 0 or step == r.steps:
            model.eval()
            with torch.no_grad():
                ev = validate(model)
            model.train()
            ev = {"step": step, "seconds": round(time.perf_counter() - wall0, 1), **ev}
            log["eval"].append(ev)
            if ev["score"] < best:
                best, best_state = ev["score"], copy.deepcopy(model.state_dict())
            bar.write(f"step {step:6d}  " + "  ".join(f"{k} {v}" for k, v in ev.items() if k != "step"))
    model.load_state_dict(best_state)
    model.eval()
    log["best_step"] = min(log["eval"], key=lambda e: e["score"])["step"]
    log["wall_seconds"] = round(time.perf_counter() - wall0, 1)
    log["cpu_seconds"] = round(time.process_time() - cpu0, 1)
    return log
