"""Reading what an action sent through rasa-sdk's CollectingDispatcher."""

from __future__ import annotations

from rasa_sdk.executor import CollectingDispatcher


def responses(dispatcher: CollectingDispatcher) -> list[str]:
    """The names of the responses sent, in order."""
    return [m["response"] for m in dispatcher.messages]
