"""helpers.tasks.transfer: the mean-pooling classifier, the trainable sets of each method, the training loop."""

from __future__ import annotations

import pytest
import torch
from transformers import BertConfig, BertModel

from helpers.tasks.transfer import MeanPoolClassifier, freeze_for, train_steps


def tiny_model(seed: int = 0) -> MeanPoolClassifier:
    torch.manual_seed(seed)
    config = BertConfig(vocab_size=50, hidden_size=16, num_hidden_layers=3, num_attention_heads=2, intermediate_size=32,
                        max_position_embeddings=32, hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0)
    return MeanPoolClassifier(BertModel(config, add_pooling_layer=False)).eval()


def test_padding_does_not_change_the_logits():
    model = tiny_model()
    ids = torch.tensor([[2, 7, 9, 3]])
    padded = torch.tensor([[2, 7, 9, 3, 0, 0]])
    with torch.no_grad():
        short = model(ids, torch.ones_like(ids))
        long = model(padded, torch.tensor([[1, 1, 1, 1, 0, 0]]))
    assert short.shape == (1, 2)
    assert torch.allclose(short, long, atol=1e-5)


def test_each_method_trains_what_it_says():
    model = tiny_model()
    head = sum(p.numel() for p in model.head.parameters())
    total = sum(p.numel() for p in model.parameters())
    assert freeze_for(model, "full") == total
    assert freeze_for(model, "head") == head
    biases = sum(p.numel() for n, p in model.encoder.named_parameters() if n.endswith(".bias"))
    assert freeze_for(model, "bitfit") == head + biases
    top = sum(p.numel() for n, p in model.encoder.named_parameters() if "layer.1." in n or "layer.2." in n)
    assert freeze_for(model, "top2") == head + top
    assert not any(p.requires_grad for n, p in model.named_parameters() if "layer.0." in n or "embeddings" in n)
    with pytest.raises(ValueError, match="Unknown method 'lora'"):
        freeze_for(model, "lora")


def test_train_steps_runs_exactly_the_steps_and_learns_a_separable_task():
    model = tiny_model()
    freeze_for(model, "full")
    ids = torch.tensor([[2, 5, 5, 3], [2, 6, 6, 3]] * 4)
    batch = {"input_ids": ids, "attention_mask": torch.ones_like(ids), "labels": torch.tensor([0, 1] * 4)}
    epochs = []

    def batches():
        epochs.append(1)
        yield batch
        yield batch

    losses = train_steps(model, batches, steps=5, lr=1e-2)
    assert len(losses) == 5 and len(epochs) == 3  # two batches per epoch: the third epoch stops after one
    assert losses[-1] < losses[0]
    assert not model.training


def test_frozen_parameters_do_not_move():
    model = tiny_model()
    freeze_for(model, "head")
    before = model.encoder.embeddings.word_embeddings.weight.clone()
    ids = torch.tensor([[2, 5, 3]])
    train_steps(model, lambda: iter([{"input_ids": ids, "attention_mask": torch.ones_like(ids),
                                      "labels": torch.tensor([1])}]), steps=3, lr=1e-1)
    assert torch.equal(before, model.encoder.embeddings.word_embeddings.weight)
