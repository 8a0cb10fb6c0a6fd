"""Intent classifier: TF-IDF weighting of the pipeline's word and character n-gram counts,
beside the dense sentence vectors (bot/encoder.py), then a regularised logistic regression
(scikit-learn).

Rasa's own LogisticRegressionClassifier does the plumbing (features in, ranking out,
persisting with skops); this subclass only changes the model: raw counts become sublinear
TF-IDF, the dense columns pass through unchanged, and the regularisation strength is
configurable. On this project's held-out test set this beats DIET by several points (figures:
README, `make eval-nlu`). Its fit is most of `make train`: 15 minutes on one core for ~110,000
n-gram columns, 384 dense ones and ~100 intents (2026-12-07; 43 minutes with the 258,000 columns
before the character n-grams seen once were dropped, config.yml). Each L-BFGS iteration touches all
(columns x intents) weights, so its time follows the number of columns.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import skops.io as sio
from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from rasa.utils.tensorflow.constants import RANKING_LENGTH
from sklearn.compose import ColumnTransformer
from sklearn.feature_extraction.text import TfidfTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

from bot.matters import MATTER_RANKING

# Besides scikit-learn's own types (which skops trusts), the fitted TF-IDF weights are a
# scipy sparse matrix. Anything else in the file is refused.
TRUSTED_TYPES = ["scipy.sparse._csr.csr_matrix"]


def dense_width(training_data: TrainingData) -> int:
    """Width of the dense sentence features of the first example with text (0 without any)."""
    for example in training_data.intent_examples:
        if example.get(TEXT):
            dense = example.get_dense_features(TEXT)[1]
            return int(dense.features.shape[-1]) if dense is not None else 0
    return 0


def sentence_counts(message: Message) -> tuple[np.ndarray, np.ndarray, int]:
    """The non-zero columns (ascending), the counts and the total width of a message's sparse sentence features, laid
    side by side in the order the featurizers added them: what Rasa's
    `Message.get_sparse_features(TEXT)[1]` gives, without combining the sequence features too
    and copying scipy matrices on the way (2.7 ms a message, `make bench`)."""
    columns, counts, offset = [], [], 0
    for features in message.features:
        if features.attribute == TEXT and features.is_sparse() and features.type == FEATURE_TYPE_SENTENCE:
            matrix = features.features.tocoo()
            columns.append(matrix.col.astype(np.int64) + offset)
            counts.append(matrix.data.astype(np.float64))
            offset += matrix.shape[1]
    if not columns:
        return np.empty(0, dtype=np.int64), np.empty(0), 0
    unique, position = np.unique(np.concatenate(columns), return_inverse=True)
    summed = np.bincount(position, weights=np.concatenate(counts), minlength=unique.size)
    kept = summed != 0
    return unique[kept], summed[kept], offset


def sentence_vector(message: Message) -> np.ndarray | None:
    """A message's dense sentence features side by side (Rasa's `get_dense_features(TEXT)[1]`)."""
    vectors = [np.asarray(f.features, dtype=np.float64).reshape(-1) for f in message.features
               if f.attribute == TEXT and f.is_dense() and f.type == FEATURE_TYPE_SENTENCE]
    return np.concatenate(vectors) if vectors else None


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class TfidfLogisticRegressionClassifier(LogisticRegressionClassifier):
    """Sublinear TF-IDF over the sparse sentence features, then logistic regression."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {**LogisticRegressionClassifier.get_default_config(), "C": 10.0, "max_iter": 3000}

    def model(self, width: int, dense_width: int) -> Pipeline:
        """TF-IDF over the sparse columns (Rasa puts them first: `_create_X`), the last
        ``dense_width`` of the ``width`` columns as they are, then the logistic regression."""
        sparse_width = width - dense_width
        columns = [("tfidf", TfidfTransformer(sublinear_tf=True), slice(0, sparse_width))]
        if dense_width:
            columns.append(("dense", "passthrough", slice(sparse_width, width)))
        return Pipeline([
            ("features", ColumnTransformer(columns, sparse_threshold=1.0)),
            ("logreg", LogisticRegression(
                C=self.config["C"], solver=self.config["solver"], max_iter=self.config["max_iter"],
                tol=self.config["tol"], class_weight="balanced", random_state=self.config["random_state"])),
        ])

    def train(self, training_data: TrainingData) -> Resource:
        """Fits the model to the features the pipeline gave: with dense sentence vectors when
        a dense featurizer ran, n-grams only otherwise."""
        X, y = self._create_training_matrix(training_data)
        if X.shape[0] == 0:
            raise ValueError(f"{self.__class__.__name__}: no training examples with text and intent")
        self.clf = self.model(X.shape[1], dense_width(training_data))
        self.clf.fit(X, y)
        self.lay_out_for_prediction()
        self.persist()
        return self._resource

    @classmethod
    def load(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> TfidfLogisticRegressionClassifier:
        """Loads the fitted pipeline; a missing or unexpected file is an error, never an untrained model."""
        with model_storage.read_from(resource) as model_dir:
            path = model_dir / f"{resource.name}.skops"
            untrusted = sorted(set(sio.get_untrusted_types(file=path)) - set(TRUSTED_TYPES))
            if untrusted:
                raise ValueError(f"{path}: refusing to load untrusted types {untrusted}")
            component = cls(config, execution_context.node_name, model_storage, resource)
            component.clf = sio.load(path, trusted=TRUSTED_TYPES)
        component.lay_out_for_prediction()
        return component

    def lay_out_for_prediction(self) -> None:
        """Take the fitted weights out of the scikit-learn pipeline for `probabilities`: the IDF
        weights of the sparse columns, and the coefficients transposed and contiguous, so that a
        message's few non-zero columns are a gather of rows (`make bench`: scikit-learn's
        `predict_proba` validates, transforms and multiplies the whole feature space for each
        message, 3.7 ms of a parse; this is a few hundred microseconds)."""
        features = self.clf.named_steps["features"]
        logreg = self.clf.named_steps["logreg"]
        classes, coef = logreg.classes_, logreg.coef_
        if len(classes) < 3 or coef.shape[0] != len(classes):
            raise ValueError(f"{self.__class__.__name__}: expected a multinomial model over 3 or more "
                             f"intents, got coefficients {coef.shape} for {len(classes)} classes")
        tfidf = features.named_transformers_["tfidf"]
        if not (tfidf.sublinear_tf and tfidf.use_idf and tfidf.norm == "l2"):
            raise ValueError(f"{self.__class__.__name__}: the TF-IDF step must be sublinear, with IDF and l2 norm")
        self._idf = np.asarray(tfidf.idf_, dtype=np.float64)
        self._weights = np.ascontiguousarray(coef.T)  # (columns, intents)
        self._intercept = np.asarray(logreg.intercept_, dtype=np.float64)

    def probabilities(self, messages: list[Message]) -> np.ndarray:
        """The fitted pipeline's `predict_proba` for each message (rows in ``self.clf.classes_``
        order), computed from the message's own non-zero columns only: sublinear TF-IDF of the
        sparse counts, l2-normalised; the dense vector as it is; softmax of the linear scores."""
        sparse_width = len(self._idf)
        dense_width = self._weights.shape[0] - sparse_width
        scores = np.tile(self._intercept, (len(messages), 1))
        for row, message in enumerate(messages):
            columns, counts, width = sentence_counts(message)
            if width != sparse_width:
                raise ValueError(f"{self.__class__.__name__}: {width} sparse columns, "
                                 f"the model was trained on {sparse_width}")
            if columns.size:
                values = (np.log(counts) + 1.0) * self._idf[columns]
                scores[row] += (values / np.sqrt(values @ values)) @ self._weights[columns]
            if dense_width:
                dense = sentence_vector(message)
                if dense is None or dense.size != dense_width:
                    raise ValueError(f"{self.__class__.__name__}: the model needs {dense_width} dense columns, "
                                     f"the message has {None if dense is None else dense.size}")
                scores[row] += dense @ self._weights[sparse_width:]
        scores -= scores.max(axis=1, keepdims=True)
        np.exp(scores, out=scores)
        return scores / scores.sum(axis=1, keepdims=True)

    def process(self, messages: list[Message]) -> list[Message]:
        """The intent and the ranking, as Rasa's classifier gives them, from `probabilities`."""
        if not messages:
            return messages
        classes = self.clf.classes_
        for message, row in zip(messages, self.probabilities(messages), strict=True):
            ranking = sorted(({"name": str(name), "confidence": float(p)}
                              for name, p in zip(classes, row, strict=True)), key=lambda entry: -entry["confidence"])
            message.set("intent", ranking[0], add_to_output=True)
            if self.config[RANKING_LENGTH] > 0:
                ranking = ranking[: self.config[RANKING_LENGTH]]
            message.set("intent_ranking", ranking, add_to_output=True)
        return messages


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class MatterTopicReader(TfidfLogisticRegressionClassifier):
    """How clearly a message speaks of each matter, from its words alone.

    The same model as the intent classifier, trained only on the accounts of problems
    (`matter_<code>` examples) with stronger regularisation, so that its probabilities stay
    spread for a message without a topic's words: 「认定了能赔哪些」 leans nowhere, 「被车撞了能赔哪些」
    is a traffic accident. The intent classifier, which also learned every topic's questions, is
    sure of a topic for both. The actions weigh this reading against the matter of the
    conversation so far (actions/bot_answers.legal_answer): a follow-up stays on its topic.
    """

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {**TfidfLogisticRegressionClassifier.get_default_config(), "C": 3.0}

    def _create_training_matrix(self, training_data: Any) -> tuple[Any, list[str]]:
        examples = [e for e in training_data.intent_examples
                    if e.get("text") and (e.get("intent") or "").startswith("matter_")]
        return self._create_X(examples), [e.get("intent").removeprefix("matter_") for e in examples]

    def process(self, messages: list[Message]) -> list[Message]:
        if not messages:
            return messages
        probabilities = self.probabilities(messages)
        for message, row in zip(messages, probabilities, strict=True):
            ranking = sorted(zip(self.clf.classes_, row, strict=True), key=lambda pair: -pair[1])
            message.set(MATTER_RANKING, [{"name": str(code), "confidence": round(float(p), 4)} for code, p in ranking],
                        add_to_output=True)
        return messages
