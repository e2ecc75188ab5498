"""helpers.tasks.baselines: the TF-IDF + logistic-regression review classifier (lesson 10; bert-zh-sentiment's teacher)."""

from __future__ import annotations

from helpers.tasks.baselines import out_of_fold_tfidf, tfidf_classifier


def test_sentiment_teacher_labels_each_review_without_having_seen_it():
    # bert-zh-sentiment distils TF-IDF + LR; its soft targets must be out-of-fold, or they would
    # just repeat the labels (in-sample, the linear model fits the training reviews almost perfectly)
    import numpy as np

    from helpers.data import load_chinese_reviews
    from helpers.pretrain import REGISTRY

    assert 0 < REGISTRY["bert-zh-sentiment"].recipe.distill < 1
    reviews = load_chinese_reviews()["train"].select(range(2000))
    texts, labels = list(reviews["text"]), np.array(reviews["label"])
    in_sample = np.mean((tfidf_classifier(texts, labels).predict_proba(texts)[:, 1] > 0.5) == labels)
    out_of_fold = np.mean((out_of_fold_tfidf(texts, labels) > 0.5) == labels)
    assert in_sample > 0.97
    assert 0.6 < out_of_fold < in_sample - 0.1
