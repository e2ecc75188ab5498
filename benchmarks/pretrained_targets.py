"""Targets of lessons 04-12 next to what the course checkpoints and lessons measured.

    .venv/bin/python benchmarks/pretrained_targets.py     # prints the table, writes targets.md

Checkpoint metrics come from each checkpoint's ``training_log.json`` (``test``: measured by
``python -m helpers.pretrain NAME`` on the held-out test split after training); lesson-level
numbers (fill-mask probes) from the lesson's stored outputs, which
``python -m coursetools.run_lessons --store`` produces in one clean run; lesson times from
``lessons.md``; lesson 10's transfer gain over several seeds from ``transfer.md``
(``transfer_seeds.py``) and its real-pretrained comparison from ``little_data.json``
(``little_data.py``). The tests assert looser floors. A retired target keeps its row, with its old
goal named and its measured value, and no verdict ("—").
"""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path

from coursetools.notebooks import printed_text, read
from helpers.checkpoints import checkpoint_dir, course_checkpoints

ROOT = Path(__file__).resolve().parents[1]
TABLE = Path(__file__).with_name("targets.md")
RETIRED = "retired target (was {}): measured only"  # targets dropped when the lesson was rebuilt around a real pretrained model


def _log(name: str) -> dict:
    return json.loads((checkpoint_dir(name) / "training_log.json").read_text(encoding="utf-8"))


def _stored_output(notebook: str, pattern: str) -> re.Match:
    """The match of ``pattern`` in the lesson's stored outputs; a target whose line is gone is an error, not a missing row."""
    match = re.search(pattern, printed_text(read(ROOT / "notebooks" / notebook)))
    if match is None:
        raise ValueError(f"{notebook}'s stored outputs no longer print a line matching {pattern!r}: update the "
                         f"pattern in {Path(__file__).name} to what the lesson prints now")
    return match


def _lesson_seconds() -> dict[str, int]:
    rows = (ROOT / "benchmarks" / "lessons.md").read_text(encoding="utf-8")
    return {m.group(1): int(m.group(2)) for m in re.finditer(r"`(\d\d)_\S+\.ipynb` \| (\d+) \|", rows)}


