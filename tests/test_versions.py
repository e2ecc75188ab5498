"""``coursetools.versions``: the README's tested-versions table against the installed packages."""

from __future__ import annotations

import pytest

from coursetools import versions

TABLE = """<!-- tested-versions: compared by python -m coursetools.versions -->
| package | version |
|---|---|
| Python | 3.11 |
| torch | 2.13.0 (CPU) |
| not-a-real-package | 1.0 |
<!-- /tested-versions -->
"""


def test_tested_versions_reads_the_rows_between_the_markers():
    assert versions.tested_versions(TABLE) == {"Python": "3.11", "torch": "2.13.0", "not-a-real-package": "1.0"}


def test_a_readme_without_the_table_says_what_to_add():
    with pytest.raises(ValueError, match="must stand between <!-- tested-versions ... --> and <!-- /tested-versions -->"):
        versions.tested_versions("# README\n| torch | 2.13.0 |\n")
    with pytest.raises(ValueError, match="block has no `| package | version |` row"):
        versions.tested_versions("<!-- tested-versions -->\n<!-- /tested-versions -->\n")


def test_strict_fails_only_when_something_differs(tmp_path, monkeypatch, capsys):
    readme = tmp_path / "README.md"
    monkeypatch.setattr(versions, "README", readme)
    readme.write_text(TABLE, encoding="utf-8")
    assert versions.main([]) == 0 and versions.main(["--strict"]) == 1
    assert "not installed   <- differs" in capsys.readouterr().out
    readme.write_text("no table here", encoding="utf-8")
    assert versions.main([]) == 2 and "README.md has no tested-versions block" in capsys.readouterr().err
