"""Time-boxed masked-LM experiments for lesson 04: what makes a tiny BERT learn on a CPU?

    .venv/bin/python experiments/mlm_probe.py --seconds 600 --hidden 256 --layers 4 --mask 0.15 --lr 1e-3

Chinese characters from People's Daily (train articles), evaluated on held-out test
articles: masked-token cross-entropy and top-1/top-5 next to the unigram baseline,
plus a fill-mask on a few held-out sentences. Every run appends one JSON line to
``experiments/mlm_runs.jsonl``; ``experiments/mlm_notes.md`` summarises them.
The model is a standard ``BertForMaskedLM`` (so a result can ship as a checkpoint);
the MLM head is applied only at the masked positions, which is most of the saving.
"""

from __future__ import annotations

import argparse
import collections
import json
import time
from pathlib import Path

import torch
import torch.nn.functional as F
from transformers import BertConfig, BertForMaskedLM

import helpers
from helpers.tasks.mlm import mask_for_mlm

RUNS = Path(__file__).with_name("mlm_runs.jsonl")
SPECIAL = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]


def build_vocab(texts, min_count):
    counts = collections.Counter(ch for t in texts for ch in t)
    chars = sorted((c for c, n in counts.items() if n >= min_count), key=lambda c: (-counts[c], c))
    return SPECIAL + chars, counts


def encode_stream(texts, stoi, seq_len):
    # paragraphs joined with [SEP], cut into [CLS] + (seq_len - 2) ids + [SEP]
    ids = []
    for t in texts:
        ids.extend(stoi.get(ch, 1) for ch in t)
        ids.append(3)
    body = seq_len - 2
    n = len(ids) // body
    x = torch.tensor(ids[: n * body]).view(n, body)
    return torch.cat([torch.full((n, 1), 2), x, torch.full((n, 1), 3)], dim=1)


def mask_batch(x, rate, vocab_size, generator):
    # the course's 80/10/10 rule (the shipped checkpoint uses the same function)
    return mask_for_mlm(x, vocab_size, len(SPECIAL), rate, generator)


def masked_logits(model, inputs, chosen):
    hidden = model.bert(input_ids=inputs).last_hidden_state
    return model.cls(hidden[chosen])


