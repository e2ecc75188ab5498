"""The lowest versions ``pyproject.toml`` allows, as pip constraints (the floor CI job).

``FLOOR=1 bash scripts/install.sh`` installs PyTorch at its floor, then the course with every
direct dependency pinned at the lower bound of its range (``name>=X`` -> ``name==X``), so that the
suite runs against the oldest releases the ranges promise. A floor that cannot pass is raised in
``pyproject.toml`` to the lowest version that was tested.

    python -m coursetools.floors            # print the constraints
    python -m coursetools.floors -o FILE    # write them to FILE
    python -m coursetools.floors --torch    # the torch requirement alone (torch==X)
"""

from __future__ import annotations

import argparse
import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*(.*?)\s*$")


def floor_of(requirement: str) -> tuple[str, str] | None:
    """``("torch", "2.6")`` for ``"torch>=2.6"`` or ``"torch>=2.6,<3"``; None without a lower bound."""
    match = REQUIREMENT.match(requirement.split(";")[0])
    if not match:
        raise ValueError(f"cannot read the requirement {requirement!r}")
    name, spec = match.groups()
    lows = [part.strip()[2:].strip() for part in spec.split(",") if part.strip().startswith(">=")]
    if len(lows) > 1:
        raise ValueError(f"{requirement!r} has more than one lower bound")
    return (name.lower(), lows[0]) if lows else None


def floors(pyproject: Path = ROOT / "pyproject.toml") -> dict[str, str]:
    """Every direct dependency (and every extra's, except the self-reference) at its floor."""
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    requirements = list(project["dependencies"])
    for extra in project.get("optional-dependencies", {}).values():
        requirements += [r for r in extra if not r.startswith(project["name"])]
    pins: dict[str, str] = {}
    for requirement in requirements:
        found = floor_of(requirement)
        if found is None:
            raise ValueError(f"{requirement!r} in pyproject.toml has no lower bound (>=): the floor job cannot pin it")
        name, version = found
        if pins.get(name, version) != version:
            raise ValueError(f"{name} has two different floors in pyproject.toml: {pins[name]} and {version}")
        pins[name] = version
    return pins


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-o", "--output", type=Path, help="write the constraints here instead of printing them")
    ap.add_argument("--torch", action="store_true", help="print only torch==FLOOR")
    args = ap.parse_args(argv)
    pins = floors()
    if args.torch:
        print(f"torch=={pins['torch']}")
        return 0
    text = "".join(f"{name}=={version}\n" for name, version in sorted(pins.items()))
    if args.output:
        args.output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
