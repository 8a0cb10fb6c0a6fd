"""The Rasa wrappers: the normaliser rewrites only the NLU's copy of the text; the extractor
adds its entities to what is already there; a request to apply and an account's matter are read."""

from __future__ import annotations

import pytest
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.components import AccountReader, ApplicationRequestFlagger, CityEntityExtractor, TextNormaliser


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


def classified(text, *ranking):
    """A message as the classifier leaves it: (intent, confidence) pairs, best first."""
    ranked = [{"name": name, "confidence": confidence} for name, confidence in ranking]
    return Message(data={TEXT: text, "intent": ranked[0], "intent_ranking": ranked})


def test_an_account_that_asks_to_apply_starts_the_application_and_keeps_its_matter_ranked():
    message = classified("老公经常打我 上个月把我肋骨都打断了 我想申请法律援助帮我离婚",
                         ("matter_domestic_violence", 0.6), ("matter_divorce", 0.3), ("apply_legal_aid", 0.1))
    make(ApplicationRequestFlagger).process([message])
    assert message.get("intent") == {"name": "apply_legal_aid", "confidence": 1.0}
    assert [r["name"] for r in message.get("intent_ranking")] == [
        "apply_legal_aid", "matter_domestic_violence", "matter_divorce"]


@pytest.mark.parametrize(("text", "top"), [
    ("我能申请法律援助吗", "check_eligibility"),  # a question about applying, not a request
    ("老公打我我想申请法律援助", "safety_danger_now"),  # danger keeps its place
    ("申请法律援助要带什么", "matter_labor_wage"),  # a question, whatever the classifier said
    ("老板欠我三个月工资怎么办", "matter_labor_wage"),  # no request
])
def test_no_request_no_change(text, top):
    message = classified(text, (top, 0.7), ("matter_divorce", 0.3))
    make(ApplicationRequestFlagger).process([message])
    assert message.get("intent")["name"] == top


def test_the_reader_names_the_matter_of_an_account_filed_as_an_answer():
    message = classified("我在工地干了八个月包工头跑了还欠我两万三找开发商说不归他们管",
                         ("inform", 0.5), ("matter_labor_wage", 0.25), ("question_labor_wage_contractor_fled", 0.15),
                         ("matter_contract", 0.1))
    make(AccountReader).process([message])
    [entity] = message.get(ENTITIES)
    assert (entity["entity"], entity["value"], entity["extractor"]) == ("matter", "labor_wage", "AccountReader")
    assert entity["confidence_entity"] == 0.8


@pytest.mark.parametrize(("text", "ranking", "expected"), [
    ("张三", [("inform", 0.9), ("matter_divorce", 0.1)], []),  # an answer, not an account
    ("老板欠我三个月工资一共九千块怎么办", [("matter_labor_wage", 0.9), ("inform", 0.1)], []),  # filed already
    ("我们这边的那个事情一直没有人管到底该怎么弄",
     [("inform", 0.4), ("matter_divorce", 0.15), ("matter_contract", 0.15), ("matter_debt_loan", 0.15),
      ("matter_housing_land", 0.15)],
     []),  # no matter leads (each has a quarter of the legal share): an earlier matter stands
])
def test_the_reader_adds_nothing_for_an_answer_a_filed_account_or_an_unclear_one(text, ranking, expected):
    message = classified(text, *ranking)
    make(AccountReader).process([message])
    assert [(e["entity"], e["value"]) for e in message.get(ENTITIES, [])] == expected
