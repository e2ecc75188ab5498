"""gpt-en (lesson 05): GPT-2 trained from random weights on gensim's English Wikipedia sample."""

from __future__ import annotations

import math
from pathlib import Path

from ..loop import train_loop
from ..recipe import BuildResult, Recipe
from ..tokenization import byte_bpe_tokenizer
from ...tasks.lm import token_stream

RECIPE = Recipe("gpt-en", "05", steps=2500, batch=16, lr=1e-3, eval_every=250, seq_len=128, hidden=128, layers=4,
                dropout=0.1, vocab_size=4096)


def build(r: Recipe, out: Path, progress: bool) -> BuildResult:
    import torch
    import torch.nn.functional as F
    from transformers import GPT2Config, GPT2LMHeadModel

    from ...data import load_wiki_sample

    wiki = load_wiki_sample()
    tokenizer = byte_bpe_tokenizer(list(wiki["train"]["text"]), r.vocab_size)
    eos = tokenizer.eos_token_id

    train, val, test = (token_stream(tokenizer, wiki[split]["text"]) for split in ("train", "validation", "test"))
    V = len(tokenizer)
    freq = torch.bincount(train, minlength=V).float() + 0.5
    unigram_logp = (freq / freq.sum()).log()

    def blocks(ids):
        n = (len(ids) - 1) // r.seq_len
        return ids[: n * r.seq_len + 1]

    config = GPT2Config(vocab_size=V, n_positions=r.seq_len, n_embd=r.hidden, n_layer=r.layers, n_head=r.heads,
                        resid_pdrop=r.dropout, embd_pdrop=r.dropout, attn_pdrop=r.dropout,
                        bos_token_id=eos, eos_token_id=eos)
    torch.manual_seed(r.seed)
    model = GPT2LMHeadModel(config)
    gen = torch.Generator().manual_seed(r.seed)

    def next_batch():
        start = torch.randint(0, len(train) - r.seq_len - 1, (r.batch,), generator=gen)
        return torch.stack([train[s : s + r.seq_len] for s in start.tolist()])

    def loss_fn(model, x):
        return model(input_ids=x, labels=x).loss  # the model shifts the labels by one position

    def measure(model, ids):
        ids = blocks(ids)
        x = ids[:-1].view(-1, r.seq_len)
        y = ids[1:].view(-1, r.seq_len)
        total, n, uni = 0.0, 0, 0.0
        for i in range(0, len(x), 32):
            logits = model(input_ids=x[i : i + 32]).logits
            total += F.cross_entropy(logits.flatten(0, 1), y[i : i + 32].flatten(), reduction="sum").item()
            uni += -unigram_logp[y[i : i + 32]].sum().item()
            n += y[i : i + 32].numel()
        return {"score": round(total / n, 4), "loss": round(total / n, 4), "ppl": round(math.exp(total / n), 1),
                "unigram_ppl": round(math.exp(uni / n), 1), "ratio": round(math.exp((total - uni) / n), 3),
                "tokens": n}

    log = train_loop(model, r, next_batch, loss_fn, lambda m: measure(m, val[:60000]), progress)
    with torch.no_grad():
        test_metrics = measure(model, test)
    test_metrics.pop("score")
    facts = {
        "data": f"gensim's English Wikipedia sample (enwiki-latest-pages-articles1...-shortened, shipped in "
                f"gensim's test data), clean paragraphs split by article; train {len(train):,} tokens, validation {len(val):,}, test {len(test):,}",
        "tokenizer": f"byte-level BPE trained on the train split, {V:,} entries",
        "objective": "causal LM: predict token t+1 from tokens 1..t (labels = inputs, shifted inside the model)",
        "test": test_metrics,
    }
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)
    return BuildResult(log=log, **facts, params=sum(p.numel() for p in model.parameters()),
                       load="GPT2LMHeadModel / AutoModelForCausalLM")
