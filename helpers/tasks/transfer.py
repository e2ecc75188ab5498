"""Sentence classification on a pretrained encoder with little labelled data (lesson 10).

Lesson 10 writes :class:`MeanPoolClassifier`, :func:`freeze_for` and :func:`train_steps` out in its
cells and checks the copies here against them; ``benchmarks/little_data.py`` runs them over folds,
training sizes and fine-tuning methods.
"""

from __future__ import annotations

import torch
from torch import nn


class MeanPoolClassifier(nn.Module):
    """An encoder, the mean of its last hidden states over the real tokens, and a linear head."""

    def __init__(self, encoder, num_labels: int = 2):
        super().__init__()
        self.encoder = encoder
        self.head = nn.Linear(encoder.config.hidden_size, num_labels)

    def forward(self, input_ids, attention_mask):
        hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
        return self.head((hidden * mask).sum(1) / mask.sum(1))


def freeze_for(model, method: str) -> int:
    """Leave trainable only what ``method`` trains; return the number of trainable parameters.

    ``full``: everything; ``head``: the linear head; ``top2``: the last two layers and the head;
    ``bitfit``: every bias and the head. (LoRA wraps the encoder with ``peft`` instead.)
    """
    last_two = [f"layer.{len(model.encoder.encoder.layer) - k}." for k in (1, 2)]
    for name, parameter in model.named_parameters():
        if method == "full":
            train = True
        elif method == "head":
            train = name.startswith("head.")
        elif method == "top2":
            train = name.startswith("head.") or any(layer in name for layer in last_two)
        elif method == "bitfit":
            train = name.startswith("head.") or name.endswith(".bias")
        else:
            raise ValueError(f"Unknown method {method!r}: use 'full', 'head', 'top2' or 'bitfit'.")
        parameter.requires_grad_(train)
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


def train_steps(model, batches, steps: int, lr: float, warmup: float = 0.1) -> list[float]:
    """AdamW on the trainable parameters for ``steps`` steps, linear warm-up then linear decay.

    ``batches()`` returns one epoch of dicts with ``input_ids``, ``attention_mask`` and ``labels``
    (a new order each call); epochs follow each other until ``steps`` optimizer steps are done. Returns the training loss of every step.
    """
    trainable = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(trainable, lr=lr, weight_decay=0.01)
    warm = max(1, int(warmup * steps))
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: min((s + 1) / warm, max(0.0, (steps - s) / max(1, steps - warm))))
    model.train()
    losses = []
    while len(losses) < steps:
        for batch in batches():
            logits = model(batch["input_ids"], batch["attention_mask"])
            loss = nn.functional.cross_entropy(logits, batch["labels"])
            loss.backward()
            optimizer.step()
            schedule.step()
            optimizer.zero_grad()
            losses.append(loss.item())
            if len(losses) == steps:
                break
    model.eval()
    return losses
