"""coursetools.floors: pyproject.toml's lower bounds as pip constraints (the floor CI job)."""

from __future__ import annotations

import tomllib

import pytest

from coursetools import floors


@pytest.mark.parametrize("requirement, expected", [
    ("torch>=2.6", ("torch", "2.6")),
    ("transformers>=5.25,<6", ("transformers", "5.25")),
    ("jupyter-book >= 1.0.4, <2", ("jupyter-book", "1.0.4")),
    ("plm-course[test]>=0.1", ("plm-course", "0.1")),
    ("Foo_Bar>=1.0; python_version >= '3.12'", ("foo_bar", "1.0")),
    ("numpy<3", None),
])
def test_floor_of_reads_the_lower_bound(requirement, expected):
    assert floors.floor_of(requirement) == expected


def test_every_direct_dependency_has_a_floor_and_torch_comes_first():
    pins = floors.floors()
    project = tomllib.loads((floors.ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    direct = [r for r in project["dependencies"]] + [r for extra in project["optional-dependencies"].values()
                                                     for r in extra if not r.startswith(project["name"])]
    assert len(pins) == len(direct)
    assert "torch" in pins and "transformers" in pins and "pytest" in pins and "playwright" in pins


def test_a_dependency_without_a_lower_bound_is_refused(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\ndependencies = ["numpy<3"]\n')
    with pytest.raises(ValueError, match="no lower bound"):
        floors.floors(tmp_path / "pyproject.toml")


def test_constraints_file_pins_each_floor(tmp_path, capsys):
    out = tmp_path / "floors.txt"
    assert floors.main(["-o", str(out)]) == 0
    lines = out.read_text().splitlines()
    assert lines == sorted(lines) and all("==" in line for line in lines)
    assert f"torch=={floors.floors()['torch']}" in lines
    floors.main(["--torch"])
    assert capsys.readouterr().out.strip() == f"torch=={floors.floors()['torch']}"


def test_install_script_uses_the_floors_when_asked():
    script = (floors.ROOT / "scripts" / "install.sh").read_text(encoding="utf-8")
    assert 'FLOOR:-0}" = 1' in script and "coursetools.floors" in script and '-c "$floors"' in script
