"""The hotline channel: the operator console's server-to-server line into the assistant.

Registered in credentials.yml as ``bot.channels.hotline.HotlineInput``; Rasa mounts it under
``/webhooks/hotline/``. Only the referral service's operator console calls it, never a browser:

- ``POST /webhooks/hotline/webhook``  ``{"sender", "message", "caller_phone"?}`` → the replies and the call's state
- ``POST /webhooks/hotline/back``     ``{"sender", "events"}`` → the conversation as it was after its first
  ``events`` events (the console's count after the turn before the answer it undoes)

Every request carries ``Authorization: Bearer <HOTLINE_CHANNEL_TOKEN>`` (compared in constant
time); while the variable is unset the channel answers 503. The channel's name, and so Rasa's
choice of response variants and a referral's ``channel``, is ``hotline``: every response with a
``channel: hotline`` variant is phrased for the operator (「请询问来电人：……」).

A reply message carries what the console needs beyond Rasa's REST shape: ``response`` (the
response's name), ``for_operator`` (a hotline variant was written for it: read it out; else the
citizen text, to be put in the operator's own words), ``full_text`` (for a legal answer shortened
for speech: the citizen text, folded below it) and ``alert`` (``danger``: a red banner, from the
variant's ``custom``). Nothing the caller says is logged.
"""

from __future__ import annotations

import copy
import hmac
import logging
import os
import re
from asyncio import CancelledError
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from rasa.shared.core.events import ActiveLoop, Event, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sanic import Blueprint, response
from sanic.exceptions import SanicException
from sanic.request import Request
from sanic.response import HTTPResponse

logger = logging.getLogger(__name__)

CHANNEL = "hotline"
TOKEN_VARIABLE = "HOTLINE_CHANNEL_TOKEN"
MIN_TOKEN_CHARS = 16
# The console makes the conversation id of a call: "hotline-" and 32 random hex characters.
SENDER_ID = re.compile(r"hotline-[0-9a-f]{32}")
MAX_MESSAGE_CHARS = 2000
MOBILE = re.compile(r"1[3-9][0-9]{9}")
# Slots the console shows in the call's summary (DESIGN.md contract 1 for `matter`).
STATE_SLOTS = ("matter", "ticket_number")
ALERTS = {"danger"}


class HotlineOutput(CollectingOutputChannel):
    """Collects the replies whole (text, buttons and custom in one message) under the name ``hotline``."""

    @classmethod
    def name(cls) -> str:
        return CHANNEL

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        self.messages.append({"recipient_id": recipient_id, **{k: v for k, v in message.items() if v is not None}})


def configured_token() -> str | None:
    token = os.environ.get(TOKEN_VARIABLE, "").strip()
    return token if len(token) >= MIN_TOKEN_CHARS else None


def authorised(request: Request, token: str) -> bool:
    header = request.headers.get("Authorization", "")
    scheme, _, given = header.partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode())


def is_sender_id(value: Any) -> bool:
    return isinstance(value, str) and SENDER_ID.fullmatch(value) is not None


def _has_hotline_variant(variants: list[dict[str, Any]]) -> bool:
    return any(v.get("channel") == CHANNEL for v in variants)


def _citizen_text(variants: list[dict[str, Any]]) -> str | None:
    """The text of a response's plain citizen variant (no channel, no condition), if it has one."""
    for variant in variants:
        if variant.get("channel") is None and not variant.get("condition") and variant.get("text"):
            return str(variant["text"])
    return None


