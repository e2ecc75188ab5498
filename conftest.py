"""Test-suite wide setup: run everything offline with the network guard armed.

* pytest's own process: the guard is installed before any test module is imported.
* every notebook kernel that nbval starts: ``PLM_NETGUARD=1`` is inherited and an
  IPython startup file (in a private ``IPYTHONDIR``) arms the guard before the
  first cell runs, so even a cell before ``helpers.setup()`` cannot connect.
* at the end, the session fails if any process logged a blocked connection
  attempt, even one that a library caught and swallowed.
* the write guard (``helpers.writeguard``) is armed the same way: any file written
  outside the course folder, the temporary directory and the caches fails the session.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from helpers import netguard, writeguard

_STATE = Path(tempfile.mkdtemp(prefix="plm-tests-"))
GUARD_LOG = _STATE / "netguard.jsonl"
WRITE_LOG = _STATE / "writes-outside.jsonl"
IPYTHON_DIR = _STATE / "ipython"

_STARTUP = """\
# Written by the course's conftest.py: arm the network guard in this kernel.
from helpers import netguard as _netguard, writeguard as _writeguard
_netguard.install_from_env()
_writeguard.install_from_env()
del _netguard, _writeguard
"""


def allowed_write_roots() -> list[str]:
    """Where tests and lessons may write: the course folder, the temp directory and caches."""
    from jupyter_core.paths import jupyter_runtime_dir

    home = Path.home()
    return [str(Path(__file__).resolve().parent), tempfile.gettempdir(), str(_STATE),
            os.environ.get("XDG_CACHE_HOME", str(home / ".cache")), os.environ.get("HF_HOME", ""),
            os.environ.get("MPLCONFIGDIR", ""), jupyter_runtime_dir()]


def pytest_configure(config: pytest.Config) -> None:
    startup = IPYTHON_DIR / "profile_default" / "startup"
    startup.mkdir(parents=True, exist_ok=True)
    (startup / "00-netguard.py").write_text(_STARTUP, encoding="utf-8")
    os.environ.update(
        {
            netguard.ENV_FLAG: "1",
            netguard.ENV_LOG: str(GUARD_LOG),
            "IPYTHONDIR": str(IPYTHON_DIR),
            "PLM_MODE": os.environ.get("PLM_MODE", "tiny"),
            "HF_HUB_OFFLINE": "1",
            "HF_DATASETS_OFFLINE": "1",
            "TRANSFORMERS_OFFLINE": "1",
            "TOKENIZERS_PARALLELISM": "false",
            writeguard.ENV_ROOTS: os.pathsep.join(r for r in allowed_write_roots() if r),
            writeguard.ENV_LOG: str(WRITE_LOG),
        }
    )
    netguard.install()
    writeguard.install_from_env()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    attempts = netguard.read_log(GUARD_LOG)
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_line(f"network guard: {len(attempts)} connection attempt(s) blocked during this run")
        for entry in attempts[:20]:
            reporter.write_line(f"  {entry['kind']} -> {entry['target']} (pid {entry['pid']}) at {entry['where'][-1:]}")
    writes = writeguard.read_log(WRITE_LOG)
    if reporter is not None:
        reporter.write_line(f"write guard: {len(writes)} write(s) outside the course folder, temp and cache directories")
        for entry in writes[:20]:
            reporter.write_line(f"  {entry['event']} {entry['paths']} (pid {entry['pid']}) at {entry['where'][-2:]}")
    if (attempts or writes) and session.exitstatus == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
