"""Rasa graph components of the NLU pipeline (config.yml). Thin: the work is in bot.text and
bot.entities, which have no Rasa dependency and are unit-tested on their own."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.application_request import asks_to_apply
from bot.entities import EntityFinder, load_regions
from bot.matters import UNFILED_ACCOUNT_INTENTS, matter_of_account
from bot.safety import SAFETY_INTENTS, danger_in
from bot.text import normalise


# Registered as a tokenizer-type step so that Rasa runs it on the training data too, before
# JiebaTokenizer: training and live messages are normalised the same way. The tracker keeps
# the citizen's own words (UserUttered.text); only the NLU sees the normalised text.
@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER], is_trainable=False)
class TextNormaliser(GraphComponent):
    """Traditional → simplified, full-width → half-width, emoji and repeated punctuation removed."""

    @classmethod
    def create(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> TextNormaliser:
        return cls()

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self.process(training_data.training_examples)
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT)
            if isinstance(text, str):
                message.set(TEXT, normalise(text))
        return messages


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class CityEntityExtractor(GraphComponent):
    """Places of the city, family relations, money, durations and ages (spaCy EntityRuler)."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"city_config": "referral/city.yaml"}

    def __init__(self, finder: EntityFinder) -> None:
        self.finder = finder

    @classmethod
    def create(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> CityEntityExtractor:
        # Read at load time, so a changed city configuration needs no retraining.
        return cls(EntityFinder(load_regions(Path(config["city_config"]))))

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT)
            if not isinstance(text, str):
                continue
            found = [e.as_rasa(self.__class__.__name__) for e in self.finder.find(text)]
            message.set(ENTITIES, [*message.get(ENTITIES, []), *found], add_to_output=True)
        return messages


def put_first(message: Message, intent: str) -> None:
    """Make ``intent`` the message's intent with confidence 1.0, the classifier's ranking after it."""
    ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") != intent]
    flagged = {"name": intent, "confidence": 1.0}
    message.set(INTENT, flagged, add_to_output=True)
    message.set(INTENT_RANKING_KEY, [flagged, *ranking], add_to_output=True)


# Below this, a danger intent the classifier guessed without any danger phrase in the message is
# not trusted: a crisis reply to 「就是刚才说的」 would only confuse. The next intent is taken.
SAFETY_CLASSIFIER_CONFIDENCE = 0.5


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class SafetyFlagger(GraphComponent):
    """Danger in the message (bot.safety) overrides the classifier's intent.

    Runs after the classifier: the danger intent comes first with confidence 1.0, and the
    classifier's own ranking follows it, so that the bot can still answer the problem
    underneath once the citizen is safe (「不想活了，老板欠了半年工资」).
    """

    @classmethod
    def create(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> SafetyFlagger:
        return cls()

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            danger = danger_in(message.get(TEXT))
            if danger is None:
                self._demote_unsure_danger(message)
                continue
            put_first(message, danger)
        return messages

    @staticmethod
    def _demote_unsure_danger(message: Message) -> None:
        intent = message.get(INTENT) or {}
        if intent.get("name") not in SAFETY_INTENTS or intent.get("confidence", 0.0) >= SAFETY_CLASSIFIER_CONFIDENCE:
            return
        ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") not in SAFETY_INTENTS]
        if ranking:
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)


APPLY = "apply_legal_aid"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class ApplicationRequestFlagger(GraphComponent):
    """An account that asks to apply (bot.application_request) starts the application.

    Runs after the classifier and the danger rules: a message filed under a matter, or as a form
    answer, that asks for legal aid in so many words gets `apply_legal_aid` first with confidence
    1.0; the classifier's ranking follows it, so the account's matter is still read from it
    (AccountReader). Danger keeps its place: safety comes before any application.
    """

    @classmethod
    def create(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> ApplicationRequestFlagger:
        return cls()

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            name = (message.get(INTENT) or {}).get("name") or ""
            if not (name.startswith("matter_") or name == "inform"):
                continue  # an account filed under its matter, or as a form answer
            if not asks_to_apply(message.get(TEXT)):
                continue
            put_first(message, APPLY)
        return messages


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class AccountReader(GraphComponent):
    """The matter of an account of a problem that is not filed under a matter (bot.matters).

    Runs last, after the fallback. For a message filed as a form answer, not understood, or a
    request to apply, that is long enough to tell a problem and whose matter leads clearly, it adds
    the entity `matter` (a code); outside the forms the slot `matter` takes it.
    """

    @classmethod
    def create(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> AccountReader:
        return cls()

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            name = (message.get(INTENT) or {}).get("name")
            if name not in UNFILED_ACCOUNT_INTENTS:
                continue
            read = matter_of_account(message.get(TEXT), message.get(INTENT_RANKING_KEY) or [])
            if read is None or read[0] == "other":
                continue  # no matter leads: an unclear account does not replace one told before
            code, share = read
            entity = {"entity": "matter", "value": code, "confidence_entity": round(share, 3),
                      "extractor": self.__class__.__name__}
            message.set(ENTITIES, [*message.get(ENTITIES, []), entity], add_to_output=True)
        return messages
