"""Tools that work on the course's notebooks, for authors, CI and workshops (not imported by lessons).

- ``notebooks``: the one reader of a notebook's stored outputs, papermill-style parameter
  injection, execution in a fresh kernel (nbclient) and the measured run behind ``run_lessons``.
- ``run_lessons``: ``python -m coursetools.run_lessons [--store] [--table-only] [NN ...]``
  runs every lesson in a fresh kernel and writes ``benchmarks/lessons.md``.
- ``lesson_script``: ``python -m coursetools.lesson_script NOTEBOOK [-o FILE] [--set NAME=VALUE]``
  writes a lesson's ``training-script`` cells out as a script for ``accelerate launch``.
- ``versions``: ``python -m coursetools.versions [--strict]`` compares the README's tested
  versions with the installed packages.
- ``check_book``: ``python -m coursetools.check_book`` checks the built book in headless Chromium.
- ``launch``: ``python -m coursetools.launch [--write]`` copies the repository named in
  ``pyproject.toml`` into the lessons' Colab cells, the book config and the README's launch links.
- ``floors``: ``python -m coursetools.floors`` prints the lowest allowed versions as pip constraints.
- ``slides``: ``python -m coursetools.slides [--write | --check | --build] [NN ...]`` slide metadata
  and the lessons' reveal.js decks.
"""
