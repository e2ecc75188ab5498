r"""Check the built book in headless Chromium (CI runs this after build_book.sh).

For every page in book/_toc.yml (the intro, each lesson notebook, the glossary)
the page is opened from a localhost http server in Debian's Chromium, driven by
Playwright (the PyPI package; it never downloads a browser here). Per page:

  (a) every distinct Chinese character is drawn on a canvas with the computed
      font of the element that holds it and compared, pixel for pixel, with the
      missing-glyph box (.notdef) that the same font gives for an unassigned
      code point: equal pixels mean the reader sees tofu. A notebook whose
      outputs carry matplotlib's "Glyph ... missing from font" warning fails
      too (its stored figure shows boxes);
  (b) math is rendered: every Sphinx math element holds an <mjx-container>, no
      MathJax error or undefined macro, no raw \( \[ $$ left in the visible
      text, and a source with math has rendered math;
  (c) a notebook page shows all its stored outputs: per code cell, the image,
      text and Markdown outputs of the .ipynb against the page (and every image
      has loaded);
  (d) nothing is requested from outside localhost (such requests are logged,
      blocked and fail the check), and no local resource is missing (HTTP >= 400);
  (e) a lesson's self-check quiz works: for every question a wrong answer and
      then the right one are clicked (or typed), and the page must say wrong,
      then right, and show the explanation.

A full-page screenshot of every page goes to --out. Exit status: 0 all pages
pass, 1 a check failed, 2 the book or the browser could not be found.

    python -m coursetools.check_book [--book book] [--out book/_build/screenshots]
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import os
import re
import sys
import tempfile
import threading
import time
import unicodedata
from pathlib import Path

import yaml

from coursetools.notebooks import printed_text

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM_FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]

# Runs in the page. Collects every distinct (font, character) pair of Chinese
# text, draws it and compares it with the .notdef rendering of unassigned code
# points in the same font (one in the BMP, one in the ideographic plane 2).
TOFU_JS = r"""
async () => {
  await document.fonts.ready;
  const HAN = /[\u2e80-\u2fdf\u3001-\u303f\u3040-\u30ff\u3100-\u312f\u3200-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef\u{20000}-\u{3ffff}]/u;
  const SKIP = new Set(['SCRIPT', 'STYLE', 'NOSCRIPT', 'TEMPLATE']);
  const pairs = new Map();                       // font -> Set of chars
  const add = (el, text) => {
    const cs = getComputedStyle(el);
    const font = `${cs.fontStyle} ${cs.fontWeight} 40px ${cs.fontFamily}`;
    for (const ch of text) if (HAN.test(ch)) {
      if (!pairs.has(font)) pairs.set(font, new Set());
      pairs.get(font).add(ch);
    }
  };
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode())
    if (n.parentElement && !SKIP.has(n.parentElement.tagName)) add(n.parentElement, n.data);
  for (const el of document.querySelectorAll('[placeholder]')) add(el, el.placeholder);

  const canvas = document.createElement('canvas');
  canvas.width = canvas.height = 64;
  canvas.style.display = 'none';
  document.body.appendChild(canvas);             // inherits the page's lang
  const ctx = canvas.getContext('2d', {willReadFrequently: true});
  const draw = (font, ch) => {
    ctx.fillStyle = '#fff'; ctx.fillRect(0, 0, 64, 64);
    ctx.font = font; ctx.fillStyle = '#000'; ctx.textBaseline = 'alphabetic';
    ctx.fillText(ch, 8, 48);
    const d = ctx.getImageData(0, 0, 64, 64).data;
    let sig = '', ink = 0;
    for (let i = 0; i < d.length; i += 4) { sig += d[i] < 128 ? '1' : '0'; ink += d[i] < 128; }
    return {sig, ink};
  };
  const all = new Set(), bad = new Set(), badFonts = new Set();
  for (const [font, chars] of pairs) {
    const notdef = [draw(font, '\u0378').sig, draw(font, '\u{2FFFD}').sig];
    for (const ch of chars) {
      all.add(ch);
      const r = draw(font, ch);
      if (r.ink === 0 || notdef.includes(r.sig)) { bad.add(ch); badFonts.add(font.split(' 40px ')[1]); }
    }
  }
  canvas.remove();
  return {chars: all.size, missing: [...bad].join(''), fonts: [...badFonts]};
}
"""

# Runs in the page after MathJax: math elements, rendered containers, errors,
# raw TeX delimiters in the visible text outside code blocks, and outputs.
PAGE_JS = r"""
() => {
  const math = [...document.querySelectorAll('.math')];
  const unrendered = math.filter(m => !m.querySelector('mjx-container')).length;
  const clone = document.body.cloneNode(true);
  clone.querySelectorAll('pre, code, script, style, mjx-container, .highlight, textarea')
       .forEach(e => e.remove());
  const text = clone.textContent;
  const raw = [];
  for (const re of [/\\\(/, /\\\[/, /\$\$/, /\\begin\{/, /\$[^$\s][^$\n]*?[\\^_][^$\n]*?\$/]) {
    const m = text.match(re);
    if (m) raw.push(text.slice(Math.max(0, m.index - 20), m.index + 40).replace(/\s+/g, ' '));
  }
  // One entry per code cell on the page: images, text outputs (.output divs)
  // and Markdown outputs (rendered inline, so any other element counts once).
  const cells = [...document.querySelectorAll('div.cell')].map(cell => {
    const out = cell.querySelector('.cell_output');
    const kids = out ? [...out.children] : [];
    const imgs = out ? [...out.querySelectorAll('img')].filter(i => !i.closest('.output')) : [];
    return {
      images: imgs.length,
      broken: imgs.filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src),
      texts: kids.filter(k => k.classList.contains('output')).length,
      markdown: kids.some(k => !k.classList.contains('output') && k.tagName !== 'IMG' && !k.querySelector('img')),
    };
  });
  return {
    math: math.length, unrendered,
    mjx: document.querySelectorAll('mjx-container').length,
    merror: document.querySelectorAll('mjx-merror').length,
    // MathJax's noundefined package prints an unknown \macro as red text
    undefined: [...document.querySelectorAll('mjx-container')]
                 .map(c => (c.textContent.match(/\\[a-zA-Z]+/) || [])[0]).filter(Boolean),
    raw,
    cells,
  };
}
"""

MATH_SOURCE = re.compile(r"\$\$.+?\$\$|(?<![\\$])\$[^\s$][^$\n]*?(?<!\s)\$|\\begin\{", re.S)
CODE = re.compile(r"```.*?```|~~~.*?~~~|`[^`\n]*`", re.S)
IMAGE_MIMES = ("image/png", "image/jpeg", "image/svg+xml", "image/gif")
# myst-nb's HTML priority: the first of these that an output has is what it shows
MIME_PRIORITY = ("application/vnd.jupyter.widget-view+json", "application/javascript",
                 "text/html", "image/svg+xml", "image/png", "image/jpeg", "image/gif",
                 "text/markdown", "text/latex", "text/plain")
PLOT_TOFU = re.compile(r"Glyph \d+ \(\\N\{([^}]*)\}\) missing from (?:current )?font")  # matplotlib's warning
REMOVED_CELL = {"remove-cell", "remove_cell"}
REMOVED_OUTPUT = {"remove-output", "remove_output"}


def has_math(markdown: str) -> bool:
    return bool(MATH_SOURCE.search(CODE.sub("", markdown)))


def expected_cells(nb: dict) -> list[dict]:
    """Per code cell shown in the book: its image, text and Markdown outputs."""
    cells = []
    for number, cell in enumerate(nb["cells"], 1):
        tags = set(cell.get("metadata", {}).get("tags", []))
        if cell["cell_type"] != "code" or tags & REMOVED_CELL:
            continue
        exp = {"cell": number, "images": 0, "texts": 0, "markdown": False}
        for out in [] if tags & REMOVED_OUTPUT else cell.get("outputs", []):
            kind = out["output_type"]
            if kind in ("stream", "error"):
                exp["texts"] += 1
            elif kind in ("display_data", "execute_result"):
                shown = next((m for m in MIME_PRIORITY if m in out.get("data", {})), None)
                if shown in IMAGE_MIMES:
                    exp["images"] += 1
                elif shown == "text/markdown":
                    exp["markdown"] = True
                elif shown and shown.startswith("text/"):
                    exp["texts"] += 1
        cells.append(exp)
    return cells


def toc_pages(book: Path) -> list[str]:
    """Docnames of the toc in order (root first), nested parts/sections included."""
    toc = yaml.safe_load((book / "_toc.yml").read_text(encoding="utf-8"))
    pages = [toc["root"]]

    def walk(node):
        if isinstance(node, dict):
            if "file" in node:
                pages.append(node["file"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk({k: v for k, v in toc.items() if k != "root"})
    return [re.sub(r"\.(md|ipynb)$", "", p) for p in pages]


def source_of(book: Path, page: str) -> Path | None:
    for ext in (".ipynb", ".md"):
        if (book / (page + ext)).exists():
            return book / (page + ext)
    return None


def serve(directory: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Quiet, directory=str(directory)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


def exercise_quiz(page) -> tuple[int, list[str]]:
    """Answer every self-check question on ``page`` (Playwright) wrong, then right, by clicking and
    typing; returns (questions answered, problems). The right answers are read from the widget."""
    problems, answered = [], 0
    quizzes = page.locator(".plm-quiz")
    for qi in range(quizzes.count()):
        quiz = quizzes.nth(qi)
        if quiz.get_attribute("data-bound") is None:
            problems.append(f"quiz {qi + 1}: its script did not run (no answer can be checked)")
            continue
        questions = quiz.locator(".plm-q")
        for i in range(questions.count()):
            q, where = questions.nth(i), f"quiz {qi + 1}, question {i + 1}"
            feedback, explanation = q.locator(".plm-feedback"), q.locator(".plm-explanation")
            if explanation.is_visible():
                problems.append(f"{where}: the explanation shows before any answer")
            if q.get_attribute("data-kind") == "choice":
                right = int(q.get_attribute("data-answer"))
                buttons = q.locator("button.plm-choice")
                wrong = (right + 1) % buttons.count()
                attempts = [(lambda: buttons.nth(wrong).click(), False), (lambda: buttons.nth(right).click(), True)]
            else:
                number, tolerance = float(q.get_attribute("data-number")), float(q.get_attribute("data-tolerance"))
                box, check = q.locator("input"), q.locator("button.plm-check")
                bad = repr(number + 10 * tolerance + abs(number) + 1)
                attempts = [(lambda: (box.fill(bad), check.click()), False),
                            (lambda: (box.fill(q.get_attribute("data-shown")), box.press("Enter")), True)]
            for act, should_be_right in attempts:
                act()
                cls = feedback.get_attribute("class") or ""
                if ("plm-right" in cls) != should_be_right or not (feedback.text_content() or "").strip():
                    problems.append(f"{where}: a {'right' if should_be_right else 'wrong'} answer got "
                                    f"{feedback.text_content()!r}")
                if not explanation.is_visible():
                    problems.append(f"{where}: no explanation after answering")
            answered += 1
    return answered, problems


def check_page(ctx, base: str, book: Path, page: str, out_dir: Path, timeout_s: float) -> dict:
    src = source_of(book, page)
    row = {"page": page, "problems": []}
    problems = row["problems"]
    requests, bad_status, errors = [], [], []
    pg = ctx.new_page()
    pg.on("request", lambda r: requests.append(r.url))
    pg.on("response", lambda r: bad_status.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    pg.on("pageerror", lambda e: errors.append(str(e)))
    try:
        pg.goto(base + page + ".html", wait_until="load", timeout=timeout_s * 1000)
        has_page_math = pg.evaluate("document.querySelectorAll('.math').length > 0")
        if has_page_math:
            try:
                pg.wait_for_function("window.MathJax && MathJax.startup && MathJax.startup.promise",
                                     timeout=timeout_s * 1000)
                pg.evaluate("MathJax.startup.promise.then(() => true)")  # initial typesetting done
            except Exception:
                problems.append("MathJax did not load or finish typesetting")
        tofu = pg.evaluate(TOFU_JS)
        info = pg.evaluate(PAGE_JS)
        shot = out_dir / (page.replace("/", "__") + ".png")
        pg.screenshot(path=str(shot), full_page=True)
        row["screenshot"] = str(shot)
        row["quiz"], quiz_problems = exercise_quiz(pg)
        problems += quiz_problems
    finally:
        pg.close()

    # (a) missing glyphs
    row["cjk"], row["tofu"] = tofu["chars"], len(tofu["missing"])
    if tofu["missing"]:
        problems.append(f"{len(tofu['missing'])} of {tofu['chars']} distinct Chinese characters render "
                        f"as missing glyphs (tofu), e.g. {tofu['missing'][:30]!r}; in font-family "
                        + " | ".join(tofu["fonts"][:3]) + " (is a CJK font such as fonts-noto-cjk installed?)")
    if src and tofu["chars"] == 0 and re.search(r"[\u4e00-\u9fff]", src.read_text(encoding="utf-8")):
        problems.append("the source has Chinese text but no Chinese character was found on the page")
    # (b) math
    row["math"] = f"{info['math'] - info['unrendered']}/{info['math']}"
    if info["unrendered"]:
        problems.append(f"{info['unrendered']} of {info['math']} math element(s) not typeset by MathJax")
    if info["merror"]:
        problems.append(f"{info['merror']} MathJax error(s) (bad TeX) on the page")
    for macro in sorted(set(info["undefined"])):
        problems.append(f"undefined TeX macro in a formula: {macro}")
    for snippet in info["raw"]:
        problems.append(f"raw TeX visible in the page text: ...{snippet}...")
    # (c) outputs
    if src and src.suffix == ".ipynb":
        nb = json.loads(src.read_text(encoding="utf-8"))
        if any(c.get("id") == "code-selfcheck" for c in nb["cells"]) and not row["quiz"]:
            problems.append("the lesson has a self-check but no question could be answered on the page")
        md = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
        expected, shown = expected_cells(nb), info["cells"]
        n_img = sum(c["images"] for c in expected), sum(c["images"] for c in shown)
        n_txt = (sum(c["texts"] + c["markdown"] for c in expected),
                 sum(c["texts"] + c["markdown"] for c in shown))
        row["images"], row["texts"] = f"{n_img[1]}/{n_img[0]}", f"{n_txt[1]}/{n_txt[0]}"
        if len(expected) != len(shown):
            problems.append(f"page shows {len(shown)} code cells, the notebook has {len(expected)}")
        for exp, got in zip(expected, shown):
            for what, name in (("images", "image"), ("texts", "text"), ("markdown", "Markdown")):
                if exp[what] != got[what]:
                    problems.append(f"cell {exp['cell']} of the notebook: the page shows {int(got[what])} "
                                    f"{name} output(s), the notebook has {int(exp[what])}")
        glyphs = sorted(set(PLOT_TOFU.findall(printed_text(nb))))
        if glyphs:  # matplotlib drew boxes into a stored figure
            chars = "".join(unicodedata.lookup(g) if g.startswith("CJK") else f"<{g}>" for g in glyphs)
            problems.append(f"a stored plot shows missing glyphs: matplotlib warned that {chars!r} are "
                            "missing from its font (use helpers' CJK plot style and re-run the notebook)")
    else:
        md = src.read_text(encoding="utf-8") if src else ""
        row["images"] = row["texts"] = "-"
    for url in (u for c in info["cells"] for u in c["broken"]):
        problems.append(f"image did not load: {url}")
    if has_math(md) and info["mjx"] == 0:
        problems.append("the source has math but the page shows no rendered formula")
    # (d) network
    external = sorted({u for u in requests if not u.startswith((base, "data:", "blob:", "about:"))})
    row["external"] = len(external)
    for url in external:
        problems.append(f"request to a non-localhost URL (blocked): {url}")
    for s in sorted(set(bad_status)):
        problems.append(f"local resource failed: {s}")
    row["js_errors"] = errors
    return row


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--book", type=Path, default=ROOT / "book", help="book source dir (has _toc.yml)")
    ap.add_argument("--html", type=Path, help="built HTML (default BOOK/_build/html)")
    ap.add_argument("--out", type=Path, help="screenshots (default BOOK/_build/screenshots)")
    ap.add_argument("--chromium", default=os.environ.get("CHROMIUM", "/usr/bin/chromium"),
                    help="the browser (default $CHROMIUM, else /usr/bin/chromium)")
    ap.add_argument("--timeout", type=float, default=60, help="seconds per page load / MathJax")
    args = ap.parse_args()
    book = args.book.resolve()
    html = (args.html or book / "_build" / "html").resolve()
    out = (args.out or book / "_build" / "screenshots").resolve()
    if not (html / "index.html").exists():
        print(f"error: no built book at {html} (run: bash scripts/build_book.sh)", file=sys.stderr)
        return 2
    if not Path(args.chromium).exists():
        print(f"error: {args.chromium} not found (apt-get install chromium fonts-noto-cjk)", file=sys.stderr)
        return 2
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        print("error: the 'playwright' Python package is missing (pip install -e '.[book]');"
              " it drives the system Chromium: never run `playwright install`", file=sys.stderr)
        return 2

    out.mkdir(parents=True, exist_ok=True)
    pages = toc_pages(book)
    server, base = serve(html)
    rows, start = [], time.time()
    try:
        with sync_playwright() as p, tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile:
            ctx = p.chromium.launch_persistent_context(
                profile, executable_path=args.chromium, headless=True, args=CHROMIUM_FLAGS,
                viewport={"width": 1280, "height": 900}, locale="zh-CN", service_workers="block")
            # Block (and so never wait for) anything that is not this server.
            ctx.route("**/*", lambda route: route.continue_()
                      if route.request.url.startswith((base, "data:", "blob:")) else route.abort())
            for page in pages:
                if not (html / (page + ".html")).exists():
                    rows.append({"page": page, "problems": [f"{page}.html was not built"]})
                    continue
                try:
                    rows.append(check_page(ctx, base, book, page, out, args.timeout))
                except Exception as exc:  # a page that cannot be checked fails
                    rows.append({"page": page, "problems": [f"check crashed: {exc!r}"]})
            ctx.close()
    finally:
        server.shutdown()

    cols = [("page", 28), ("cjk", 6), ("tofu", 5), ("math", 7), ("images", 7),
            ("texts", 7), ("external", 8), ("quiz", 5), ("result", 6)]
    print(f"\nbook check: {len(rows)} pages, {time.time() - start:.1f} s, screenshots in {out}")
    print("  ".join(name.ljust(w) for name, w in cols))
    print("  ".join("-" * w for _, w in cols))
    for r in rows:
        r["result"] = "FAIL" if r["problems"] else "ok"
        print("  ".join(str(r.get(name, "-")).ljust(w) for name, w in cols))
    print("(cjk: distinct Chinese characters on the page; tofu: how many of them show as boxes;"
          " math: typeset/total; images, texts: outputs on the page/in the notebook;"
          " quiz: self-check questions answered wrong, then right)")
    failed = [r for r in rows if r["problems"]]
    js_errors: dict[str, list[str]] = {}
    for r in rows:
        for e in r.get("js_errors", []):
            js_errors.setdefault(e, []).append(r["page"])
    for e, where in js_errors.items():  # reported, not failed (jupyter-book 1 has a known one)
        print(f"note: JavaScript error on {len(where)} page(s), e.g. {where[0]}: {e}")
    for r in failed:
        for problem in r["problems"]:
            print(f"FAIL {r['page']}: {problem}")
    print(f"{len(rows) - len(failed)} passed, {len(failed)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
