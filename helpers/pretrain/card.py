"""The model card (``README.md``) and ``training_log.json`` written next to every course checkpoint."""

from __future__ import annotations

import json
import platform
from dataclasses import asdict
from pathlib import Path

from .recipe import BuildResult, Recipe


def write_card(out: Path, r: Recipe, result: BuildResult, threads: int, command: str) -> None:
    """``README.md`` (the model card) and ``training_log.json`` (recipe, facts, full log) in ``out``."""
    import torch
    import transformers

    log = result.log
    facts = result.facts()
    size_mb = (out / "model.safetensors").stat().st_size / 1e6
    test_rows = "\n".join(f"| {k} | {v} |" for k, v in facts["test"].items())
    curve = "\n".join(f"| {e['step']} | {e['seconds']} | " + ", ".join(f"{k} {v}" for k, v in e.items()
                      if k not in {"step", "seconds", "score"}) + " |" for e in log["eval"])
    text = f"""# {r.name}: a course-trained model for lesson {r.lesson}

Made by this project's own code and data, on the CPU, {result.origin}:

```bash
{command}
```

| | |
|---|---|
| model | {result.load}, {result.params:,} parameters, {size_mb:.1f} MB (safetensors) |
| data | {facts['data']} |
| tokenizer | {facts['tokenizer']} |
| objective | {facts['objective']} |
| training | {r.steps:,} steps × batch {r.batch}, AdamW peak LR {r.lr}, {r.warmup:.0%} warm-up then linear decay, clipping 1.0, dropout {r.dropout}; weights from step {log['best_step']:,} (best validation score) |
| CPU time | {log['cpu_seconds']:,.0f} CPU-seconds ({log['wall_seconds'] / 60:.0f} min wall) on {threads} thread(s), {platform.processor() or platform.machine()}, torch {torch.__version__}, transformers {transformers.__version__} |

## Test split ({r.test_use})

| metric | value |
|---|---|
{test_rows}

## Validation during training

| step | seconds | metrics |
|---|---|---|
{curve}

Full recipe: `training_log.json` (`recipe`), with the training-loss curve every 50 steps.
Licence: the weights are released with the course code (MIT); the training text is from the
package named under *data*.
"""
    (out / "README.md").write_text(text, encoding="utf-8")
    (out / "training_log.json").write_text(
        json.dumps({"recipe": asdict(r), "threads": threads, "params": result.params, **facts, **log},
                   ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
