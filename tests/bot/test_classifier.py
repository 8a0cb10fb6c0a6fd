"""The intent classifier: trained on counts and sentence vectors, loaded back, and its own prediction
(`probabilities`, from the message's non-zero columns) equal to the scikit-learn pipeline's."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.sparse import coo_matrix, csr_matrix

from bot.classifier import TfidfLogisticRegressionClassifier


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
    # the prediction the server runs equals scikit-learn's, and the ranking is sorted by it
    np.testing.assert_allclose(loaded.probabilities(examples), before, rtol=1e-9, atol=1e-12)
    loaded.process(examples)
    for message, row in zip(examples, before, strict=True):
        ranking = message.get("intent_ranking")
        assert message.get("intent")["name"] == loaded.clf.classes_[row.argmax()]
        assert [entry["confidence"] for entry in ranking] == sorted((e["confidence"] for e in ranking), reverse=True)
        assert len(ranking) == min(len(loaded.clf.classes_), config["ranking_length"])


def test_probabilities_read_the_featurizers_side_by_side_and_repeated_entries_as_their_sum(tmp_path):
    """Rasa hands sentence features over as COO matrices, one per featurizer, which may repeat a
    column; sequence features (one row per token) are not part of the sentence."""
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.engine.storage.resource import Resource
    from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, FEATURE_TYPE_SEQUENCE, TEXT
    from rasa.shared.nlu.training_data.features import Features
    from rasa.shared.nlu.training_data.message import Message
    from rasa.shared.nlu.training_data.training_data import TrainingData

    config = TfidfLogisticRegressionClassifier.get_default_config()
    component = TfidfLogisticRegressionClassifier(config, "c", LocalModelStorage(tmp_path), Resource("c"))
    component.train(TrainingData(training_examples=_examples(np.random.default_rng(2), 0)))
    component.lay_out_for_prediction()

    def message(*features):
        m = Message({TEXT: "x"})
        m.add_features(Features(coo_matrix(np.ones((4, 20))), FEATURE_TYPE_SEQUENCE, TEXT, "words"))
        for origin, matrix in enumerate(features):
            m.add_features(Features(matrix, FEATURE_TYPE_SENTENCE, TEXT, f"featurizer{origin}"))
        return m

    # column 9 holds an explicit zero: not a word of the message (scikit-learn's log would give -inf)
    words = coo_matrix(([1.0, 1.0, 2.0, 0.0], ([0, 0, 0, 0], [3, 3, 7, 9])), shape=(1, 20))
    chars = coo_matrix(([1.0, 3.0], ([0, 0], [0, 9])), shape=(1, 10))
    side_by_side = csr_matrix(([2.0, 2.0, 1.0, 3.0], ([0, 0, 0, 0], [3, 7, 20, 29])), shape=(1, 30))
    together = message(words, chars)
    expected = component.clf.predict_proba(side_by_side)
    np.testing.assert_allclose(component.probabilities([together]), expected, rtol=1e-9)
    with pytest.raises(ValueError, match="31 sparse columns, the model was trained on 30"):
        component.probabilities([message(words, coo_matrix((1, 11)))])
