"""Test-suite wide setup: run everything offline with the network guard armed.

* pytest's own process: the guard is installed before any test module is imported.
* every notebook kernel that nbval starts: ``PLM_NETGUARD=1`` is inherited and an
  IPython startup file (in a private ``IPYTHONDIR``) arms the guard before the
  first cell runs, so even a cell before ``helpers.setup()`` cannot connect.
* at the end, the session fails if any process logged a blocked connection
  attempt, even one that a library caught and swallowed.
* the write guard (``helpers.writeguard``) is armed the same way: any file written
  outside the course folder, the temporary directory and the caches fails the session.
* cells tagged ``# NBVAL_CHECK_OUTPUT`` are compared with their stored output with a numeric
  tolerance (:func:`texts_match`): the words must be identical, the numbers may differ by the
  rounding that another CPU or thread count causes, never by more. Determinism (two fresh runs
  print identical text) is checked exactly by ``tests/test_determinism.py``.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections import defaultdict
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


NUMBER = re.compile(r"(?<![\w.])[-−]?\d+(?:,\d{3})*(?:\.\d+)?(?:e[-+]?\d+)?(?![\w])")
# Two printed decimals agree when they differ by at most ULPS units in the last printed digit
# plus RELATIVE of their size: what summing in another order (other CPU, other thread count)
# does to a metric printed with 3-4 decimals, and far less than any real change of a result.
# Whole numbers (counts, sizes, parameter counts) must be identical.
ULPS, RELATIVE = 2, 1e-3


def numbers_match(stored: str, fresh: str) -> bool:
    """Whether two printed numbers agree within the rounding tolerance (see ``ULPS``, ``RELATIVE``)."""
    if stored == fresh:
        return True
    mantissa, _, exponent = stored.replace(",", "").lower().partition("e")
    if "." not in mantissa:
        return False
    last_digit = 10.0 ** (int(exponent or 0) - len(mantissa.split(".")[1]))
    a, b = (float(x.replace(",", "").replace("−", "-")) for x in (stored, fresh))
    return abs(a - b) <= ULPS * last_digit + RELATIVE * max(abs(a), abs(b))


def texts_match(stored: str, fresh: str) -> bool:
    """Same words (whitespace runs may differ in width), and each number within :func:`numbers_match`."""
    words = [" ".join(part.split()) for part in NUMBER.split(stored)], [" ".join(part.split()) for part in NUMBER.split(fresh)]
    numbers = NUMBER.findall(stored), NUMBER.findall(fresh)
    return (words[0] == words[1] and len(numbers[0]) == len(numbers[1])
            and all(numbers_match(a, b) for a, b in zip(*numbers)))


def _texts(outputs, skip) -> dict[str, list[str]]:
    flat: dict[str, list[str]] = defaultdict(list)
    for output in outputs:
        if output.get("output_type") == "stream":
            flat[output.get("name", "stdout")].append(output.get("text", ""))
        for key, value in output.get("data", {}).items():
            if key not in skip:
                flat[key].append(value if isinstance(value, str) else str(value))
    return flat


def _compare_with_tolerance(original):
    def compare_outputs(self, test, ref, skip_compare=None):
        if original(self, test, ref, skip_compare):
            return True
        skip = skip_compare or self.parent.skip_compare
        fresh, stored = _texts(test, skip), _texts(ref, skip)
        if fresh.keys() == stored.keys() and all(
                len(fresh[k]) == len(stored[k]) and all(texts_match(self.sanitize(a), self.sanitize(b))
                                                         for a, b in zip(stored[k], fresh[k])) for k in stored):
            self.comparison_traceback = []
            return True
        return False
    return compare_outputs


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
    try:
        from nbval.plugin import IPyNbCell
    except ImportError:  # nbval not installed: no notebook is collected either
        return
    if not getattr(IPyNbCell.compare_outputs, "_with_tolerance", False):
        IPyNbCell.compare_outputs = _compare_with_tolerance(IPyNbCell.compare_outputs)
        IPyNbCell.compare_outputs._with_tolerance = True


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Every cell nbval collects from a lesson is a ``notebook`` test: ``-m "not notebook"`` runs the unit tests alone."""
    for item in items:
        if item.path.suffix == ".ipynb":
            item.add_marker(pytest.mark.notebook)


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


def _browser_missing(message: str) -> None:
    if os.environ.get("PLM_REQUIRE_BROWSER") == "1":  # .ci/run: the browser checks must run
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture
def chromium() -> str:
    """The system Chromium for the browser checks (quiz clicks, slides): ``$CHROMIUM`` or
    /usr/bin/chromium, driven by Playwright. Missing: skipped with the reason, or failed when
    ``PLM_REQUIRE_BROWSER=1``."""
    path = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    if not Path(path).exists():
        _browser_missing(f"{path} not found: apt-get install chromium fonts-noto-cjk (or set CHROMIUM)")
    try:
        import playwright  # noqa: F401
    except ImportError:
        _browser_missing("the playwright package is missing: pip install -e '.[book]'")
    return path


@pytest.fixture
def web_assets() -> None:
    """MathJax and reveal.js fetched by scripts/web_assets.sh (npm, once)."""
    from coursetools.slides import ASSETS

    if not all((src / ".complete").is_file() for src in ASSETS.values()):
        _browser_missing("web assets missing: run `bash scripts/web_assets.sh` (npm, once)")
