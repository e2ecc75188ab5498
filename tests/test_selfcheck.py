"""helpers.selfcheck: quiz files, the widget (clicked in Chromium, in a page and in JupyterLab),
the stored quiz outputs and the "report a problem" link."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import nbformat
import pytest
import yaml

from coursetools.check_book import CHROMIUM_FLAGS, exercise_quiz, serve
from helpers import selfcheck
from helpers.env import version_line

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
LESSONS = [p.name[:2] for p in NOTEBOOKS]



# --- quiz files ----------------------------------------------------------------------------


def test_every_lesson_has_a_quiz_and_every_quiz_a_lesson():
    files = sorted(p.stem for p in selfcheck.QUIZ_DIR.glob("*.yml"))
    assert files == LESSONS


@pytest.mark.parametrize("lesson", LESSONS)
def test_quiz_file_is_valid(lesson):
    quiz = selfcheck.load_quiz(lesson)
    assert 3 <= len(quiz.questions) <= 5
    for q in quiz.questions:
        assert q.numeric or len(q.choices) >= 2
    text = repr(quiz)
    assert all(q.prompt in text for q in quiz.questions)
    assert not any(q.explanation in text for q in quiz.questions), "the text form must not give the answers away"


def _valid() -> dict:
    return {"lesson": "03", "questions": [
        {"prompt": "p1", "choices": ["a", "b"], "answer": 1, "explanation": "e1"},
        {"prompt": "p2", "number": 12.5, "tolerance": 0.1, "unit": "个", "explanation": "e2"},
        {"prompt": "p3", "choices": ["x", "y", "z"], "answer": 0, "explanation": "e3"},
    ]}


@pytest.mark.parametrize("change, message", [
    (lambda d: d.update(lesson="04"), "expected '03'"),
    (lambda d: d.update(extra=1), "exactly the keys"),
    (lambda d: d["questions"].pop(), "3 to 5 questions"),
    (lambda d: d["questions"][0].update(answer=2), "0-based index"),
    (lambda d: d["questions"][0].update(answer=True), "0-based index"),
    (lambda d: d["questions"][0].update(choices=["a", "a"]), "same text"),
    (lambda d: d["questions"][0].update(hint="x"), "exactly the keys"),
    (lambda d: d["questions"][0].update(prompt=""), "non-empty string"),
    (lambda d: d["questions"][0].update(prompt="除以 $\\sqrt{d}$"), "Unicode"),
    (lambda d: d["questions"][1].update(tolerance=-1), "cannot be negative"),
    (lambda d: d["questions"][1].update(number="12"), "must be a number"),
    (lambda d: d["questions"][1].pop("tolerance"), "numeric question has the keys"),
    (lambda d: d["questions"][2].pop("choices"), "needs 'choices'"),
])
def test_bad_quiz_data_is_refused_with_what_is_wrong(change, message):
    data = _valid()
    selfcheck.parse_quiz(data, "03")
    change(data)
    with pytest.raises(selfcheck.QuizError, match=re.escape(message)):
        selfcheck.parse_quiz(data, "03")


def test_a_missing_quiz_or_a_bad_lesson_number_says_so():
    with pytest.raises(selfcheck.QuizError, match="no quiz for lesson 99"):
        selfcheck.load_quiz("99")
    with pytest.raises(selfcheck.QuizError, match="two-digit"):
        selfcheck.load_quiz(3)


def test_the_widget_carries_the_answers_it_checks_and_escapes_text():
    data = _valid()
    data["questions"][0]["prompt"] = "<b>x</b> & y"
    html = selfcheck.quiz_html(selfcheck.parse_quiz(data, "03"))
    assert "&lt;b&gt;x&lt;/b&gt; &amp; y" in html and "<b>x</b> &" not in html
    assert 'data-answer="1"' in html and 'data-number="12.5"' in html and 'data-tolerance="0.1"' in html
    assert "http" not in html, "the widget must not load anything"


# --- stored outputs ----------------------------------------------------------------------------


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name[:2])
def test_each_lesson_ends_with_its_quiz_and_report_link_and_stores_the_current_quiz(path):
    nb = nbformat.read(path, as_version=4)
    ids = [c.get("id") for c in nb.cells]
    assert ids[-4:] == ["md-selfcheck", "code-selfcheck", "code-report", "md-nav"], path.name
    lesson = path.name[:2]
    quiz_cell = nb.cells[-3]
    assert f'selfcheck.quiz("{lesson}")' in quiz_cell.source and f'report_link("{lesson}")' in nb.cells[-2].source
    stored = [o["data"]["text/html"] for o in quiz_cell.outputs if "text/html" in o.get("data", {})]
    assert stored == [selfcheck.quiz_html(selfcheck.load_quiz(lesson))], (
        f"quizzes/{lesson}.yml changed since the lesson was stored: "
        f"python -m coursetools.run_lessons --store {lesson}")


# --- report link -------------------------------------------------------------------------------


def test_report_link_opens_the_issue_form_with_lesson_and_versions():
    url, _ = selfcheck.repository()
    link = selfcheck.report_url("07")
    parsed = urllib.parse.urlparse(link)
    assert link.startswith(f"{url}/issues/new?")
    query = urllib.parse.parse_qs(parsed.query)
    assert query["template"] == [selfcheck.ISSUE_TEMPLATE] and query["lesson"] == ["07"]
    assert query["versions"] == [version_line()] and query["title"][0].startswith("[第 07 课]")
    form = yaml.safe_load((ROOT / ".github" / "ISSUE_TEMPLATE" / selfcheck.ISSUE_TEMPLATE).read_text(encoding="utf-8"))
    fields = {item.get("id") for item in form["body"]}
    assert {"lesson", "versions"} <= fields, "the form's field ids must match what the link fills in"
    assert "07" in repr(selfcheck.report_link("07")) and 'target="_blank"' in selfcheck.report_link("07")._repr_html_()
    with pytest.raises(ValueError, match="two-digit"):
        selfcheck.report_url("7")


def test_version_line_is_what_setup_prints(capsys):
    import helpers

    helpers.setup()
    assert version_line() in capsys.readouterr().out.splitlines()


# --- clicked in Chromium --------------------------------------------------------------------------


def _browser(p, tmp_path, base: str, chromium: str):
    ctx = p.chromium.launch_persistent_context(
        str(tmp_path / "profile"), executable_path=chromium, headless=True, args=CHROMIUM_FLAGS,
        locale="zh-CN", service_workers="block")
    outside = []

    def route(r):
        if r.request.url.startswith((base, "data:", "blob:")):
            return r.continue_()
        outside.append(r.request.url)
        return r.abort()

    ctx.route("**/*", route)
    return ctx, outside


def test_every_quiz_answers_wrong_then_right_in_chromium(tmp_path, chromium):
    from playwright.sync_api import sync_playwright

    quizzes = [selfcheck.load_quiz(lesson) for lesson in LESSONS]
    page_html = "<!doctype html><meta charset='utf-8'><body>" + "".join(q._repr_html_() for q in quizzes)
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "quiz.html").write_text(page_html, encoding="utf-8")
    server, base = serve(tmp_path / "site")
    try:
        with sync_playwright() as p:
            ctx, outside = _browser(p, tmp_path, base, chromium)
            page = ctx.new_page()
            errors = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(base + "quiz.html")
            answered, problems = exercise_quiz(page)
            # numbers typed the way people type them
            q = page.locator('.plm-q[data-kind="number"]').first
            shown = float(q.get_attribute("data-shown"))
            for typed, right in ((f"{shown:,}", True), (str(shown).replace(".", ","), "." in str(shown)),
                                 ("abc", False)):
                q.locator("input").fill(typed)
                q.locator("button.plm-check").click()
                got = q.locator(".plm-feedback").get_attribute("class")
                assert ("plm-right" in got) == right, (typed, q.locator(".plm-feedback").text_content())
            ctx.close()
    finally:
        server.shutdown()
    assert problems == [] and errors == [] and outside == []
    assert answered == sum(len(q.questions) for q in quizzes)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_quiz_works_in_jupyterlab(tmp_path, chromium):
    """JupyterLab runs the quiz cell in a real kernel; the output's script binds and answers clicks."""
    from playwright.sync_api import sync_playwright

    work = tmp_path / "lab"
    work.mkdir()
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell('from helpers import selfcheck\nselfcheck.quiz("03")')])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, work / "quiz.ipynb")
    port, token = _free_port(), "plm-test-token"
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(tmp_path / "jcfg"), "JUPYTER_RUNTIME_DIR": str(tmp_path / "jrt"),
           "JUPYTERLAB_WORKSPACES_DIR": str(tmp_path / "jws")}
    lab = subprocess.Popen([sys.executable, "-m", "jupyterlab", "--no-browser", f"--port={port}", "--ip=127.0.0.1",
                            f"--IdentityProvider.token={token}", "--allow-root", "--LabApp.news_url=",
                            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate", f"--notebook-dir={work}"],
                           cwd=work, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}/"
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(base + f"api/status?token={token}", timeout=1)
                break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("JupyterLab did not start")
        with sync_playwright() as p:
            ctx, outside = _browser(p, tmp_path, base, chromium)
            page = ctx.new_page()
            page.goto(base + f"lab/tree/quiz.ipynb?token={token}", timeout=120_000)
            page.wait_for_selector(".jp-Notebook .jp-CodeCell", timeout=120_000)
            page.wait_for_function("document.body.innerText.includes('| Idle')", timeout=120_000)  # kernel ready
            for attempt in range(3):  # a run requested while the kernel's websocket connects can be lost
                page.locator(".jp-CodeCell .jp-InputArea-editor").first.click()
                page.keyboard.press("Shift+Enter")
                try:
                    page.wait_for_selector(".plm-quiz", state="attached", timeout=30_000)
                    break
                except Exception:
                    if attempt == 2:
                        raise
            page.wait_for_selector(".plm-quiz[data-bound]", state="attached", timeout=10_000)
            answered, problems = exercise_quiz(page)
            ctx.close()
    finally:
        lab.terminate()
        try:
            lab.wait(timeout=20)
        except subprocess.TimeoutExpired:
            lab.kill()
    assert problems == [] and answered == len(selfcheck.load_quiz("03").questions)
    assert outside == [], f"JupyterLab requested {outside[:3]}"
