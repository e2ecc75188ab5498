"""Network guard: make every non-loopback connection attempt fail loudly.

Used by all lessons through :func:`helpers.setup` (armed when ``PLM_NETGUARD=1``),
by the test suite (the root ``conftest.py`` arms it in pytest's process and, through
an IPython startup file, in every notebook kernel), and by ``.ci/run``.

The guard patches :mod:`socket` so that ``connect``/``connect_ex``/``sendto`` and the
name resolvers (``getaddrinfo``, ``gethostbyname``...)
towards anything but the loopback interface or a Unix socket raise
:class:`NetworkBlockedError`. Each blocked attempt is also appended to the file
named by ``PLM_NETGUARD_LOG`` (one JSON line), so a test can prove that a whole
run attempted zero connections even when a library caught the exception.
"""

from __future__ import annotations

import datetime as _dt
import ipaddress
import json
import os
import socket
import traceback

ENV_FLAG = "PLM_NETGUARD"
ENV_LOG = "PLM_NETGUARD_LOG"

_LOCAL_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback", ""}
_originals: dict[str, object] = {}


class NetworkBlockedError(ConnectionRefusedError):
    """Raised for a connection attempt while the network guard is armed."""


def _is_local(host: object) -> bool:
    if host is None:
        return True
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    host = str(host).strip("[]").lower()
    if host in _LOCAL_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


def _record(kind: str, target: object) -> None:
    log_path = os.environ.get(ENV_LOG)
    if not log_path:
        return
    stack = traceback.extract_stack(limit=12)[:-3]
    entry = {
        "time": _dt.datetime.now().isoformat(timespec="seconds"),
        "pid": os.getpid(),
        "kind": kind,
        "target": repr(target),
        "where": [f"{f.filename}:{f.lineno}" for f in stack[-4:]],
    }
    with open(log_path, "a", encoding="utf-8") as fh:
        fh.write(json.dumps(entry) + "\n")


def _block(kind: str, target: object) -> None:
    _record(kind, target)
    raise NetworkBlockedError(
        f"Network access blocked by the course's network guard: {kind} to {target!r}. "
        "Lessons run offline in tiny mode; if you meant to download from the Hugging Face Hub, "
        "switch the lesson to full mode (PLM_MODE=full) and unset PLM_NETGUARD."
    )


def _check_address(sock: socket.socket, address: object, kind: str) -> None:
    if sock.family == getattr(socket, "AF_UNIX", None):
        return
    host = address[0] if isinstance(address, tuple) and address else address
    if not _is_local(host):
        _block(kind, address)


def install() -> None:
    """Arm the guard in this process (idempotent)."""
    if _originals:
        return
    orig_connect = socket.socket.connect
    orig_connect_ex = socket.socket.connect_ex
    orig_getaddrinfo = socket.getaddrinfo
    orig_sendto = socket.socket.sendto
    orig_resolvers = {name: getattr(socket, name) for name in ("gethostbyname", "gethostbyname_ex", "gethostbyaddr")}

    def connect(self, address):  # noqa: ANN001 - socket API
        _check_address(self, address, "connect")
        return orig_connect(self, address)

    def connect_ex(self, address):  # noqa: ANN001
        _check_address(self, address, "connect_ex")
        return orig_connect_ex(self, address)

    def getaddrinfo(host, *args, **kwargs):  # noqa: ANN001
        if not _is_local(host):
            _block("getaddrinfo", host)
        return orig_getaddrinfo(host, *args, **kwargs)

    def sendto(self, data, *args):  # noqa: ANN001 - sendto(data[, flags], address)
        _check_address(self, args[-1], "sendto")
        return orig_sendto(self, data, *args)

    def make_resolver(name, original):  # noqa: ANN001
        def resolver(host, *args, **kwargs):  # noqa: ANN001
            if not _is_local(host):
                _block(name, host)
            return original(host, *args, **kwargs)

        return resolver

    _originals.update(connect=orig_connect, connect_ex=orig_connect_ex, getaddrinfo=orig_getaddrinfo, sendto=orig_sendto)
    _originals.update(orig_resolvers)
    socket.socket.connect = connect
    socket.socket.connect_ex = connect_ex
    socket.socket.sendto = sendto
    socket.getaddrinfo = getaddrinfo
    for name, original in orig_resolvers.items():
        setattr(socket, name, make_resolver(name, original))


def uninstall() -> None:
    """Disarm the guard (used by the guard's own tests)."""
    if not _originals:
        return
    socket.socket.connect = _originals.pop("connect")
    socket.socket.connect_ex = _originals.pop("connect_ex")
    socket.socket.sendto = _originals.pop("sendto")
    for name, original in _originals.items():
        setattr(socket, name, original)  # getaddrinfo and the gethostby* resolvers
    _originals.clear()


def is_installed() -> bool:
    """True while the guard is armed in this process."""
    return bool(_originals)


def install_from_env() -> bool:
    """Arm the guard when ``PLM_NETGUARD=1``; return whether it is armed.

    Called by :func:`helpers.setup` (every lesson) and by the IPython startup file
    that the test suite puts in front of every notebook kernel.
    """
    value = os.environ.get(ENV_FLAG, "").strip().lower()
    if value in {"1", "true", "yes", "on"}:
        install()
    elif value not in {"", "0", "false", "no", "off"}:
        raise ValueError(f"{ENV_FLAG}={value!r} is not understood; use {ENV_FLAG}=1 to arm the guard or 0 to leave it off.")
    return is_installed()


def read_log(path: str | os.PathLike) -> list[dict]:
    """The blocked attempts recorded in ``path`` (empty list when the file is absent)."""
    if not os.path.exists(path):
        return []
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]
