"""Course plot style with a CJK font, so Chinese titles and labels render (no tofu boxes).

The font is Noto Sans CJK SC as shipped inside the ``mplfonts`` PyPI package, so
students need no system font. :func:`use_course_style` is called by
:func:`helpers.setup` in every lesson; lesson 00 explains it.
"""

from __future__ import annotations

import matplotlib
from matplotlib import font_manager

from .data import MissingPackageError, package_file

CJK_FONT_FILE = "fonts/NotoSansCJKsc-Regular.otf"
CJK_FONT_NAME = "Noto Sans CJK SC"


def cjk_font_path() -> str:
    """Path of the bundled Noto Sans CJK SC font (raises with an install hint if absent)."""
    try:
        return str(package_file("mplfonts", CJK_FONT_FILE))
    except MissingPackageError as err:
        raise MissingPackageError(
            "Chinese plot labels need the font shipped in the 'mplfonts' package. "
            "Install it with `pip install mplfonts` (it is a course dependency)."
        ) from err


def use_course_style(dpi: int = 110) -> str:
    """Register the CJK font with matplotlib and set the course's rcParams; returns the font name.

    Used by every lesson through :func:`helpers.setup`.
    """
    if not isinstance(dpi, int) or not 50 <= dpi <= 400:
        raise ValueError(f"dpi must be an int between 50 and 400, got {dpi!r}.")
    path = cjk_font_path()
    if CJK_FONT_NAME not in {f.name for f in font_manager.fontManager.ttflist}:
        font_manager.fontManager.addfont(path)
    matplotlib.rcParams.update(
        {
            "font.family": "sans-serif",
            "font.sans-serif": [CJK_FONT_NAME, "DejaVu Sans"],
            "axes.unicode_minus": False,  # the CJK font has no U+2212 minus glyph
            "figure.dpi": dpi,
            "savefig.dpi": dpi,
            "figure.figsize": (6.4, 4.0),
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.grid": True,
            "grid.alpha": 0.3,
        }
    )
    return CJK_FONT_NAME
