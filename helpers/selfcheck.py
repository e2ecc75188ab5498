"""The end of every lesson: a self-check quiz and a "report a problem" link.

* :func:`quiz` shows the lesson's questions (``quizzes/NN.yml``) with instant feedback:
  multiple choice or a number, and an explanation once answered. The widget is one block of
  HTML with its own small script (no CDN, nothing loaded), so it works offline in JupyterLab
  (once the cell has run: Jupyter runs scripts only in outputs it trusts) and in the built book.
  Without HTML (a terminal, ``print``) it shows the questions without the answers.
* :func:`report_link` opens the repository's issue form with the lesson and the version line that
  :func:`helpers.setup` prints filled in.

The repository's address lives in one place, ``pyproject.toml`` (``[project.urls] Repository`` and
``[tool.plm-course] branch``); :func:`repository` reads it. Used by every lesson (last cells).
"""

from __future__ import annotations

import html
import tomllib
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
QUIZ_DIR = ROOT / "quizzes"
ISSUE_TEMPLATE = "lesson-problem.yml"  # .github/ISSUE_TEMPLATE/lesson-problem.yml


class QuizError(ValueError):
    """A quiz file that is missing or not in the format ``quizzes/README.md`` describes."""


@dataclass(frozen=True)
class Question:
    prompt: str
    explanation: str
    choices: tuple[str, ...] = ()
    answer: int | None = None  # index into choices
    number: float | None = None  # numeric question: the right value ...
    tolerance: float = 0.0  # ... and the accepted absolute error
    unit: str = ""

    @property
    def numeric(self) -> bool:
        return self.number is not None


@dataclass(frozen=True)
class Quiz:
    lesson: str
    questions: tuple[Question, ...]

    def __repr__(self) -> str:  # what `print` and a terminal show: the questions, not the answers
        lines = [f"自测 · 第 {self.lesson} 课（{len(self.questions)} 题；在 JupyterLab 或课程网页里可以直接作答）"]
        for number, q in enumerate(self.questions, 1):
            lines.append(f"{number}. {q.prompt}")
            if q.numeric:
                lines.append(f"   （填一个数{'，单位：' + q.unit if q.unit else ''}）")
            lines += [f"   {chr(65 + i)}. {choice}" for i, choice in enumerate(q.choices)]
        lines.append(f"答案和解释：quizzes/{self.lesson}.yml")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        return quiz_html(self)


CHOICE_KEYS = {"prompt", "choices", "answer", "explanation"}
NUMBER_KEYS = {"prompt", "number", "tolerance", "unit", "explanation"}


