"""coursetools.slides: the slide rule, --write / --check, and lesson 03's deck opened in Chromium.

The browser test needs the system Chromium (``$CHROMIUM`` or /usr/bin/chromium, driven by
Playwright) and the web assets (``bash scripts/web_assets.sh``); without them it FAILS and says
what to install: the decks are part of what the course ships.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import nbformat
import pytest

from coursetools import slides


def md(text, **kw):
    return nbformat.v4.new_markdown_cell(text, **kw)


def code(text, tags=(), jupyter=None, **kw):
    cell = nbformat.v4.new_code_cell(text, **kw)
    if tags:
        cell.metadata["tags"] = list(tags)
    if jupyter:
        cell.metadata["jupyter"] = dict(jupyter)
    return cell


def types(nb) -> list[str]:
    return [c.metadata["slideshow"]["slide_type"] for c in nb.cells]


# --- the rule -----------------------------------------------------------------------------------

@pytest.mark.parametrize("cell, expected", [
    (md("# 03 Transformer：从注意力到解码器\n\n**学习目标**"), "slide"),
    (md("\n## 2. 掩码：不该看的位置权重为 0\n\n正文 $\\sqrt{d}$"), "slide"),
    (md("##"), "slide"),
    (md("### 为什么除以 $\\sqrt{d}$"), "subslide"),
    (md("#标签不是标题"), "subslide"),
    (md("查询“国”几乎把全部权重给了后一个字。\n\n## 后面的标题不算"), "subslide"),
    (md("<details>\n<summary>参考解答 1（点击展开）</summary>\n\n解释\n</details>"), "skip"),
    (code("x = 1"), "-"),
    (code("# Parameters\nSEED = 0", tags=["parameters"]), "-"),
    (code("plt.show()", jupyter={"source_hidden": True}), "-"),  # only the source folded: still shown
    (code("# Solution to exercise 1", tags=["solution", "hide-cell"],
          jupyter={"source_hidden": True, "outputs_hidden": True}), "skip"),
    (code("# Solution to exercise 2", tags=["solution"]), "skip"),
    (code("answer()", jupyter={"source_hidden": True, "outputs_hidden": True}), "skip"),
    (code("import os  # Colab only", tags=["remove-cell"], jupyter={"source_hidden": True},
          id="colab-setup"), "skip"),
    (md("## 自测\n\n几道小题", id="md-selfcheck"), "skip"),
    (code('selfcheck.quiz("03")', id="code-selfcheck"), "skip"),
    (code('selfcheck.report_link("03")', id="code-report"), "skip"),
    (md("上一课 · 下一课", id="md-nav"), "skip"),
])
def test_the_rule(cell, expected):
    assert slides.slide_type(cell) == expected


def test_write_fills_missing_types_and_keeps_hand_set_ones():
    nb = nbformat.v4.new_notebook(cells=[
        md("# 标题"), code("x = 1"), md("正文"), code("# Solution", tags=["solution"]), md("## 小结")])
    nb.cells[2].metadata["slideshow"] = {"slide_type": "slide"}     # an instructor moved it by hand
    nb.cells[4].metadata["slideshow"] = {"slide_type": "fragment"}
    assert slides.missing(nb) == [0, 1, 3]
    assert slides.write_types(nb) == 3
    assert types(nb) == ["slide", "-", "slide", "skip", "fragment"]
    assert slides.missing(nb) == [] and slides.write_types(nb) == 0
    nb.cells[1].metadata["slideshow"]["slide_type"] = "sideways"    # not a slide type: missing again
    assert slides.missing(nb) == [1]
    slides.apply_rule(nb, keep=False)                              # the rule alone, hand-set values dropped
    assert types(nb) == ["slide", "-", "subslide", "skip", "slide"]


def test_check_fails_on_a_missing_type_and_write_fixes_it(tmp_path, capsys):
    path = tmp_path / "99_demo.ipynb"
    nb = nbformat.v4.new_notebook(cells=[md("# 99 演示"), code("print(1)"), md("说明")])
    nb.cells[2].metadata["slideshow"] = {"slide_type": "notes"}
    nbformat.write(nb, path)
    assert slides.main(["--check", str(path)]) == 1
    listed = capsys.readouterr().out
    assert "99_demo.ipynb: cell 0" in listed and "cell 1" in listed and "cell 2" not in listed
    assert slides.main(["--write", str(path)]) == 0
    assert slides.main(["--check", str(path)]) == 0
    assert types(nbformat.read(path, as_version=4)) == ["slide", "-", "notes"]
    before = path.read_bytes()
    assert slides.main(["--write", str(path)]) == 0 and path.read_bytes() == before  # nothing to do


def test_every_lesson_has_a_slide_type_on_every_cell(capsys):
    assert slides.main(["--check"]) == 0, capsys.readouterr().out + "\nrun `python -m coursetools.slides --write`"
    assert f"complete in {len(slides.NOTEBOOKS)} notebook(s)" in capsys.readouterr().out


def test_lessons_are_picked_by_number():
    assert [p.name[:2] for p in slides.pick(["3", "05"])] == ["03", "05"]
    assert slides.pick([]) == slides.NOTEBOOKS and len(slides.NOTEBOOKS) >= 13
    with pytest.raises(SystemExit, match="no lesson 99"):
        slides.pick(["99"])


def test_missing_web_assets_say_how_to_fetch_them(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(slides, "ASSETS", {"reveal.js": tmp_path / "none" / "reveal.js",
                                           "mathjax": tmp_path / "none" / "mathjax"})
    with pytest.raises(FileNotFoundError, match=r"bash scripts/web_assets\.sh"):
        slides.build(slides.pick(["03"]), tmp_path / "out")
    assert slides.main(["--build", "03", "-o", str(tmp_path / "out")]) == 1
    assert "bash scripts/web_assets.sh" in capsys.readouterr().err


# --- lesson 03's deck in Chromium ---------------------------------------------------------------

def need_browser_and_assets() -> str:
    """The Chromium path; fails (not skips) with what to install when something is missing."""
    try:
        slides.check_assets()
    except FileNotFoundError as err:
        pytest.fail(str(err))
    path = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(path).exists():
        pytest.fail(f"Chromium not found at {path}: apt-get install chromium fonts-noto-cjk (or set CHROMIUM)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        pytest.fail("the playwright package is missing: pip install -e '.[book]' (never `playwright install`)")
    return path


def test_deck_template_loads_nothing_from_outside(tmp_path):
    need_browser_and_assets()
    nb = slides.apply_rule(nbformat.v4.new_notebook(cells=[md("# 标题\n\n$x^2$"), code("1 + 1")]))
    nb.cells[1].outputs = [nbformat.v4.new_output("execute_result", {"text/plain": "2"}, execution_count=1)]
    path = tmp_path / "99_x.ipynb"
    nbformat.write(nb, path)
    html = slides.build([path], tmp_path / "out", log=None)[0].read_text(encoding="utf-8")
    loads = re.findall(r"<(?:script|link|img)\b[^>]*?\b(?:src|href)=\"([^\"]+)\"", html)
    assert loads and not [u for u in loads if re.match(r"(?:https?:)?//", u)], loads
    for url in loads:
        assert url.startswith("data:") or (tmp_path / "out" / url).is_file(), url
    assert "text-transform: none" in html and "/theme/white.css" in html


def test_lesson_03_deck_in_chromium(tmp_path):
    """First slide shows the title, > 10 slides, Chinese renders (no tofu), MathJax typesets the
    formulas, and the page asks nothing of any host but the local server."""
    chromium = need_browser_and_assets()
    from playwright.sync_api import sync_playwright

    from coursetools.check_book import CHROMIUM_FLAGS, TOFU_JS, serve

    lesson = slides.pick(["03"])[0]
    copy = tmp_path / lesson.name                     # the real notebook is never written
    shutil.copyfile(lesson, copy)
    nb = slides.apply_rule(nbformat.read(copy, as_version=4), keep=False)
    nbformat.write(nb, copy)
    title = nb.cells[0].source.lstrip().split("\n", 1)[0].lstrip("#").strip()
    deck = slides.build([copy], tmp_path / "slides", log=None)[0]
    html = deck.read_text(encoding="utf-8")
    assert "# Solution to exercise" not in html and "参考解答" not in html   # skipped cells stay out
    assert "selfcheck.quiz" not in html and "Google Colab only" not in html

    server, base = serve(deck.parent)
    requests, outside, errors = [], [], []

    def route(r):
        url = r.request.url
        requests.append(url)
        if url.startswith((base, "data:", "blob:")):
            r.continue_()
        else:
            outside.append(url)
            r.abort()

    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_FLAGS)
            page = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 800}).new_page()
            page.route("**/*", route)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(base + deck.name, wait_until="load")
            page.wait_for_function("window.Reveal && Reveal.isReady()", timeout=30_000)
            page.wait_for_function("window.MathJax && MathJax.startup && MathJax.startup.promise",
                                   timeout=30_000)
            page.evaluate("() => MathJax.startup.promise")
            first = page.evaluate("() => Reveal.getCurrentSlide().innerText")
            heading = page.evaluate("""() => { const h = Reveal.getCurrentSlide().querySelector('h1');
                const r = h.getBoundingClientRect(), s = getComputedStyle(h);
                return {top: r.top, bottom: r.bottom, width: r.width, transform: s.textTransform}; }""")
            total = page.evaluate("() => Reveal.getTotalSlides()")
            formulas = page.evaluate("() => document.querySelectorAll('mjx-container').length")
            merrors = page.evaluate("() => document.querySelectorAll('mjx-merror').length")
            tofu = page.evaluate(TOFU_JS)
            page.screenshot(path=str(tmp_path / "first-slide.png"))
            browser.close()
    finally:
        server.shutdown()

    assert title and title in first, (title, first[:300])
    assert heading["transform"] == "none" and heading["width"] > 0 and 0 <= heading["top"] < 800, heading
    assert total > 10, total
    assert formulas > 0 and merrors == 0, (formulas, merrors)
    assert tofu["chars"] > 100 and tofu["missing"] == "", tofu
    assert any(u.endswith("/_static/mathjax/tex-chtml.js") for u in requests), requests
    assert any(u.endswith("/_static/reveal.js/dist/reveal.js") for u in requests), requests
    assert outside == [], f"requests to other hosts: {outside}"
    assert errors == [], errors
