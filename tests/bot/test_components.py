"""The Rasa wrappers: the normaliser rewrites only the NLU's copy of the text; the extractor
adds its entities to what is already there."""

from __future__ import annotations

from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.components import CityEntityExtractor, TextNormaliser


def make(cls, config=None):
    return cls.create({**getattr(cls, "get_default_config", dict)(), **(config or {})}, None, None, None)


def test_normaliser_rewrites_messages_and_training_examples():
    normaliser = make(TextNormaliser)
    live = Message(data={TEXT: "出車禍了！！😭"})
    normaliser.process([live])
    assert live.get(TEXT) == "出车祸了!"
    data = TrainingData([Message(data={TEXT: "離婚", "intent": "matter_divorce"})])
    normaliser.process_training_data(data)
    assert data.training_examples[0].get(TEXT) == "离婚"


def test_normaliser_leaves_messages_without_text_alone():
    message = Message(data={"intent": "greet"})
    make(TextNormaliser).process([message])
    assert message.get(TEXT) is None


def test_extractor_adds_entities_with_its_name():
    extractor = make(CityEntityExtractor, {"city_config": "referral/city.yaml"})
    earlier = {"entity": "other", "value": "x", "start": 0, "end": 1}
    message = Message(data={TEXT: "我在威信，欠我两千块", ENTITIES: [earlier]})
    extractor.process([message])
    entities = message.get(ENTITIES)
    assert entities[0] == earlier
    assert [(e["entity"], e["value"], e["extractor"]) for e in entities[1:]] == [
        ("region", "威信县", "CityEntityExtractor"), ("money", 2000, "CityEntityExtractor")]


def test_extractor_on_an_empty_message():
    message = Message(data={TEXT: ""})
    make(CityEntityExtractor).process([message])
    assert message.get(ENTITIES, []) == []
