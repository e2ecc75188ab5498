"""Masked-LM pretraining data (lessons 04 and 07; the ``bert-zh``, ``albert-zh`` and ``bert-zh-reviews`` recipes).

Lesson 04 writes each function out in its cells and checks the copy here against it:
:func:`split_clauses` (its ``clause_re``), :func:`nsp_example` (its ``nsp_example``) and
:func:`mask_for_mlm` (its ``mask_tokens``).
"""

from __future__ import annotations

import random
import re

BERT_SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
# clause ends; the corpus is NFKC-normalised, so full-width ，！？；： arrive as ASCII ,!?;:
CLAUSE_END = re.compile(r"[^,。!?;:]*[,。!?;:]|[^,。!?;:]+$")

Pair = tuple[list[int], list[int], int]  # (segment A ids, segment B ids, label)


def split_clauses(text: str) -> list[str]:
    """A paragraph cut after each clause end (, 。 ! ? ; :), as the bert-zh and albert-zh checkpoints saw it."""
    return [c for c in CLAUSE_END.findall(text) if c]


def nsp_example(articles: list[list[list[int]]], k: int, i: int, rng: random.Random, max_len: int) -> Pair:
    """BERT's next-sentence example starting at clause ``i`` of article ``k``: ``(A, B, label)``.

    A is a run of whole clauses of a random target length (8 to half the room + 8), cut to keep
    its end; B follows A (label 0) or starts at a random clause of another article (1), 50/50.
    ``[CLS] A [SEP] B [SEP]`` fits in ``max_len``.
    """
    body = max_len - 3
    clauses = articles[k]
    target = rng.randint(8, body // 2 + 8)
    a, j = [], i
    while j < len(clauses) - 1 and len(a) < target:
        a += clauses[j]
        j += 1
    a = a[-(body - 8):]
    if rng.random() < 0.5:
        source, label = clauses, 0
    else:
        other = rng.randrange(len(articles) - 1)
        other += other >= k
        source, j, label = articles[other], rng.randrange(len(articles[other])), 1
    b = []
    while j < len(source) and len(a) + len(b) < body:
        b += source[j]
        j += 1
    return a, b[: body - len(a)], label


def sop_example(clauses: list[list[int]], i: int, rng: random.Random, max_len: int) -> Pair | None:
    """ALBERT's sentence-order example at clause ``i``: two consecutive runs of whole clauses, in order (0) or swapped (1).

    One stopping rule for both segments, so length gives no cue; ``None`` when the two do not fit.
    """
    body = max_len - 3
    target = rng.randint(8, body // 2)
    a, j = clauses[i], i + 1
    while j < len(clauses) - 1 and len(a) < target:
        a, j = a + clauses[j], j + 1
    b, k = clauses[j], j + 1
    while k < len(clauses) and len(b) < target:
        b, k = b + clauses[k], k + 1
    if len(a) + len(b) > body:
        return None
    return (b, a, 1) if rng.random() < 0.5 else (a, b, 0)


def sentence_pairs(articles: list[list[list[int]]], max_len: int, rng: random.Random, task: str = "nsp") -> list[Pair]:
    """One epoch of examples: one per clause start of every article (``task`` "nsp" or "sop")."""
    if task not in {"nsp", "sop"}:
        raise ValueError(f"task must be 'nsp' (BERT) or 'sop' (ALBERT), got {task!r}.")
    out = []
    for k, clauses in enumerate(articles):
        for i in range(len(clauses) - 1):
            if task == "nsp":
                out.append(nsp_example(articles, k, i, rng, max_len))
            elif (pair := sop_example(clauses, i, rng, max_len)) is not None:
                out.append(pair)
    return out


def pack_pairs(examples: list[Pair], cls: int, sep: int):
    """``[CLS] A [SEP] B [SEP]`` rows padded with 0: ``(input_ids, token_type_ids, labels)`` tensors."""
    import torch

    n, width = len(examples), max(len(a) + len(b) + 3 for a, b, _ in examples)
    ids = torch.zeros(n, width, dtype=torch.long)
    types = torch.zeros(n, width, dtype=torch.long)
    for row, (a, b, _) in enumerate(examples):
        seq = [cls] + a + [sep] + b + [sep]
        ids[row, : len(seq)] = torch.tensor(seq)
        types[row, len(a) + 2 : len(seq)] = 1
    labels = torch.tensor([lab for _, _, lab in examples])
    return ids, types, labels


def mask_for_mlm(ids, vocab_size: int, n_special: int, rate: float, generator):
    """15 % of the real tokens; of those 80 % -> [MASK], 10 % -> random token, 10 % unchanged.

    The shipped BERT's masking (lesson 04 writes the same rule out cell by cell and checks it
    against this function). Special tokens (ids below ``n_special``) are never chosen.
    Returns ``(inputs, chosen)`` where ``chosen`` marks the positions the loss is computed on.
    """
    import torch

    chosen = (torch.rand(ids.shape, generator=generator) < rate) & (ids >= n_special)
    inputs = ids.clone()
    r = torch.rand(ids.shape, generator=generator)
    inputs[chosen & (r < 0.8)] = BERT_SPECIALS.index("[MASK]")
    swap = chosen & (r >= 0.8) & (r < 0.9)
    inputs[swap] = torch.randint(n_special, vocab_size, ids.shape, generator=generator)[swap]
    return inputs, chosen
