"""Task code, one module per task: what a lesson teaches in its cells and a course checkpoint's
recipe runs again at length. Where a lesson writes a function out, it checks that the copy here
is equal (the lesson names the check).

* :mod:`helpers.tasks.mlm`: clauses, NSP / SOP sentence pairs and BERT masking (lessons 04, 07).
* :mod:`helpers.tasks.lm`: a split as one token stream (lesson 05).
* :mod:`helpers.tasks.numbers`: numbers and their Chinese readings (lesson 06).
* :mod:`helpers.tasks.ner`: BIO tags, model-sized windows, the lexicon baseline (lesson 07).
* :mod:`helpers.tasks.segmentation`: B/M/E/S word-segmentation tags, word-level scoring, maximum matching (lesson 08).
* :mod:`helpers.tasks.multilabel`: sentences labelled with the kinds of words they contain (lesson 09).
* :mod:`helpers.tasks.baselines`: the TF-IDF + logistic-regression review classifier (lessons 10 and 12).
* :mod:`helpers.tasks.transfer`: a mean-pooling classifier on a pretrained encoder, what each fine-tuning method
  trains, the training loop (lesson 10; ``benchmarks/little_data.py``).
* :mod:`helpers.tasks.instruct`: instruction data from the course's annotations, the chat template, answer
  generation and scoring (lesson 11; the ``gpt-zh-chat`` recipe, ``benchmarks/instruct.py``).
"""
