"""Test-suite wide setup: run everything offline with the network guard armed.

* pytest's own process: the guard is installed before any test module is imported.
* every notebook kernel that nbval starts: ``PLM_NETGUARD=1`` is inherited and an
  IPython startup file (in a private ``IPYTHONDIR``) arms the guard before the
  first cell runs, so even a cell before ``helpers.setup()`` cannot connect.
* at the end, the session fails if any process logged a blocked connection
  attempt, even one that a library caught and swallowed.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from helpers import netguard

_STATE = Path(tempfile.mkdtemp(prefix="plm-tests-"))
GUARD_LOG = _STATE / "netguard.jsonl"
IPYTHON_DIR = _STATE / "ipython"

_STARTUP = """\
# Written by the course's conftest.py: arm the network guard in this kernel.
from helpers import netguard as _netguard
_netguard.install_from_env()
del _netguard
"""


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
        }
    )
    netguard.install()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    attempts = netguard.read_log(GUARD_LOG)
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_line(f"network guard: {len(attempts)} connection attempt(s) blocked during this run")
        for entry in attempts[:20]:
            reporter.write_line(f"  {entry['kind']} -> {entry['target']} (pid {entry['pid']}) at {entry['where'][-1:]}")
    if attempts and session.exitstatus == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
