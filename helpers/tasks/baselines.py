"""The review classifier a practitioner tries first (lessons 10 and 12; the ``bert-zh-sentiment`` recipe's teacher).

Lesson 10 writes :func:`tfidf_classifier` out in its cells and checks this copy against it.
"""

from __future__ import annotations


def tfidf_classifier(texts, labels):
    """Character 1-2-gram TF-IDF + logistic regression (C=4), fitted on ``texts`` / ``labels``."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    return make_pipeline(TfidfVectorizer(analyzer="char", ngram_range=(1, 2), sublinear_tf=True),
                         LogisticRegression(C=4.0, max_iter=1000)).fit(list(texts), labels)


def out_of_fold_tfidf(texts: list[str], labels, folds: int = 5, seed: int = 0):
    """P(positive) for every text from a :func:`tfidf_classifier` that did not see it (stratified k-fold)."""
    import numpy as np
    from sklearn.model_selection import StratifiedKFold

    texts, labels = np.array(texts, dtype=object), np.asarray(labels)
    probability = np.zeros(len(labels))
    for fit, held_out in StratifiedKFold(folds, shuffle=True, random_state=seed).split(texts, labels):
        probability[held_out] = tfidf_classifier(texts[fit], labels[fit]).predict_proba(list(texts[held_out]))[:, 1]
    return probability