def evaluate(model, data, rate, vocab_size, unigram_logp):
    model.eval()
    g = torch.Generator().manual_seed(123)
    uni_best = unigram_logp.topk(5).indices
    total, n, top1, top5, uni_ce, uni1, uni5 = 0.0, 0, 0, 0, 0.0, 0, 0
    with torch.no_grad():
        for i in range(0, len(data), 64):
            x = data[i : i + 64]
            inputs, chosen = mask_batch(x, rate, vocab_size, g)
            logits = masked_logits(model, inputs, chosen)
            target = x[chosen]
            total += F.cross_entropy(logits, target, reduction="sum").item()
            uni_ce += -unigram_logp[target].sum().item()
            best = logits.topk(5, dim=-1).indices
            top1 += (best[:, 0] == target).sum().item()
            top5 += (best == target[:, None]).any(-1).sum().item()
            uni1 += (target == uni_best[0]).sum().item()
            uni5 += (uni_best[None, :] == target[:, None]).any(-1).sum().item()
            n += len(target)
    model.train()
    return {"loss": total / n, "unigram_ce": uni_ce / n, "top1": top1 / n, "top5": top5 / n,
            "unigram_top1": uni1 / n, "unigram_top5": uni5 / n, "n": n}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--seconds", type=float, default=300)
    p.add_argument("--hidden", type=int, default=256)
    p.add_argument("--layers", type=int, default=4)
    p.add_argument("--heads", type=int, default=4)
    p.add_argument("--seq", type=int, default=128)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--mask", type=float, default=0.15)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--warmup", type=float, default=0.06, help="fraction of the time budget")
    p.add_argument("--min-count", type=int, default=5)
    p.add_argument("--dropout", type=float, default=0.0)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--note", default="")
    p.add_argument("--save", default="", help="folder to save the model (safetensors) and its vocab.txt")
    a = p.parse_args()

    helpers.setup(threads=a.threads, quiet=True)
    pd = helpers.load_people_daily()
    vocab, counts = build_vocab(pd["train"]["text"], a.min_count)
    stoi = {c: i for i, c in enumerate(vocab)}
    train = encode_stream(pd["train"]["text"], stoi, a.seq)
    test = encode_stream(pd["test"]["text"], stoi, a.seq)[:400]
    freq = torch.tensor([0.0] * len(SPECIAL) + [counts[c] for c in vocab[len(SPECIAL):]]) + 0.5
    freq[:len(SPECIAL)] = 0.5
    freq[1] += sum(n for c, n in counts.items() if c not in stoi)
    unigram_logp = (freq / freq.sum()).log()
    uni_top = torch.topk(freq, 5).indices
    print(f"vocab {len(vocab)}, train sequences {len(train)}, test sequences {len(test)}", flush=True)

    config = BertConfig(
        vocab_size=len(vocab), hidden_size=a.hidden, num_hidden_layers=a.layers, num_attention_heads=a.heads,
        intermediate_size=4 * a.hidden, max_position_embeddings=a.seq, hidden_dropout_prob=a.dropout,
        attention_probs_dropout_prob=a.dropout, type_vocab_size=2,
    )
    torch.manual_seed(0)
    model = BertForMaskedLM(config)
    n_params = sum(p.numel() for p in model.parameters())
    opt = torch.optim.AdamW(model.parameters(), lr=a.lr, weight_decay=0.01, betas=(0.9, 0.98))
    g = torch.Generator().manual_seed(0)
    start, step, seen = time.perf_counter(), 0, 0
    curve = []
    next_eval = 60.0
    while True:
        elapsed = time.perf_counter() - start
        if elapsed >= a.seconds:
            break
        frac = elapsed / a.seconds
        lr = a.lr * (frac / a.warmup if frac < a.warmup else max(0.0, (1 - frac) / (1 - a.warmup)))
        for group in opt.param_groups:
            group["lr"] = lr
        idx = torch.randint(0, len(train), (a.batch,), generator=g)
        x = train[idx]
        inputs, chosen = mask_batch(x, a.mask, len(vocab), g)
        loss = F.cross_entropy(masked_logits(model, inputs, chosen), x[chosen])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        step += 1
        seen += x.numel()
        if elapsed >= next_eval:
            ev = evaluate(model, test, 0.15, len(vocab), unigram_logp)
            curve.append((round(elapsed), round(ev["loss"], 3)))
            print(f"{elapsed:6.0f}s step {step} loss {loss.item():.3f} held-out {ev['loss']:.3f} "
                  f"(unigram {ev['unigram_ce']:.3f}) top1 {ev['top1']:.3f} top5 {ev['top5']:.3f}", flush=True)
            next_eval += 60.0 if a.seconds <= 900 else 300.0
    ev = evaluate(model, test, 0.15, len(vocab), unigram_logp)
    model.eval()
    cloze = []
    for sentence in ["国务院总理李鹏今天在人民大会堂会见了外国客人。", "中国共产党第十五次全国代表大会", "今年春节期间，全国各地举行了丰富多彩的文化活动。"]:
        ids = [2] + [stoi.get(c, 1) for c in sentence] + [3]
        for pos in range(2, len(ids) - 1, 4):
            x = torch.tensor([ids])
            m = x.clone(); m[0, pos] = 4
            with torch.no_grad():
                logits = model(input_ids=m).logits[0, pos]
            guess = "".join(vocab[i] for i in logits.topk(5).indices.tolist())
            cloze.append(f"{sentence[pos - 1]}→{guess}")
    result = {
        "time": time.strftime("%Y-%m-%d %H:%M"), "args": vars(a), "params": n_params, "vocab": len(vocab),
        "steps": step, "tokens_per_s": seen / (time.perf_counter() - start), "eval": ev,
        "gap_nats": ev["unigram_ce"] - ev["loss"], "curve": curve, "cloze": cloze,
        "unigram_top5_chars": "".join(vocab[i] for i in uni_top.tolist()),
    }
    if a.save:
        model.save_pretrained(a.save)  # safetensors
        Path(a.save, "vocab.txt").write_text("\n".join(vocab) + "\n", encoding="utf-8")
    print(json.dumps(result, ensure_ascii=False))
    with RUNS.open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(result, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
