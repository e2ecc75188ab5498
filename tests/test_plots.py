"""Unit tests for :mod:`helpers.plots`: the course style and its bundled CJK font."""

from __future__ import annotations

import io
import re
import warnings
from pathlib import Path

import matplotlib
import pytest
from matplotlib import font_manager
from matplotlib.figure import Figure

from helpers import data, plots
from helpers.data import MissingPackageError

GLYPH_MISSING = re.compile(r"Glyph \d+ .*missing from (?:current )?font")  # 3.8 says "current font"


@pytest.fixture(autouse=True)
def restore_rcparams():
    with matplotlib.rc_context():
        yield


def render_chinese_figure() -> list[str]:
    """Save a figure with Chinese text and a negative tick to PNG; return the warnings it raised."""
    fig = Figure()
    ax = fig.add_subplot()
    ax.plot([-2, -1, 0, 1], [3, 1, 0, 2])
    ax.set_title("预训练语言模型：损失曲线")
    ax.set_xlabel("训练步数")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png")
    assert buffer.getvalue().startswith(b"\x89PNG")
    return [str(w.message) for w in caught]


# --------------------------------------------------------------------------- cjk_font_path
def test_cjk_font_path_is_the_bundled_noto_font():
    path = Path(plots.cjk_font_path())
    assert path.is_file()
    assert path.name == "NotoSansCJKsc-Regular.otf"
    assert "mplfonts" in path.parts
    assert font_manager.FontProperties(fname=str(path)).get_name() == plots.CJK_FONT_NAME


# --------------------------------------------------------------------------- use_course_style
def test_use_course_style_sets_the_rc_params():
    assert plots.use_course_style(dpi=120) == plots.CJK_FONT_NAME
    rc = matplotlib.rcParams
    assert rc["font.sans-serif"][0] == plots.CJK_FONT_NAME
    assert rc["axes.unicode_minus"] is False
    assert rc["figure.dpi"] == 120 and rc["savefig.dpi"] == 120
    assert rc["axes.grid"] is True


def test_use_course_style_resolves_sans_serif_to_the_cjk_font():
    plots.use_course_style()
    found = font_manager.findfont(font_manager.FontProperties(family=["sans-serif"]), fallback_to_default=False)
    assert Path(found) == Path(plots.cjk_font_path())


def test_use_course_style_registers_the_font_once():
    plots.use_course_style()
    plots.use_course_style()
    registered = [f for f in font_manager.fontManager.ttflist if f.name == plots.CJK_FONT_NAME]
    assert len(registered) == 1


def test_chinese_title_renders_without_missing_glyphs():
    plots.use_course_style()
    messages = render_chinese_figure()
    assert [m for m in messages if GLYPH_MISSING.search(m)] == []


def test_default_font_does_miss_chinese_glyphs():
    """Control for the test above: without the course style the same figure does warn."""
    matplotlib.rcParams.update({"font.family": "sans-serif", "font.sans-serif": ["DejaVu Sans"]})
    messages = render_chinese_figure()
    assert any(GLYPH_MISSING.search(m) for m in messages)


# --------------------------------------------------------------------------- bad input
@pytest.mark.parametrize("dpi", [10, 49, 401, 1000, 110.0, "110", None, True], ids=repr)
def test_use_course_style_bad_dpi(dpi):
    with pytest.raises(ValueError, match=re.escape(f"dpi must be an int between 50 and 400, got {dpi!r}")):
        plots.use_course_style(dpi=dpi)


def test_cjk_font_path_without_mplfonts(monkeypatch):
    monkeypatch.setattr(plots, "package_file", lambda package, relative: data.package_file("plm_no_such_fonts", relative))
    with pytest.raises(MissingPackageError, match=r"need the font shipped in the 'mplfonts' package.*pip install mplfonts"):
        plots.cjk_font_path()
