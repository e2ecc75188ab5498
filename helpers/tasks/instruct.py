"""Instruction data built from the course's real annotations, and how answers are scored (lesson 11).

Four tasks, each asked in several phrasings (``PHRASINGS``): sentiment of a product review (the review's label),
the person / place / organisation names in a People's Daily sentence (PKU tags), the sentence's word
segmentation (PKU gold words) and a number read out in Chinese (``cn2an``). Cheque amounts (大写金额) are left
out: five of their characters (贰叁柒捌仟) never occur in the news and review text, so the character vocabulary
of ``gpt-zh`` has no token for them (lesson 11 shows this). No answer is
written by hand: every answer is an annotation or a converter's output. Training examples come from the
training splits and use the training phrasings; held-out examples come from the test split, once with a
training phrasing and once with a phrasing that never appears in training (``"unseen"``).

Lesson 11 writes :data:`CHAT_TEMPLATE` out in its cells and checks this copy equal; it imports the data
builders and scorers, as do the ``gpt-zh-chat`` recipe and ``benchmarks/instruct.py``.
"""

from __future__ import annotations

import random
import re

import datasets

CHAT_TEMPLATE = (
    "{{ bos_token }}"
    "{% for message in messages %}"
    "{% if message['role'] == 'user' %}用户:{{ message['content'] }}\n"
    "{% elif message['role'] == 'assistant' %}助手:{% generation %}{{ message['content'] }}{{ eos_token }}{% endgeneration %}"
    "{% else %}{{ raise_exception('only user and assistant turns are supported, got ' + message['role']) }}"
    "{% endif %}{% endfor %}"
    "{% if add_generation_prompt %}助手:{% endif %}"
)
"""The chat format of ``gpt-zh-chat``: ``<|endoftext|>用户:…\\n助手:…<|endoftext|>``; ``{% generation %}`` marks
the assistant's tokens, which is what ``return_assistant_tokens_mask`` and TRL's ``assistant_only_loss`` read."""

KINDS = {"PER": "人名", "LOC": "地名", "ORG": "机构名"}
NUMBER_MODE = "low"  # cn2an's mode for how a number is read: 1998 -> 一千九百九十八

PHRASINGS = {
    "sentiment": {
        "train": ["这条评论是好评还是差评？", "判断下面这条评论的情感，回答好评或差评。", "顾客对商品满意吗？回答好评或差评。",
                  "这条商品评价是正面还是负面？正面答好评，负面答差评。"],
        "unseen": "读一读这位买家的留言，告诉我它算好评还是差评。",
    },
    "ner": {
        "train": ["找出这句话里所有的{kind}。", "这句话提到了哪些{kind}？", "列出句中出现的{kind}，用顿号隔开，没有就回答无。",
                  "句子里有什么{kind}？"],
        "unseen": "请把下文中的{kind}都挑出来。",
    },
    "segment": {
        "train": ["给这句话分词。", "把下面的句子切分成词，词之间用空格隔开。", "请对这句话做中文分词。", "这句话由哪些词组成？"],
        "unseen": "在下面这句话的词与词之间加上空格。",
    },
    "number": {
        "train": ["把这个数字读成中文。", "这个数怎么读？用汉字写出来。", "用中文写出这个数的读法。", "请将数字转成中文读法。"],
        "unseen": "这个数字念出来是什么？",
    },
}
"""Instruction phrasings per task: four for training, one kept for testing only. ``{kind}`` is 人名 / 地名 / 机构名."""

TASKS = tuple(PHRASINGS)
MAX_REVIEW_CHARS = 80  # longer reviews are left out of the sentiment task (the description says how many)
SENTENCE_CHARS = (8, 40)  # People's Daily sentences of this many characters feed the ner and segment tasks
SEPARATOR = "、"  # between the names of an ner answer
NONE = "无"  # the ner answer when the sentence names nothing of that kind


class InstructDataError(ValueError):
    """Bad arguments to the instruction-data builders or scorers."""


def sentences(split: str) -> list[dict]:
    """People's Daily sentences of ``split`` (cut after 。！？) with their gold words and PER/LOC/ORG names.

    Keeps sentences of ``SENTENCE_CHARS`` characters whose cut does not fall inside a word.
    """
    from ..data import load_people_daily

    out = []
    for row in load_people_daily(split=split):
        words, ents = row["words"], row["entities"]
        start, bounds = 0, []
        for w in words:
            bounds.append((start, start + len(w), w))
            start += len(w)
        piece: list = []
        for a, b, w in bounds:
            piece.append((a, b, w))
            if w[-1] in "。！？" or (a, b, w) == bounds[-1]:
                s, e = piece[0][0], piece[-1][1]
                if SENTENCE_CHARS[0] <= e - s <= SENTENCE_CHARS[1]:
                    names = {k: [] for k in KINDS}
                    for ent in ents:
                        if s <= ent["start"] and ent["end"] <= e and ent["text"] not in names[ent["type"]]:
                            names[ent["type"]].append(ent["text"])
                    out.append({"text": row["text"][s:e], "words": [x[2] for x in piece], "names": names,
                                "article": row["article"]})
                piece = []
    return out