def rows() -> list[tuple[str, str, str, bool]]:
    out = []
    bert, gpt, t5 = _log("bert-zh"), _log("gpt-en"), _log("t5-zh")
    b = bert["test"]
    gap = b["unigram_ce"] - b["mlm_loss"]
    out.append(("04 BERT-zh masked-token loss under the unigram cross-entropy", "≥ 1 nat",
                f"{gap:.2f} nats ({b['mlm_loss']:.3f} vs {b['unigram_ce']:.3f})", gap >= 1.0))
    ratio = b["top1"] / b["unigram_top1"]
    out.append(("04 BERT-zh top-1 vs the unigram baseline", "≥ 3×", f"{ratio:.1f}× ({b['top1']:.3f} vs {b['unigram_top1']:.3f})", ratio >= 3))
    probes = _stored_output("04_bert_mlm_nsp.ipynb", r"in the top 5: (\d+) of (\d+)")
    hits, total = int(probes.group(1)), int(probes.group(2))
    out.append(("04 fill-mask: right character in the top 5 (lesson's new sentences)", "most", f"{hits} of {total}", hits > total / 2))
    out.append(("04 NSP accuracy on held-out pairs", "≥ 0.75", f"{b['nsp_acc']:.3f} ({b['pairs']:,} pairs)", b["nsp_acc"] >= 0.75))
    g = gpt["test"]
    out.append(("05 GPT held-out perplexity vs unigram", "≤ 0.5×", f"{g['ratio']:.3f}× ({g['ppl']:,.0f} vs {g['unigram_ppl']:,.0f})", g["ratio"] <= 0.5))
    span = _log("t5-zh-span")
    t = span["test"]
    gap = t["unigram_ce"] - t["char_loss"]
    out.append(("06 T5-zh-span: removed characters' loss under the unigram cross-entropy", "≥ 1 nat",
                f"{gap:.2f} nats ({t['char_loss']:.3f} vs {t['unigram_ce']:.3f}, {t['removed_chars']:,} characters)", gap >= 1.0))
    t5ner = _log("t5-zh-ner")["test"]
    rand = json.loads((ROOT / "benchmarks" / "text2text_entity_random.json").read_text(encoding="utf-8"))["test"]
    gain = 100 * (t5ner["entity_f1"] - rand["entity_f1"])
    out.append(("06 entity F1 as text, all training windows: t5-zh-ner − the same recipe from random init", "> 0",
                f"{gain:+.1f} points ({t5ner['entity_f1']:.3f} vs {rand['entity_f1']:.3f}; lexicon {t5ner['lexicon_f1']:.3f})",
                gain > 0))
    t = t5["test"]
    out.append(("06 T5 numbers: exact match (greedy / beam 4)", "≥ 0.95", f"{t['exact_match_greedy']:.3f} / {t['exact_match_beam4']:.3f} "
                f"({t['examples']:,} held-out numbers)", t["exact_match_greedy"] >= 0.95))
    out.append(("06 T5 numbers: bare integers 0-99 written right", "all", f"{t['short_integers_right']} of {t['short_integers']}",
                t["short_integers_right"] == t["short_integers"]))
    albert, ner = _log("albert-zh"), _log("albert-zh-ner")
    a = albert["test"]
    gap = a["unigram_ce"] - a["mlm_loss"]
    out.append(("07 ALBERT-zh masked-token loss under the unigram cross-entropy", "≥ 1 nat",
                f"{gap:.2f} nats ({a['mlm_loss']:.3f} vs {a['unigram_ce']:.3f})", gap >= 1.0))
    out.append(("07 ALBERT-zh sentence-order prediction on held-out pairs", "> chance (0.5)",
                f"{a['sop_acc']:.3f} ({a['pairs']:,} pairs)", a["sop_acc"] > 0.5))
    n = ner["test"]
    out.append(("07 NER entity F1 (seqeval micro), held-out articles", "≥ 0.80 and > lexicon",
                f"{n['entity_f1_micro']:.3f} vs lexicon {n['lexicon_baseline_f1']:.3f} ({n['entities']:,} entities)",
                n["entity_f1_micro"] >= 0.80 and n["entity_f1_micro"] > n["lexicon_baseline_f1"]))
    live = _stored_output("07_albert_ner.ipynb", r"entity F1, pretrained - random: ([+-]\d+\.\d) points")
    points = float(live.group(1))
    out.append(("07 pretrained vs random init, same small data and steps (lesson's live run)", "≥ +5 F1 points",
                f"{points:+.1f} points", points >= 5))
    cws = _log("bert-zh-cws")
    c = cws["test"]
    out.append(("08 word segmentation F1, shipped model, held-out articles", "> maximum matching",
                f"{c['word_f1']:.3f} vs maximum matching {c['max_match_f1']:.3f}; OOV recall {c['oov_recall']:.3f} vs "
                f"{c['max_match_oov_recall']:.3f} ({c['words']:,} words)", c["word_f1"] > c["max_match_f1"]))
    live = _stored_output("08_chinese_word_segmentation.ipynb",
                          r"1,000 windows: pretrained - random ([+-]\d+\.\d) F1 points")
    points = float(live.group(1))
    out.append(("08 pretrained vs random init at 1,000 windows (lesson's live run)", "≥ +5 F1 points",
                f"{points:+.1f} points", points >= 5))
    multi = _log("bert-zh-multilabel")
    tuned = _stored_output("09_multilabel_bert.ipynb",
                           r"micro-F1 \(tuned\): BERT course (\d\.\d+) vs TF-IDF \+ LR (\d\.\d+) vs frequency (\d\.\d+)")
    ours, tfidf, freq = (float(g) for g in tuned.groups())
    out.append(("09 multi-label micro-F1, thresholds tuned on validation (lesson's test split)", "≥ 0.85",
                f"{ours:.3f} vs TF-IDF + LR {tfidf:.3f} vs frequency {freq:.3f}", ours >= 0.85))
    out.append(("09 multi-label micro-F1 at threshold 0.5 (checkpoint card)", "—",
                f"{multi['test']['micro_f1_at_0.5']:.3f} ({multi['test']['sentences']:,} sentences)", True))
    reviews, sentiment = _log("bert-zh-reviews"), _log("bert-zh-sentiment")
    r = reviews["test"]
    out.append(("10 continued pretraining: masked loss on held-out reviews, before → after", "lower",
                f"{r['reviews_62_mlm_loss_bert-zh']:.3f} → {r['reviews_62_mlm_loss_after']:.3f} nats "
                f"(news: {r['news_62_mlm_loss_bert-zh']:.3f} → {r['news_62_mlm_loss_after']:.3f})",
                r["reviews_62_mlm_loss_after"] < r["reviews_62_mlm_loss_bert-zh"]))
    sweep = _stored_output("10_finetune_little_data.ipynb", r"pretrained - random, test accuracy points: (.*)")
    gains = [float(g) for g in re.findall(r"reviews ([+-]\d+\.\d)", sweep.group(1))]
    out.append(("10 pretrained vs random init at 100 / 300 / 1,000 reviews (lesson's live runs)",
                RETIRED.format("≥ +5 accuracy points"), sweep.group(1), None))
    seeds = ROOT / "benchmarks" / "transfer.md"
    if seeds.exists():  # benchmarks/transfer_seeds.py: the same experiment over several seeds, two budgets
        for classifier, budget in itertools.product(("new head", "prompt"), ("lesson", "longer")):
            found = re.findall(rf"^\| {classifier} \| {budget} \| ([\d,]+) \| (\d+) \((\d+)\) \|.*"
                               rf"\| ([+-]\d+\.\d) \| \d+ of (\d+) \|$", seeds.read_text(encoding="utf-8"), re.M)
            if found:
                how = "the lesson's new head" if classifier == "new head" else "prompt-based (MLM head, no new weights)"
                out.append((f"10 pretrained vs random init, mean of {found[0][4]} seeds, {how}, {budget} training budget "
                            f"({found[0][2]}-{found[-1][2]} steps; transfer.md)", RETIRED.format("≥ +5 accuracy points"),
                            ", ".join(f"{n} reviews {gain}" for n, _, _, gain, _ in found), None))
    s = sentiment["test"]
    out.append(("12 sentiment accuracy, shipped model (1,736 held-out reviews)", RETIRED.format("≥ 0.85"),
                f"{s['accuracy']:.4f} vs TF-IDF + LR {s['tfidf_lr_accuracy']:.4f} vs majority {s['majority_accuracy']:.4f}",
                None))
    little = ROOT / "benchmarks" / "little_data.json"
    if little.exists():  # benchmarks/little_data.py: a really pretrained encoder with little labelled data
        bench = json.loads(little.read_text(encoding="utf-8"))
        n = str(bench["sizes"][-1])
        mean = {m: sum(v[n]) / len(v[n]) for m, v in bench["accuracy"].items()}
        for method in ("frozen pretrained + LR", "fine-tuned pretrained"):
            rivals = ("TF-IDF + LR", method.replace("pretrained", "random"))
            out.append((f"10 MiniLM, {n} movie sentences, {bench['folds']}-fold: {method} vs {' and '.join(rivals)} "
                        "(little_data.json)", "ahead of both",
                        f"{mean[method]:.3f} vs {mean[rivals[0]]:.3f} and {mean[rivals[1]]:.3f}",
                        all(mean[method] > mean[r] for r in rivals)))
    gz = _log("gpt-zh")["test"]
    out.append(("11 gpt-zh held-out perplexity vs the interpolated character trigram", "below it",
                f"{gz['ppl']:.1f} vs trigram {gz['trigram_ppl']:.1f} vs unigram {gz['unigram_ppl']:,.0f} "
                f"({gz['tokens']:,} characters)", gz["ppl"] < gz["trigram_ppl"]))
    heads = _stored_output("11_gpt_to_chatgpt.ipynb", r"test, chat \(SFT\) vs base few-shot vs baseline: (.*)")
    cells = re.findall(r"(\w+) (\d\.\d+) vs (\d\.\d+) vs (\d\.\d+)", heads.group(1))
    out.append(("11 instruction-tuned chat model vs the base model prompted with 3 examples, every task (lesson's test examples)",
                "ahead on every task", "; ".join(f"{t} {c} vs {b}" for t, c, b, _ in cells),
                all(float(c) > float(b) for _, c, b, _ in cells)))
    out.append(("11 chat model vs the earlier lessons' non-neural baselines (same examples)", "measured only",
                "; ".join(f"{t} {c} vs {base}" for t, c, _, base in cells), None))
    for name, log in (("bert-zh", bert), ("gpt-en", gpt), ("t5-zh", t5), ("t5-zh-span", span), ("t5-zh-ner", _log("t5-zh-ner")), ("albert-zh", albert), ("albert-zh-ner", ner),
                      ("bert-zh-cws", cws), ("bert-zh-multilabel", multi), ("bert-zh-reviews", reviews), ("bert-zh-sentiment", sentiment),
                      ("gpt-zh", _log("gpt-zh")), ("gpt-zh-chat", _log("gpt-zh-chat"))):
        out.append((f"{name}: training CPU time ({log['threads']} thread{'s' if log['threads'] > 1 else ''})", "≤ 2 h",
                    f"{log['cpu_seconds'] / 60:.0f} CPU-min, {log['recipe']['steps']:,} steps", log["cpu_seconds"] <= 7200))
    size = sum(p.stat().st_size for n in course_checkpoints() for p in checkpoint_dir(n).iterdir()) / 1e6
    out.append(("all checkpoints together", "≤ 80 MB", f"{size:.1f} MB", size <= 80))
    seconds = _lesson_seconds()
    for lesson in ("02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12"):
        if lesson in seconds:
            out.append((f"lesson {lesson} clean run on 2 cores", "≤ 120 s", f"{seconds[lesson]} s", seconds[lesson] <= 120))
    return out


def main() -> int:
    table = ["| target | goal | measured | met |", "|---|---|---|---|"]
    table += [f"| {what} | {goal} | {got} | {'—' if ok is None else 'yes' if ok else '**no**'} |" for what, goal, got, ok in rows()]
    text = "# Lessons 04-12: targets\n\nWritten by `benchmarks/pretrained_targets.py`.\n\n" + "\n".join(table) + "\n"
    TABLE.write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
