"""coursetools.check_book: what the book check expects of each page (the browser part runs in CI on the built book)."""

from __future__ import annotations

from pathlib import Path

from coursetools.check_book import expected_cells, has_math, source_of, toc_pages

BOOK = Path(__file__).resolve().parents[1] / "book"


def test_math_is_found_in_prose_but_not_in_code():
    assert has_math("损失是 $-\\log p$。")
    assert not has_math("运行 `echo $HOME` 或\n```bash\nexport A=$B\n```\n")


def test_expected_cells_count_what_the_book_shows_and_skip_removed_cells():
    nb = {"cells": [
        {"cell_type": "markdown", "source": "x"},
        {"cell_type": "code", "metadata": {}, "outputs": [
            {"output_type": "stream", "text": "hi"},
            {"output_type": "display_data", "data": {"image/png": "...", "text/plain": "<Figure>"}}]},
        {"cell_type": "code", "metadata": {"tags": ["remove-cell"]}, "outputs": [{"output_type": "stream", "text": "x"}]},
        {"cell_type": "code", "metadata": {"tags": ["remove-output"]}, "outputs": [{"output_type": "stream", "text": "x"}]},
    ]}
    assert expected_cells(nb) == [{"cell": 2, "images": 1, "texts": 1, "markdown": False},
                                  {"cell": 4, "images": 0, "texts": 0, "markdown": False}]


def test_the_book_lists_every_lesson_in_order_and_each_page_has_a_source():
    pages = toc_pages(BOOK)
    lessons = sorted(p.stem for p in (BOOK.parent / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    assert [p.split("/")[-1] for p in pages if p.startswith("notebooks/")] == lessons
    assert all(source_of(BOOK, page) is not None for page in pages), "a toc entry has no .md or .ipynb behind it"