def number_split(number: str) -> str:
    """Which split a number belongs to (a checksum of its digits: 10 % test, 10 % validation), so no held-out
    number is ever trained on, however small."""
    import zlib

    bucket = zlib.crc32(number.encode()) % 10
    return "test" if bucket == 0 else "validation" if bucket == 1 else "train"


def _number(rng: random.Random, split: str) -> str:
    """A number of ``split``: 1-6 integer digits (zeros common, to exercise 零), sometimes one or two decimals."""
    while True:
        digits = rng.randint(1, 6)
        text = str(rng.randint(1, 9)) + "".join("0" if rng.random() < 0.3 else str(rng.randint(1, 9))
                                                for _ in range(digits - 1))
        if rng.random() < 0.25:
            text += "." + "".join(str(rng.randint(0, 9)) for _ in range(rng.randint(1, 2)))
        if number_split(text) == split:
            return text


def _example(task: str, phrasing: str, source: str, answer: str, kind: str = "") -> dict:
    return {"task": task, "kind": kind, "phrasing": phrasing, "source": source, "answer": answer,
            "messages": [{"role": "user", "content": f"{phrasing}\n{source}"}, {"role": "assistant", "content": answer}]}


def instruction_examples(split: str, per_task: int, seed: int = 0, unseen: bool = False) -> datasets.Dataset:
    """``per_task`` examples of every task from ``split`` ("train", "validation" or "test").

    ``unseen=True`` asks every example with its task's held-out phrasing (only for validation and test).
    Columns: ``task``, ``kind`` (the entity type of an ner example, else empty), ``phrasing``, ``source``, ``answer`` and
    ``messages`` (a user turn and the assistant's answer, the format ``apply_chat_template`` and TRL read).
    """
    import cn2an

    from ..data import load_chinese_reviews

    if split not in {"train", "validation", "test"}:
        raise InstructDataError(f"split must be 'train', 'validation' or 'test', got {split!r}.")
    if unseen and split == "train":
        raise InstructDataError("the unseen phrasings are for testing: never build training examples with them.")
    if not isinstance(per_task, int) or per_task < 1:
        raise InstructDataError(f"per_task must be a positive int, got {per_task!r}.")
    rng = random.Random(f"{split}-{seed}")  # draws the examples: the same with either kind of phrasing
    phrasing_rng = random.Random(f"{split}-{seed}-phrasing")

    def phrase(task):
        table = PHRASINGS[task]["unseen" if unseen else "train"]
        return table if isinstance(table, str) else phrasing_rng.choice(table)

    rows = []
    reviews = load_chinese_reviews(split=split)
    short = [(t, y) for t, y in zip(reviews["text"], reviews["label"]) if len(t) <= MAX_REVIEW_CHARS]
    if len(short) < per_task:
        raise InstructDataError(f"the {split} split has only {len(short)} reviews of <= {MAX_REVIEW_CHARS} characters.")
    for text, label in rng.sample(short, per_task):
        rows.append(_example("sentiment", phrase("sentiment"), text, "好评" if label == 1 else "差评"))
    pool = sentences(split)
    if len(pool) < per_task:
        raise InstructDataError(f"the {split} split has only {len(pool)} sentences of {SENTENCE_CHARS} characters.")
    with_names = {k: [s for s in pool if s["names"][k]] for k in KINDS}
    for i in range(per_task):
        kind = sorted(KINDS)[i % len(KINDS)]
        # two in three sentences name something of the asked kind; the rest are drawn from all sentences
        s = rng.choice(with_names[kind] if rng.random() < 2 / 3 else pool)
        answer = SEPARATOR.join(s["names"][kind]) or NONE
        rows.append(_example("ner", phrase("ner").format(kind=KINDS[kind]), s["text"], answer, kind))
    for s in rng.sample(pool, per_task):
        rows.append(_example("segment", phrase("segment"), s["text"], " ".join(s["words"])))
    for _ in range(per_task):
        number = _number(rng, split)
        rows.append(_example("number", phrase("number"), number, cn2an.an2cn(number, NUMBER_MODE)))
    return datasets.Dataset.from_list(rows)


# --------------------------------------------------------------------------- scoring
def names_in(answer: str) -> set[str]:
    """The set of names in an ner answer (``NONE`` or empty: no names)."""
    answer = answer.strip()
    return set() if answer in ("", NONE) else {n.strip() for n in answer.split(SEPARATOR) if n.strip()}


def word_spans_of(answer: str) -> set[tuple[int, int, str]]:
    """``(start, end, word)`` for the space-separated words of a segmentation answer."""
    out, pos = set(), 0
    for w in answer.split():
        out.add((pos, pos + len(w), w))
        pos += len(w)
    return out


