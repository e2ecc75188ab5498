"""Write guard: record every file write outside the allowed directories.

Used by the test suite, for every lesson: the root ``conftest.py`` arms it in pytest's
process and, through the same IPython startup file as :mod:`helpers.netguard`, in every
notebook kernel, so a lesson that writes into a student's home directory (or anywhere but
the course folder, the temporary directory and the caches) fails the run.

It is a :func:`sys.addaudithook` hook: Python raises an audit event for every ``open``
(with its flags), ``mkdir``, ``rename``/``replace``, ``remove``, ``rmdir`` and
``shutil.rmtree``. The hook only records (one JSON line per write in the file named by
``PLM_WRITEGUARD_LOG``); it never blocks, so a library that writes somewhere unexpected is
reported with the place in the code instead of crashing halfway through a lesson.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import traceback

ENV_ROOTS = "PLM_WRITEGUARD_ROOTS"  # allowed directories, separated by os.pathsep
ENV_LOG = "PLM_WRITEGUARD_LOG"

_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_TRUNC
_PATH_EVENTS = {"os.mkdir": 1, "os.rename": 2, "os.remove": 1, "os.rmdir": 1, "shutil.rmtree": 1,
                "os.symlink": 2, "os.link": 2, "os.truncate": 1}
_state = threading.local()
_installed: list[tuple[tuple[str, ...], str]] = []


def written_paths(event: str, args: tuple) -> list[str]:
    """The paths an audit event writes to ([] for reads and for events that write nothing)."""
    if event == "open":
        path, mode, flags = args
        writing = any(c in mode for c in "wax+") if isinstance(mode, str) else bool(flags & _WRITE_FLAGS)
        candidates = [path] if writing else []
    elif event in _PATH_EVENTS:
        candidates = list(args[: _PATH_EVENTS[event]])
        if event in ("os.symlink",):
            candidates = candidates[1:]  # the link is written, its target is not
    else:
        return []
    out = []
    for path in candidates:
        if isinstance(path, int) or path is None:  # an already open file descriptor
            continue
        path = os.fsdecode(os.fspath(path))
        out.append(os.path.abspath(path))
    return out


def is_allowed(path: str, roots: tuple[str, ...]) -> bool:
    """True when ``path`` lies inside one of ``roots`` (or is a device such as /dev/null)."""
    return path.startswith("/dev/") or any(path == r or path.startswith(r.rstrip(os.sep) + os.sep) for r in roots)


def install(roots: list[str] | tuple[str, ...], log_path: str) -> None:
    """Start recording writes outside ``roots`` into ``log_path`` (idempotent per process)."""
    roots = tuple(os.path.abspath(os.path.expanduser(r)) for r in roots if r)
    if not roots:
        raise ValueError("writeguard.install needs at least one allowed directory.")
    if _installed:
        return
    _installed.append((roots, log_path))

    def hook(event: str, args: tuple) -> None:
        if event not in _PATH_EVENTS and event != "open" or getattr(_state, "busy", False):
            return
        _state.busy = True  # writing the log raises an "open" event of its own
        try:
            bad = [p for p in written_paths(event, args) if not is_allowed(p, roots)]
            if bad:
                stack = traceback.extract_stack(limit=14)[:-2]
                entry = {"pid": os.getpid(), "event": event, "paths": bad,
                         "where": [f"{f.filename}:{f.lineno}" for f in stack[-5:]]}
                with open(log_path, "a", encoding="utf-8") as fh:
                    fh.write(json.dumps(entry) + "\n")
        except Exception:  # noqa: BLE001 - an audit hook must never break the program it watches
            pass
        finally:
            _state.busy = False

    sys.addaudithook(hook)


def install_from_env() -> None:
    """Arm the guard if ``PLM_WRITEGUARD_ROOTS`` and ``PLM_WRITEGUARD_LOG`` are set (notebook kernels)."""
    roots, log_path = os.environ.get(ENV_ROOTS), os.environ.get(ENV_LOG)
    if roots and log_path:
        install(roots.split(os.pathsep), log_path)


def read_log(log_path: str | os.PathLike) -> list[dict]:
    """Every recorded write outside the allowed directories."""
    try:
        with open(log_path, encoding="utf-8") as fh:
            return [json.loads(line) for line in fh if line.strip()]
    except FileNotFoundError:
        return []
