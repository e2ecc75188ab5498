"""Unit tests for :mod:`helpers.netguard`, in pytest's process and inside a notebook kernel.

The root ``conftest.py`` arms the guard for the whole session and fails the run if
its shared log has entries, so every test here that provokes a blocked attempt
first points ``PLM_NETGUARD_LOG`` at a file of its own, and every test that
disarms the guard re-arms it afterwards.
"""

from __future__ import annotations

import os
import socket
import tempfile
import threading

import pytest

from helpers import netguard
from helpers.netguard import NetworkBlockedError

PUBLIC_IP = "93.184.216.34"


@pytest.fixture(autouse=True)
def restore_guard():
    """Leave the guard exactly as armed as it was (the session needs it armed)."""
    armed = netguard.is_installed()
    yield
    if armed:
        netguard.install()
    else:
        netguard.uninstall()


@pytest.fixture
def guard_log(tmp_path, monkeypatch):
    """A private log for this test's blocked attempts, so the session-wide log stays empty."""
    path = tmp_path / "guard.jsonl"
    monkeypatch.setenv(netguard.ENV_LOG, str(path))
    netguard.install()
    return path


@pytest.fixture
def disarmed(monkeypatch):
    netguard.uninstall()
    return monkeypatch


@pytest.fixture
def echo_server():
    """A loopback TCP server that echoes one message; yields its port."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    server.settimeout(5)

    def serve():
        try:
            conn, _ = server.accept()
        except OSError:
            return
        with conn:
            conn.sendall(conn.recv(64))

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    server.close()
    thread.join(timeout=5)


# --------------------------------------------------------------------------- blocked attempts
def test_connect_to_a_public_ip_is_blocked_and_logged(guard_log):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        with pytest.raises(NetworkBlockedError, match=rf"connect to \('{PUBLIC_IP}', 80\).*PLM_MODE=full"):
            sock.connect((PUBLIC_IP, 80))
    [entry] = netguard.read_log(guard_log)
    assert entry["kind"] == "connect"
    assert entry["target"] == repr((PUBLIC_IP, 80))
    assert entry["pid"] == os.getpid()
    assert any("test_netguard.py" in frame for frame in entry["where"])


def test_connect_ex_is_blocked(guard_log):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        with pytest.raises(NetworkBlockedError):
            sock.connect_ex((PUBLIC_IP, 443))
    assert [e["kind"] for e in netguard.read_log(guard_log)] == ["connect_ex"]


def test_create_connection_is_blocked(guard_log):
    with pytest.raises(NetworkBlockedError):
        socket.create_connection((PUBLIC_IP, 80), timeout=2)
    assert [(e["kind"], e["target"]) for e in netguard.read_log(guard_log)] == [("getaddrinfo", repr(PUBLIC_IP))]


def test_getaddrinfo_of_a_public_name_is_blocked(guard_log):
    with pytest.raises(NetworkBlockedError, match=r"getaddrinfo to 'example\.com'"):
        socket.getaddrinfo("example.com", 80)
    [entry] = netguard.read_log(guard_log)
    assert (entry["kind"], entry["target"]) == ("getaddrinfo", "'example.com'")


@pytest.mark.parametrize("resolver", ["gethostbyname", "gethostbyname_ex", "gethostbyaddr"])
def test_legacy_resolvers_of_a_public_name_are_blocked(guard_log, resolver):
    with pytest.raises(NetworkBlockedError, match=resolver):
        getattr(socket, resolver)("example.com")
    assert netguard.read_log(guard_log)[0]["kind"] == resolver


def test_udp_sendto_a_public_ip_is_blocked(guard_log):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        with pytest.raises(NetworkBlockedError, match="sendto"):
            sock.sendto(b"x", (PUBLIC_IP, 53))
    assert [e["kind"] for e in netguard.read_log(guard_log)] == ["sendto"]


def test_udp_sendto_loopback_still_works(guard_log):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as receiver, socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sender:
        receiver.bind(("127.0.0.1", 0))
        receiver.settimeout(5)
        sender.sendto(b"ping", receiver.getsockname())
        assert receiver.recv(16) == b"ping"
    assert netguard.read_log(guard_log) == []


def test_blocked_error_is_a_connection_error(guard_log):
    # Libraries catch OSError and retry or fall back: that is why attempts are also logged.
    assert issubclass(NetworkBlockedError, ConnectionRefusedError)
    try:
        socket.getaddrinfo("huggingface.co", 443)
    except OSError:
        pass
    assert len(netguard.read_log(guard_log)) == 1


def test_every_attempt_is_appended(guard_log):
    for host in ("example.com", "example.org"):
        with pytest.raises(NetworkBlockedError):
            socket.getaddrinfo(host, 80)
    assert [e["target"] for e in netguard.read_log(guard_log)] == ["'example.com'", "'example.org'"]


# --------------------------------------------------------------------------- allowed traffic
@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_loopback_connections_still_work(guard_log, echo_server, host):
    with socket.create_connection((host, echo_server), timeout=5) as sock:
        sock.sendall(b"ping")
        assert sock.recv(64) == b"ping"
    assert netguard.read_log(guard_log) == []


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1", "::1", None])
def test_getaddrinfo_of_loopback_names_is_allowed(guard_log, host):
    try:
        socket.getaddrinfo(host, 80)
    except NetworkBlockedError:
        pytest.fail(f"getaddrinfo({host!r}) was blocked")
    except socket.gaierror:
        pass  # e.g. no IPv6 on this machine: not the guard's doing
    assert netguard.read_log(guard_log) == []


@pytest.mark.skipif(not hasattr(socket, "AF_UNIX"), reason="no Unix sockets on this platform")
def test_unix_sockets_still_work(guard_log):
    with tempfile.TemporaryDirectory(prefix="ng") as short_dir:  # AF_UNIX paths are limited to ~100 bytes
        address = os.path.join(short_dir, "sock")
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as server:
            server.bind(address)
            server.listen(1)
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
                client.connect(address)
                conn, _ = server.accept()
                with conn:
                    client.sendall(b"hello")
                    assert conn.recv(16) == b"hello"
    assert netguard.read_log(guard_log) == []


# --------------------------------------------------------------------------- install / uninstall / install_from_env
def test_uninstall_restores_socket_and_install_patches_it_again(disarmed):
    assert not netguard.is_installed()
    assert socket.getaddrinfo.__module__ == "socket"
    assert getattr(socket.socket.connect, "__module__", None) != "helpers.netguard"
    netguard.install()
    assert netguard.is_installed()
    assert socket.getaddrinfo.__module__ == "helpers.netguard"
    assert socket.socket.connect.__module__ == "helpers.netguard"
    assert socket.socket.connect_ex.__module__ == "helpers.netguard"


def test_install_is_idempotent():
    netguard.install()
    patched = socket.getaddrinfo
    netguard.install()
    assert socket.getaddrinfo is patched
    netguard.uninstall()
    assert socket.getaddrinfo.__module__ == "socket"  # one uninstall undoes it completely


def test_uninstall_twice_is_harmless(disarmed):
    netguard.uninstall()
    assert not netguard.is_installed()


@pytest.mark.parametrize("value", ["1", "true", "YES", " on "])
def test_install_from_env_arms_the_guard(disarmed, value):
    disarmed.setenv(netguard.ENV_FLAG, value)
    assert netguard.install_from_env() is True
    assert netguard.is_installed()


@pytest.mark.parametrize("value", ["0", "", "off", "No"])
def test_install_from_env_leaves_the_guard_off(disarmed, value):
    disarmed.setenv(netguard.ENV_FLAG, value)
    assert netguard.install_from_env() is False
    assert not netguard.is_installed()


def test_install_from_env_without_the_variable(disarmed):
    disarmed.delenv(netguard.ENV_FLAG, raising=False)
    assert netguard.install_from_env() is False


# --------------------------------------------------------------------------- read_log
def test_read_log_of_a_missing_file_is_empty(tmp_path):
    assert netguard.read_log(tmp_path / "absent.jsonl") == []


def test_read_log_skips_blank_lines(tmp_path):
    log = tmp_path / "log.jsonl"
    log.write_text('{"kind": "connect"}\n\n{"kind": "getaddrinfo"}\n', encoding="utf-8")
    assert netguard.read_log(log) == [{"kind": "connect"}, {"kind": "getaddrinfo"}]


# --------------------------------------------------------------------------- bad input
@pytest.mark.parametrize("value", ["maybe", "2", "enabled"])
def test_install_from_env_rejects_unknown_values(disarmed, value):
    disarmed.setenv(netguard.ENV_FLAG, value)
    with pytest.raises(ValueError, match=rf"PLM_NETGUARD='{value}' is not understood; use PLM_NETGUARD=1 to arm"):
        netguard.install_from_env()
    assert not netguard.is_installed()


# --------------------------------------------------------------------------- notebook kernel
KERNEL_CELL = f"""\
import socket
armed = getattr(socket.getaddrinfo, "__module__", "") == "helpers.netguard"
print(f"armed={{armed}}")
if armed:  # never try a real connection from an unguarded kernel
    try:
        socket.create_connection(("{PUBLIC_IP}", 80), timeout=2)
    except Exception as exc:
        print(type(exc).__name__)
"""


def test_guard_is_armed_inside_a_notebook_kernel(tmp_path):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    # conftest exports these; the kernel inherits them, and its startup file arms the guard.
    assert os.environ.get(netguard.ENV_FLAG) == "1"
    assert os.environ.get("IPYTHONDIR")

    kernel_log = tmp_path / "kernel-guard.jsonl"
    notebook = nbformat.v4.new_notebook()
    notebook.cells.append(nbformat.v4.new_code_cell(KERNEL_CELL))
    client = nbclient.NotebookClient(
        notebook,
        kernel_name="python3",
        timeout=60,
        startup_timeout=60,
        resources={"metadata": {"path": str(tmp_path)}},
    )
    client.execute(env={**os.environ, netguard.ENV_LOG: str(kernel_log)})

    output = "".join(o.get("text", "") for o in notebook.cells[0].outputs)
    assert output.split() == ["armed=True", "NetworkBlockedError"]
    [entry] = netguard.read_log(kernel_log)
    assert (entry["kind"], entry["target"]) == ("getaddrinfo", repr(PUBLIC_IP))
    assert entry["pid"] != os.getpid()
