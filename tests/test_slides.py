"""coursetools.slides: the slide rule, the metadata check, and a deck opened in Chromium."""

from __future__ import annotations

import nbformat
import pytest

from coursetools import slides
from coursetools.check_book import CHROMIUM_FLAGS, TOFU_JS, serve


def md(text, **kw):
    return nbformat.v4.new_markdown_cell(text, **kw)


def code(text, tags=(), **kw):
    cell = nbformat.v4.new_code_cell(text, **kw)
    if tags:
        cell.metadata["tags"] = list(tags)
    return cell


@pytest.mark.parametrize("cell, expected", [
    (md("# 03 Transformer\n\n学习目标"), "slide"),
    (md("## 2. 掩码"), "slide"),
    (md("### 小节"), "subslide"),
    (md("正文，没有标题"), "subslide"),
    (md("<details>\n<summary>参考解答 1（点击展开）</summary>\n\n解释\n</details>"), "skip"),
    (code("x = 1"), "-"),
    (code("# Solution to exercise 1", tags=["solution", "hide-cell"]), "skip"),
    (code("import os", tags=["remove-cell"], id="colab-setup"), "skip"),
    (code('selfcheck.quiz("03")', id="code-selfcheck"), "skip"),
    (md("上一课 · 下一课", id="md-nav"), "skip"),
])
def test_the_rule(cell, expected):
    assert slides.slide_type(cell) == expected


def test_write_fills_missing_types_and_keeps_hand_set_ones():
    nb = nbformat.v4.new_notebook(cells=[md("# 标题"), code("x = 1"), md("正文")])
    nb.cells[2].metadata["slideshow"] = {"slide_type": "slide"}  # an instructor moved it
    assert slides.missing(nb) == [0, 1]
    assert slides.write_types(nb) == 2
    assert [c.metadata["slideshow"]["slide_type"] for c in nb.cells] == ["slide", "-", "slide"]
    assert slides.missing(nb) == [] and slides.write_types(nb) == 0
    nb.cells[1].metadata["slideshow"]["slide_type"] = "sideways"
    assert slides.missing(nb) == [1]


def test_every_lesson_carries_slide_types():
    assert slides.main(["--check"]) == 0, "run `python -m coursetools.slides --write`"


def test_build_refuses_a_notebook_without_slide_types(tmp_path):
    path = tmp_path / "99_x.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[md("# 99 x")]), path)
    with pytest.raises(ValueError, match="coursetools.slides --write"):
        slides.build([path], tmp_path / "out")


def test_unknown_lesson_number_is_refused():
    with pytest.raises(SystemExit, match="no lesson 99"):
        slides.pick(["99"])



def test_lesson_03_deck_in_chromium(tmp_path, chromium, web_assets):
    """First slide shows the title, Chinese renders (no tofu), formulas are typeset, nothing external."""
    from playwright.sync_api import sync_playwright

    lesson = next(p for p in slides.NOTEBOOKS if p.name.startswith("03_"))
    deck = slides.build([lesson], tmp_path / "slides")[0]
    title = nbformat.read(lesson, as_version=4).cells[0].source.splitlines()[0].lstrip("# ").strip()
    server, base = serve(deck.parent)
    outside, errors = [], []
    try:
        with sync_playwright() as p:
            ctx = p.chromium.launch_persistent_context(str(tmp_path / "profile"), executable_path=chromium,
                                                       headless=True, args=CHROMIUM_FLAGS, locale="zh-CN")
            ctx.route("**/*", lambda r: r.continue_() if r.request.url.startswith((base, "data:", "blob:"))
                      else (outside.append(r.request.url), r.abort()))
            page = ctx.new_page()
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(base + deck.name, wait_until="load")
            page.wait_for_function("window.Reveal && Reveal.isReady()", timeout=30_000)
            page.wait_for_function("window.MathJax && MathJax.startup && MathJax.startup.promise", timeout=30_000)
            page.evaluate("MathJax.startup.promise.then(() => true)")
            first = page.evaluate("Reveal.getCurrentSlide().innerText")
            total = page.evaluate("Reveal.getTotalSlides()")
            formulas = page.evaluate("document.querySelectorAll('mjx-container').length")
            merrors = page.evaluate("document.querySelectorAll('mjx-merror').length")
            tofu = page.evaluate(TOFU_JS)
            page.screenshot(path=str(tmp_path / "first-slide.png"))
            ctx.close()
    finally:
        server.shutdown()
    assert title in first, first[:200]
    assert total > 10
    assert formulas > 0 and merrors == 0
    assert tofu["chars"] > 100 and tofu["missing"] == "", tofu
    assert outside == [] and errors == [], (outside, errors)
