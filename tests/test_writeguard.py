"""The write guard records writes outside the allowed directories (and only those)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from helpers import writeguard

ROOT = Path(__file__).resolve().parents[1]


def test_reads_are_not_writes():
    assert writeguard.written_paths("open", ("/x/a.txt", "r", os.O_RDONLY)) == []
    assert writeguard.written_paths("open", ("/x/a.txt", "rb", os.O_RDONLY | os.O_CLOEXEC)) == []
    assert writeguard.written_paths("open", ("/x/a.txt", None, os.O_RDONLY)) == []
    assert writeguard.written_paths("import", ("json",)) == []


def test_writes_are_found_whatever_the_call():
    assert writeguard.written_paths("open", ("/x/a.txt", "w", 0)) == ["/x/a.txt"]
    assert writeguard.written_paths("open", (b"/x/a.txt", "a+", 0)) == ["/x/a.txt"]
    assert writeguard.written_paths("open", (Path("/x/b"), None, os.O_WRONLY | os.O_CREAT)) == ["/x/b"]
    assert writeguard.written_paths("open", (3, "w", 0)) == []  # an already open descriptor
    assert writeguard.written_paths("os.rename", ("/x/a", "/y/b", -1, -1)) == ["/x/a", "/y/b"]
    assert writeguard.written_paths("shutil.rmtree", ("/x/tree", None)) == ["/x/tree"]


def test_allowed_means_inside_a_root_not_a_name_prefix():
    roots = ("/work/course", "/tmp")
    assert writeguard.is_allowed("/work/course/notebooks/x.png", roots)
    assert writeguard.is_allowed("/tmp", roots)
    assert writeguard.is_allowed("/dev/null", roots)
    assert not writeguard.is_allowed("/work/course-copy/x", roots)
    assert not writeguard.is_allowed("/root/x", roots)


def test_a_process_writing_outside_is_recorded_with_where(tmp_path):
    allowed, outside, log = tmp_path / "allowed", tmp_path / "outside", tmp_path / "log.jsonl"
    allowed.mkdir()
    outside.mkdir()
    program = textwrap.dedent(f"""
        from pathlib import Path
        from helpers import writeguard
        writeguard.install_from_env()
        Path({str(allowed / 'ok.txt')!r}).write_text("fine")
        Path({str(outside / 'bad.txt')!r}).write_text("not fine")
        print(Path({str(outside / 'bad.txt')!r}).read_text())
    """)
    env = {**os.environ, writeguard.ENV_ROOTS: str(allowed), writeguard.ENV_LOG: str(log)}
    subprocess.run([sys.executable, "-c", program], cwd=ROOT, env=env, check=True, timeout=120)
    entries = writeguard.read_log(log)
    assert [e["paths"] for e in entries] == [[str(outside / "bad.txt")]]
    assert entries[0]["event"] == "open" and any("<string>" in w for w in entries[0]["where"])


def test_install_needs_a_root():
    import pytest

    with pytest.raises(ValueError, match="at least one allowed directory"):
        writeguard.install([], "/tmp/log")


def test_this_session_is_guarded():
    assert os.environ.get(writeguard.ENV_ROOTS) and os.environ.get(writeguard.ENV_LOG)
    roots = os.environ[writeguard.ENV_ROOTS].split(os.pathsep)
    assert str(ROOT) in roots and str(Path.home()) not in roots
