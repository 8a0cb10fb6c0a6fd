"""The intent classifier's prediction layout: the same probabilities, without a per-message copy."""

from __future__ import annotations

import numpy as np
import pytest
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


def _examples(rng: np.random.Generator, dense_width: int) -> list:
    from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, TEXT
    from rasa.shared.nlu.training_data.features import Features
    from rasa.shared.nlu.training_data.message import Message

    examples = []
    for index, intent in enumerate(np.repeat(["greet", "matter_divorce", "matter_labor_wage"], 10)):
        message = Message({TEXT: f"example {index}", "intent": intent})
        counts = rng.integers(0, 3, size=(1, 30)).astype(float)
        message.add_features(Features(csr_matrix(counts), FEATURE_TYPE_SENTENCE, TEXT, "counts"))
        if dense_width:
            # negative values, as sentence vectors have: TF-IDF must never see them
            dense = rng.normal(size=(1, dense_width)) + (intent == "matter_divorce") * 3
            message.add_features(Features(dense, FEATURE_TYPE_SENTENCE, TEXT, "encoder"))
        examples.append(message)
    return examples


@pytest.mark.parametrize("dense_width", [0, 8])
def test_trains_on_counts_with_or_without_dense_vectors_and_loads_the_same_model(tmp_path, dense_width):
    from rasa.engine.graph import ExecutionContext, GraphSchema
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.engine.storage.resource import Resource
    from rasa.shared.nlu.training_data.training_data import TrainingData

    storage = LocalModelStorage(tmp_path)
    resource = Resource("intent_classifier")
    config = TfidfLogisticRegressionClassifier.get_default_config()
    component = TfidfLogisticRegressionClassifier(config, "intent_classifier", storage, resource)
    examples = _examples(np.random.default_rng(1), dense_width)
    component.train(TrainingData(training_examples=examples))

    columns = dict((name, cols) for name, _, cols in component.clf.named_steps["features"].transformers)
    assert columns["tfidf"] == slice(0, 30)
    assert ("dense" in columns) == bool(dense_width)
    before = component.clf.predict_proba(component._create_X(examples))
    assert np.isfinite(before).all()

    context = ExecutionContext(GraphSchema({}), "test")
    loaded = TfidfLogisticRegressionClassifier.load(config, storage, resource, context)
    np.testing.assert_array_equal(loaded.clf.predict_proba(loaded._create_X(examples)), before)
    if dense_width:
        # the dense columns carry what tells divorce apart here: the model learned from them
        divorce = [i for i, e in enumerate(examples) if e.get("intent") == "matter_divorce"]
        assert (loaded.clf.classes_[before.argmax(axis=1)][divorce] == "matter_divorce").mean() > 0.8