def _text(value, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise QuizError(f"{where} must be a non-empty string, got {value!r}")
    if "$" in value:
        raise QuizError(f"{where} contains '$': quiz text is shown as plain text, not typeset; "
                        f"write the math in Unicode (√d, 2³⁰, ×, ≈)")
    return value.strip()


def _number(value, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise QuizError(f"{where} must be a number, got {value!r}")
    return float(value)


def parse_quiz(data, lesson: str, source: str = "quiz") -> Quiz:
    """Check a quiz's YAML data (format: ``quizzes/README.md``) and build the :class:`Quiz`."""
    if not isinstance(data, dict) or set(data) != {"lesson", "questions"}:
        raise QuizError(f"{source}: the top level must have exactly the keys 'lesson' and 'questions', "
                        f"got {sorted(data) if isinstance(data, dict) else type(data).__name__}")
    if str(data["lesson"]) != lesson:
        raise QuizError(f"{source}: says lesson {data['lesson']!r}, expected {lesson!r} (the file name)")
    items = data["questions"]
    if not isinstance(items, list) or not 3 <= len(items) <= 5:
        raise QuizError(f"{source}: 'questions' must be a list of 3 to 5 questions, "
                        f"got {len(items) if isinstance(items, list) else type(items).__name__}")
    questions = []
    for number, item in enumerate(items, 1):
        where = f"{source}, question {number}"
        if not isinstance(item, dict):
            raise QuizError(f"{where}: must be a mapping with prompt, explanation and choices/answer or number/tolerance")
        keys = set(item)
        if "choices" in keys:
            if keys != CHOICE_KEYS:
                raise QuizError(f"{where}: a multiple-choice question has exactly the keys {sorted(CHOICE_KEYS)}, "
                                f"got {sorted(keys)}")
            choices = item["choices"]
            if not isinstance(choices, list) or not 2 <= len(choices) <= 6:
                raise QuizError(f"{where}: 'choices' must be a list of 2 to 6 strings")
            choices = tuple(_text(c, f"{where}, choice {i}") for i, c in enumerate(choices))
            if len(set(choices)) != len(choices):
                raise QuizError(f"{where}: two choices have the same text")
            answer = item["answer"]
            if isinstance(answer, bool) or not isinstance(answer, int) or not 0 <= answer < len(choices):
                raise QuizError(f"{where}: 'answer' must be the 0-based index of the right choice "
                                f"(0 to {len(choices) - 1}), got {answer!r}")
            questions.append(Question(_text(item["prompt"], f"{where}, prompt"),
                                      _text(item["explanation"], f"{where}, explanation"), choices, answer))
        elif "number" in keys:
            if not {"prompt", "number", "tolerance", "explanation"} <= keys <= NUMBER_KEYS:
                raise QuizError(f"{where}: a numeric question has the keys prompt, number, tolerance, explanation "
                                f"and optionally unit, got {sorted(keys)}")
            tolerance = _number(item["tolerance"], f"{where}, tolerance")
            if tolerance < 0:
                raise QuizError(f"{where}: 'tolerance' is an absolute error and cannot be negative, got {tolerance}")
            questions.append(Question(_text(item["prompt"], f"{where}, prompt"),
                                      _text(item["explanation"], f"{where}, explanation"),
                                      number=_number(item["number"], f"{where}, number"), tolerance=tolerance,
                                      unit=_text(item["unit"], f"{where}, unit") if "unit" in item else ""))
        else:
            raise QuizError(f"{where}: needs 'choices' + 'answer' (multiple choice) or 'number' + 'tolerance' "
                            f"(numeric), got {sorted(keys)}")
    return Quiz(lesson, tuple(questions))


def load_quiz(lesson: str) -> Quiz:
    """Read and check ``quizzes/<lesson>.yml``; a :class:`QuizError` says what is wrong and where."""
    import yaml

    if not (isinstance(lesson, str) and len(lesson) == 2 and lesson.isdigit()):
        raise QuizError(f"lesson must be the two-digit lesson number as a string, e.g. '03', got {lesson!r}")
    path = QUIZ_DIR / f"{lesson}.yml"
    if not path.is_file():
        raise QuizError(f"no quiz for lesson {lesson}: {path} is missing "
                        f"(the quizzes ship with the repository; install the course from a clone with `pip install -e .`)")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as err:
        raise QuizError(f"quizzes/{lesson}.yml is not valid YAML: {err}") from None
    return parse_quiz(data, lesson, f"quizzes/{lesson}.yml")


def quiz(lesson: str) -> Quiz:
    """The self-check of a lesson, shown as an interactive widget by Jupyter and the book."""
    return load_quiz(lesson)


_STYLE = """
.plm-quiz{border:1px solid #9aa5b1;border-radius:6px;padding:.6em 1em;margin:.5em 0;max-width:48em}
.plm-quiz .plm-q{margin:.8em 0 1.2em}
.plm-quiz .plm-prompt{margin:.2em 0 .5em;font-weight:600}
.plm-quiz button{font:inherit;color:inherit;background:transparent;border:1px solid #9aa5b1;border-radius:4px;
 padding:.25em .7em;margin:.15em .3em .15em 0;cursor:pointer;text-align:left}
.plm-quiz button.plm-choice{display:block;width:100%}
.plm-quiz button:hover{border-color:#2563eb}
.plm-quiz .plm-right{border-color:#15803d;background:rgba(21,128,61,.12)}
.plm-quiz .plm-wrong{border-color:#b91c1c;background:rgba(185,28,28,.12)}
.plm-quiz input{font:inherit;width:9em;padding:.2em .4em}
.plm-quiz .plm-feedback{margin:.4em 0;font-weight:600}
.plm-quiz .plm-feedback.plm-right,.plm-quiz .plm-feedback.plm-wrong{background:transparent;border:0}
.plm-quiz .plm-feedback.plm-right{color:#15803d}
.plm-quiz .plm-feedback.plm-wrong{color:#b91c1c}
.plm-quiz .plm-explanation{margin:.3em 0;padding:.4em .7em;border-left:3px solid #9aa5b1}
"""

# Binds every quiz on the page that is not bound yet (the book may hold several; JupyterLab runs
# this again when the cell runs again). Numbers: spaces and thousands separators (1,234) are
# dropped, one comma is read as a decimal comma (0,5), full-width digits are accepted.
_SCRIPT = r"""
(function () {
  function parseNumber(text, unit) {
    var s = text.normalize("NFKC").replace(/\s+/g, "");
    if (unit && s.slice(-unit.length) === unit) s = s.slice(0, -unit.length);
    if (/^[-+]?\d{1,3}(,\d{3})+(\.\d+)?$/.test(s)) s = s.replace(/,/g, "");
    else if (/^[-+]?\d*,\d+$/.test(s)) s = s.replace(",", ".");
    if (!/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(s)) return NaN;
    return parseFloat(s);
  }
  function show(q, right, message) {
    var fb = q.querySelector(".plm-feedback");
    fb.textContent = message;
    fb.className = "plm-feedback " + (right ? "plm-right" : "plm-wrong");
    q.querySelector(".plm-explanation").hidden = false;
  }
  document.querySelectorAll(".plm-quiz:not([data-bound])").forEach(function (quiz) {
    quiz.setAttribute("data-bound", "1");
    quiz.querySelectorAll(".plm-q").forEach(function (q) {
      if (q.dataset.kind === "choice") {
        var answer = parseInt(q.dataset.answer, 10);
        var buttons = q.querySelectorAll("button.plm-choice");
        buttons.forEach(function (button) {
          button.addEventListener("click", function () {
            var chosen = parseInt(button.dataset.index, 10);
            buttons.forEach(function (b) { b.classList.remove("plm-right", "plm-wrong"); });
            button.classList.add(chosen === answer ? "plm-right" : "plm-wrong");
            show(q, chosen === answer, chosen === answer ? "✓ 正确"
                 : "✗ 不对：正确答案是 " + String.fromCharCode(65 + answer) + "。");
          });
        });
      } else {
        var input = q.querySelector("input"), check = q.querySelector("button.plm-check");
        var target = parseFloat(q.dataset.number), tolerance = parseFloat(q.dataset.tolerance);
        var unit = q.dataset.unit || "";
        var grade = function () {
          var value = parseNumber(input.value, unit);
          if (isNaN(value)) {
            var fb = q.querySelector(".plm-feedback");
            fb.textContent = "请填一个数，例如 12.5";
            fb.className = "plm-feedback plm-wrong";
            return;
          }
          var right = Math.abs(value - target) <= tolerance + 1e-9 * Math.abs(target);
          show(q, right, right ? "✓ 正确" : "✗ 不对：答案是 " + q.dataset.shown + (unit ? " " + unit : "") + "。");
        };
        check.addEventListener("click", grade);
        input.addEventListener("keydown", function (e) { if (e.key === "Enter") grade(); });
      }
    });
  });
})();
"""


def _format_number(value: float) -> str:
    return f"{value:.10g}"


def quiz_html(quiz: Quiz) -> str:
    """The widget: a self-contained block of HTML, CSS and script (no network, no MathJax needed)."""
    esc = html.escape
    parts = [f'<div class="plm-quiz" data-lesson="{esc(quiz.lesson)}"><style>{_STYLE}</style>',
             f"<p><b>自测 · 第 {esc(quiz.lesson)} 课</b>（点选或填数，马上看到对错和解释）</p>"]
    for number, q in enumerate(quiz.questions, 1):
        if q.numeric:
            parts.append(f'<div class="plm-q" data-kind="number" data-number="{q.number!r}" '
                         f'data-tolerance="{q.tolerance!r}" data-shown="{esc(_format_number(q.number))}" '
                         f'data-unit="{esc(q.unit)}">')
            parts.append(f'<p class="plm-prompt">{number}. {esc(q.prompt)}</p>')
            parts.append(f'<input type="text" inputmode="decimal" aria-label="答案">{" " + esc(q.unit) if q.unit else ""} '
                         f'<button type="button" class="plm-check">检查</button>')
        else:
            parts.append(f'<div class="plm-q" data-kind="choice" data-answer="{q.answer}">')
            parts.append(f'<p class="plm-prompt">{number}. {esc(q.prompt)}</p>')
            parts += [f'<button type="button" class="plm-choice" data-index="{i}">{chr(65 + i)}. {esc(c)}</button>'
                      for i, c in enumerate(q.choices)]
        parts.append('<p class="plm-feedback" role="status" aria-live="polite"></p>')
        parts.append(f'<div class="plm-explanation" hidden>{esc(q.explanation)}</div></div>')
    parts.append(f"<script>{_SCRIPT}</script></div>")
    return "".join(parts)


# --- the repository and the "report a problem" link ------------------------------------------


def repository() -> tuple[str, str]:
    """``(url, branch)`` of the course repository, from ``pyproject.toml``."""
    path = ROOT / "pyproject.toml"
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing: the course must be installed from its repository "
                                f"(`pip install -e .` in a clone)")
    config = tomllib.loads(path.read_text(encoding="utf-8"))
    try:
        url = config["project"]["urls"]["Repository"].rstrip("/")
        branch = config["tool"]["plm-course"]["branch"]
    except KeyError as err:
        raise KeyError(f"pyproject.toml lacks {err}: set [project.urls] Repository and [tool.plm-course] branch") from None
    return url, branch


def report_url(lesson: str, versions: str | None = None) -> str:
    """A link to a new issue on the lesson, with the lesson and the version line filled in."""
    from .env import version_line

    if not (isinstance(lesson, str) and len(lesson) == 2 and lesson.isdigit()):
        raise ValueError(f"lesson must be the two-digit lesson number as a string, e.g. '03', got {lesson!r}")
    url, _ = repository()
    query = {"template": ISSUE_TEMPLATE, "title": f"[第 {lesson} 课] ", "lesson": lesson,
             "versions": versions if versions is not None else version_line()}
    return f"{url}/issues/new?{urllib.parse.urlencode(query, quote_via=urllib.parse.quote)}"


@dataclass(frozen=True)
class ReportLink:
    lesson: str
    url: str

    def __repr__(self) -> str:
        return f"这一课有错、跑不通或讲不清？报告问题（课次和版本已填好）：\n{self.url}"

    def _repr_html_(self) -> str:
        return (f'<p>这一课有错、跑不通或讲不清？<a href="{html.escape(self.url)}" target="_blank" rel="noopener">'
                f"报告问题</a>（课次和版本已填好）。</p>")


def report_link(lesson: str) -> ReportLink:
    """The "report a problem" link at the end of a lesson."""
    return ReportLink(lesson, report_url(lesson))


__all__ = ["Question", "Quiz", "QuizError", "ReportLink", "load_quiz", "parse_quiz", "quiz", "quiz_html",
           "repository", "report_link", "report_url"]