def for_console(message: dict[str, Any], responses: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """One bot message in the console's shape (see the module docstring)."""
    name = message.get("utter_action")
    variants = responses.get(name or "", [])
    custom = message.get("custom") if isinstance(message.get("custom"), dict) else {}
    shaped: dict[str, Any] = {
        "text": message.get("text") or "",
        "buttons": [{"title": str(b.get("title", "")), "payload": str(b.get("payload", ""))}
                    for b in (message.get("buttons") or []) if isinstance(b, dict)],
        "response": name,
        "for_operator": _has_hotline_variant(variants),
        "alert": custom.get("alert") if custom.get("alert") in ALERTS else None,
    }
    if shaped["for_operator"] and name and name.startswith("utter_answer_"):
        full = _citizen_text(variants)
        if full and full != shaped["text"]:
            shaped["full_text"] = full
    return shaped


def call_state(tracker: Any) -> dict[str, Any]:
    """What the console keeps of the conversation: matter, ticket, screening result, and how many
    events it has (the point a later "back one question" returns to)."""
    screening = tracker.get_slot("screening")
    state = {slot: tracker.get_slot(slot) for slot in STATE_SLOTS}
    state["screening_outcome"] = screening.get("outcome") if isinstance(screening, dict) else None
    state["events"] = len(tracker.events)
    return state


def restoring_events(now: Any, then: Any) -> list[Event]:
    """The events that bring the conversation ``now`` back to the slots and form it had ``then``.

    Appended, not reverted: Rasa's UserUtteranceReverted undoes back to the last user message it
    still sees, and inside a form it sees none of the answers (applied_events folds a form's happy
    path), so it would undo the whole form."""
    events: list[Event] = []
    if now.active_loop_name != then.active_loop_name:
        events.append(ActiveLoop(then.active_loop_name))
    events += [SlotSet(name, value) for name, value in then.current_slot_values().items()
               if now.get_slot(name) != value]
    return events


def _json_error(status: int, message: str) -> HTTPResponse:
    return response.json({"error": message}, status=status)


class HotlineInput(InputChannel):
    """The operator console's channel (server to server, bearer token)."""

    @classmethod
    def name(cls) -> str:
        return CHANNEL

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        hotline = Blueprint(f"hotline_{type(self).__name__}", __name__)

        def checked(request: Request) -> tuple[dict[str, Any] | None, HTTPResponse | None]:
            token = configured_token()
            if token is None:
                return None, _json_error(503, f"the hotline channel is off: set {TOKEN_VARIABLE} "
                                              f"(at least {MIN_TOKEN_CHARS} characters)")
            if not authorised(request, token):
                return None, _json_error(401, "missing or wrong bearer token")
            try:
                body = request.json
            except SanicException:
                body = None
            if not isinstance(body, dict):
                return None, _json_error(400, "expected a JSON object")
            if not is_sender_id(body.get("sender")):
                return None, _json_error(400, "sender must be 'hotline-' and 32 lower-case hex characters")
            return body, None

        @hotline.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok" if configured_token() else "off"})

        @hotline.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            body, error = checked(request)
            if error is not None:
                return error
            assert body is not None
            text = body.get("message")
            if not isinstance(text, str) or not text.strip():
                return _json_error(400, "message must be a non-empty string")
            if len(text) > MAX_MESSAGE_CHARS:
                return _json_error(413, f"message longer than {MAX_MESSAGE_CHARS} characters")
            metadata: dict[str, Any] = {}
            caller_phone = body.get("caller_phone")
            if caller_phone is not None:
                if not isinstance(caller_phone, str) or not MOBILE.fullmatch(caller_phone):
                    return _json_error(400, "caller_phone must be an 11-digit mainland mobile number")
                metadata["caller_phone"] = caller_phone

            collector = HotlineOutput()
            try:
                await on_new_message(UserMessage(text, collector, body["sender"], input_channel=CHANNEL,
                                                 metadata=metadata or None))
            except CancelledError:
                logger.error("hotline: handling a message timed out")
            except Exception as exc:
                # the type only: a message or traceback could carry what the caller said
                logger.error("hotline: handling a message failed (%s)", type(exc).__name__)
                return _json_error(500, "the assistant could not handle the message")
            agent = request.app.ctx.agent
            tracker = await agent.tracker_store.retrieve(body["sender"])
            responses = agent.domain.responses
            return response.json({"messages": [for_console(m, responses) for m in collector.messages],
                                  "state": call_state(tracker) if tracker else {}})

        @hotline.route("/back", methods=["POST"])
        async def back(request: Request) -> HTTPResponse:
            """Back one question: the slots and the form as they were after the conversation's first
            ``events`` events, which must end right before a message of the caller."""
            body, error = checked(request)
            if error is not None:
                return error
            assert body is not None
            count = body.get("events")
            if not isinstance(count, int) or isinstance(count, bool) or count < 1:
                return _json_error(400, "events must be a positive integer")
            agent = request.app.ctx.agent
            async with agent.lock_store.lock(body["sender"]):
                tracker = await agent.tracker_store.retrieve(body["sender"])
                events = list(tracker.events) if tracker is not None else []
                if count >= len(events) or not isinstance(events[count], UserUttered):
                    return _json_error(409, "nothing to go back to at that point")
                then = DialogueStateTracker.from_events(tracker.sender_id, events[:count],
                                                        slots=[copy.deepcopy(s) for s in agent.domain.slots])
                if tracker.get_slot("ticket_number") != then.get_slot("ticket_number"):
                    return _json_error(409, "the application was submitted; it cannot be undone here")
                for event in restoring_events(tracker, then):
                    tracker.update(event)
                await agent.tracker_store.save(tracker)
            return response.json({"messages": [], "state": call_state(tracker)})

        return hotline
