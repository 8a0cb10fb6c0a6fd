"""The intent classifier's prediction layout: the same probabilities, without a per-message copy."""

from __future__ import annotations

import numpy as np
from scipy.sparse import csr_matrix
from sklearn.feature_extraction.text import TfidfTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

from bot.classifier import TfidfLogisticRegressionClassifier


def test_lay_out_for_prediction_keeps_the_probabilities_and_makes_the_transpose_contiguous():
    rng = np.random.default_rng(0)
    features = csr_matrix(rng.integers(0, 3, size=(60, 40)).astype(float))
    labels = np.repeat(["greet", "matter_divorce", "matter_labor_wage"], 20)
    clf = Pipeline([("tfidf", TfidfTransformer(sublinear_tf=True)), ("logreg", LogisticRegression(max_iter=500))])
    clf.fit(features, labels)
    before = clf.predict_proba(features[:5])
    component = TfidfLogisticRegressionClassifier.__new__(TfidfLogisticRegressionClassifier)
    component.clf = clf
    assert not clf.named_steps["logreg"].coef_.T.flags.c_contiguous
    component.lay_out_for_prediction()
    assert clf.named_steps["logreg"].coef_.T.flags.c_contiguous
    np.testing.assert_array_equal(clf.predict_proba(features[:5]), before)