def score(task: str, predictions: list[str], answers: list[str]) -> dict:
    """Metrics for one task: exact match always; accuracy (sentiment), name F1 (ner), word F1 (segment).

    F1s are micro-averaged: true positives, predictions and gold items summed over examples. A prediction
    that spells the sentence differently simply has fewer matching words.
    """
    if task not in TASKS:
        raise InstructDataError(f"unknown task {task!r}: use one of {TASKS}.")
    if len(predictions) != len(answers):
        raise InstructDataError(f"{len(predictions)} predictions for {len(answers)} answers.")
    exact = sum(p.strip() == a for p, a in zip(predictions, answers)) / len(answers)
    out = {"exact_match": exact}
    if task in ("ner", "segment"):
        parts = names_in if task == "ner" else word_spans_of
        hits = n_pred = n_gold = 0
        for p, a in zip(predictions, answers):
            ps, gs = parts(p), parts(a)
            hits, n_pred, n_gold = hits + len(ps & gs), n_pred + len(ps), n_gold + len(gs)
        precision, recall = (hits / n_pred if n_pred else 0.0), (hits / n_gold if n_gold else 0.0)
        out["f1"] = 2 * precision * recall / (precision + recall) if hits else 0.0
    return out


def headline(task: str, metrics: dict) -> float:
    """The one number a table shows for ``task``: F1 for ner and segment, exact match otherwise."""
    return metrics["f1"] if task in ("ner", "segment") else metrics["exact_match"]


def generate_answers(model, tokenizer, prompts: list[str], max_new_tokens: int, batch: int = 50) -> list[str]:
    """Greedy answers to already-formatted ``prompts`` (chat template or few-shot text), each cut at the first
    end-of-text token or line break, in the order of ``prompts``. Prompts of similar length are batched together
    and left-padded, so each continues right where it ends."""
    import torch

    side, tokenizer.padding_side = tokenizer.padding_side, "left"
    lengths = [len(ids) for ids in tokenizer(prompts, add_special_tokens=False)["input_ids"]]
    order = sorted(range(len(prompts)), key=lengths.__getitem__)  # similar lengths together: little padding
    out = []
    try:
        for i in range(0, len(order), batch):
            enc = tokenizer([prompts[j] for j in order[i : i + batch]], return_tensors="pt", padding=True,
                            add_special_tokens=False)
            with torch.no_grad():  # a line break ends an answer too: stop_strings saves generating past it
                ids = model.generate(**enc.to(model.device), max_new_tokens=max_new_tokens, do_sample=False,
                                     pad_token_id=tokenizer.pad_token_id, eos_token_id=tokenizer.eos_token_id,
                                     stop_strings=["\n"], tokenizer=tokenizer)
            for row in ids[:, enc["input_ids"].shape[1] :]:
                text = tokenizer.decode(row, skip_special_tokens=False)
                out.append(text.split(tokenizer.eos_token)[0].split("\n")[0].replace(tokenizer.pad_token, ""))
    finally:
        tokenizer.padding_side = side
    answers = [""] * len(prompts)
    for j, answer in zip(order, out):
        answers[j] = answer
    return answers


MAX_NEW_TOKENS = {"sentiment": 4, "ner": 2 * SENTENCE_CHARS[1], "segment": 2 * SENTENCE_CHARS[1] + 2, "number": 30}
"""How many tokens an answer may take, per task (a segmentation repeats the sentence with a space after each word)."""


def chat_prompts(tokenizer, examples) -> list[str]:
    """Each example's user turn in the tokenizer's chat template, ready for the assistant to answer."""
    if not getattr(tokenizer, "chat_template", None):
        raise InstructDataError("the tokenizer has no chat_template: set tokenizer.chat_template = CHAT_TEMPLATE first.")
    return [tokenizer.apply_chat_template(m[:1], tokenize=False, add_generation_prompt=True) for m in examples["messages"]]


def answer_and_score(model, tokenizer, examples, prompts: list[str] | None = None) -> tuple[dict, list[str]]:
    """Generate an answer to every example (its chat prompt, or ``prompts``) and score each task.

    Returns ``({task: metrics}, predictions)``, predictions in the order of ``examples``.
    """
    prompts = chat_prompts(tokenizer, examples) if prompts is None else prompts
    predictions = [""] * len(prompts)
    results = {}
    for task in TASKS:
        idx = [i for i, t in enumerate(examples["task"]) if t == task]
        if not idx:
            continue
        answers = generate_answers(model, tokenizer, [prompts[i] for i in idx], MAX_NEW_TOKENS[task])
        for i, a in zip(idx, answers):
            predictions[i] = a
        results[task] = score(task, answers, [examples["answer"][i] for i in idx])
    return results, predictions
