"""Compare the README's "Tested versions" table with the packages installed here.

    .venv/bin/python -m coursetools.versions           # prints the table; exit 0
    .venv/bin/python -m coursetools.versions --strict  # exit 1 when something differs

CI runs it without ``--strict``: a newer release inside the allowed ranges is expected (that is
the point of ranges); the difference is printed so it can be recorded in the README.
"""

from __future__ import annotations

import argparse
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
        raise ValueError("README.md has no tested-versions block: the table of tested versions must stand between "
                         "<!-- tested-versions ... --> and <!-- /tested-versions -->, one `| package | version |` row each")
    rows = re.findall(r"^\| *([A-Za-z][\w.-]*) *\| *([0-9][^ |]*)", block.group(1), re.M)
    if not rows:
        raise ValueError("README.md's tested-versions block has no `| package | version |` row")
    return dict(rows)


def installed(package: str) -> str:
    """The installed version of ``package`` (``Python``: the interpreter's major.minor), or ``not installed``."""
    if package == "Python":
        return ".".join(map(str, sys.version_info[:2]))
    try:
        return metadata.version(package).split("+")[0]
    except metadata.PackageNotFoundError:
        return "not installed"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--strict", action="store_true", help="exit 1 when an installed version differs")
    args = parser.parse_args(argv)
    try:
        tested = tested_versions()
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    rows = [(name, want, installed(name)) for name, want in tested.items()]
    width = max(len(n) for n, _, _ in rows)
    print(f"{'package':{width}}  {'README (tested)':16} installed")
    differ = 0
    for name, want, have in rows:
        same = have == want or (name == "Python" and have.startswith(want))
        differ += not same
        print(f"{name:{width}}  {want:16} {have}{'' if same else '   <- differs'}")
    print(f"{differ} difference(s)" if differ else "all as tested")
    return 1 if differ and args.strict else 0


if __name__ == "__main__":
    sys.exit(main())
