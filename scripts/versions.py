"""Compare the README's "Tested versions" table with the packages installed here.

    .venv/bin/python scripts/versions.py           # prints the table; exit 0
    .venv/bin/python scripts/versions.py --strict  # exit 1 when something differs

CI runs it without ``--strict``: a newer release inside the allowed ranges is expected (that is
the point of ranges); the difference is printed so it can be recorded in the README.
"""

from __future__ import annotations

import re
import sys
from importlib import metadata
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def tested_versions(text: str | None = None) -> dict[str, str]:
    """{package: version} from the block between the tested-versions markers of the README."""
    text = README.read_text(encoding="utf-8") if text is None else text
    block = re.search(r"<!-- tested-versions.*?-->(.*?)<!-- /tested-versions -->", text, re.S)
    if not block:
        raise SystemExit("README.md has no <!-- tested-versions --> block")
    rows = re.findall(r"^\| *([A-Za-z][\w.-]*) *\| *([0-9][^ |]*)", block.group(1), re.M)
    return dict(rows)


def installed(package: str) -> str:
    if package == "Python":
        return ".".join(map(str, sys.version_info[:2]))
    try:
        return metadata.version(package).split("+")[0]
    except metadata.PackageNotFoundError:
        return "not installed"


def main() -> int:
    rows = [(name, want, installed(name)) for name, want in tested_versions().items()]
    width = max(len(n) for n, _, _ in rows)
    print(f"{'package':{width}}  {'README (tested)':16} installed")
    differ = 0
    for name, want, have in rows:
        same = have == want or (name == "Python" and have.startswith(want))
        differ += not same
        print(f"{name:{width}}  {want:16} {have}{'' if same else '   <- differs'}")
    print(f"{differ} difference(s)" if differ else "all as tested")
    return 1 if differ and "--strict" in sys.argv else 0


if __name__ == "__main__":
    sys.exit(main())
