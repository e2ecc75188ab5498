"""t5-zh (lesson 06): T5 trained from random weights to write numbers as Chinese numerals."""

from __future__ import annotations

import random
import unicodedata
from pathlib import Path

from ..loop import train_loop
from ..recipe import BuildResult, Recipe
from ..tokenization import char_tokenizer
from ...tasks.numbers import SHORT_NUMBERS, t5_example, t5_examples

SHORT_REPEATS = 50  # copies of each integer 0-99 in the training pool: 10,000 of 210,000 pairs

T5_SPECIALS = ["<pad>", "</s>", "<unk>"]  # ids 0, 1, 2: padding (and the decoder start), end of sequence, unknown

RECIPE = Recipe("t5-zh", "06", steps=6000, batch=64, lr=2e-3, eval_every=500, seq_len=48, hidden=128, layers=2)


def build(r: Recipe, out: Path, progress: bool) -> BuildResult:
    import torch
    from transformers import T5Config, T5ForConditionalGeneration

    test, seen = t5_examples(2000, seed=2)
    val, seen = t5_examples(1000, seed=1, exclude=seen)
    short = [t5_example(task, k) for task, k in sorted(SHORT_NUMBERS)]
    train_rows = t5_examples(200000, seed=0, exclude=seen)[0] + short * SHORT_REPEATS
    chars = sorted({ch for pair in train_rows for text in pair for ch in unicodedata.normalize("NFKC", text)})
    vocab = T5_SPECIALS + chars
    tokenizer = char_tokenizer(vocab, T5_SPECIALS, bert=False)
    config = T5Config(vocab_size=len(vocab), d_model=r.hidden, d_kv=r.hidden // r.heads, d_ff=4 * r.hidden,
                      num_layers=r.layers, num_decoder_layers=r.layers, num_heads=r.heads, dropout_rate=r.dropout,
                      feed_forward_proj="relu", pad_token_id=0, eos_token_id=1, decoder_start_token_id=0)
    torch.manual_seed(r.seed)
    model = T5ForConditionalGeneration(config)
    rng = random.Random(r.seed)

    def encode(rows):
        enc = tokenizer([a for a, _ in rows], padding=True, return_tensors="pt")
        labels = tokenizer([b for _, b in rows], padding=True, return_tensors="pt")["input_ids"]
        labels[labels == 0] = -100  # padding does not count in the loss
        return enc["input_ids"], enc["attention_mask"], labels

    def next_batch():
        return encode(rng.sample(train_rows, r.batch))

    def loss_fn(model, batch):
        ids, mask, labels = batch
        return model(input_ids=ids, attention_mask=mask, labels=labels).loss

    def exact_match(model, rows, beams=1):
        hits = 0
        for i in range(0, len(rows), 250):
            chunk = rows[i : i + 250]
            enc = tokenizer([a for a, _ in chunk], padding=True, return_tensors="pt")
            gen = model.generate(**enc, max_new_tokens=r.seq_len, num_beams=beams, do_sample=False)
            pred = tokenizer.batch_decode(gen, skip_special_tokens=True)
            hits += sum(p == b for p, (_, b) in zip(pred, chunk))
        return hits / len(rows)

    def validate(model):
        em = exact_match(model, val)
        return {"score": round(1 - em, 4), "exact_match": round(em, 4)}

    log = train_loop(model, r, next_batch, loss_fn, validate, progress)
    with torch.no_grad():
        test_metrics = {"exact_match_greedy": round(exact_match(model, test), 4),
                        "exact_match_beam4": round(exact_match(model, test, beams=4), 4), "examples": len(test),
                        "short_integers_right": round(exact_match(model, short) * len(short)),
                        "short_integers": len(short)}
    facts = {
        "data": f"numbers drawn at random (1-9 integer digits, 35 % zeros, some decimals), converted by cn2an; "
                f"200,000 distinct training pairs plus the 200 integers 0-99 (both tasks) {SHORT_REPEATS} times each, "
                f"which are never held out (short_integers: how many of them the model writes right); "
                f"test/validation numbers never in training",
        "tokenizer": f"one token per character, {len(vocab)} entries",
        "objective": "seq2seq: encoder reads '大写:1998' or '读法:1998', decoder writes the Chinese numerals "
                     "(loss on the decoder only)",
        "test": test_metrics,
    }
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)
    return BuildResult(log=log, **facts, params=sum(p.numel() for p in model.parameters()),
                       load="T5ForConditionalGeneration / AutoModelForSeq2SeqLM")
