"""Hotline calls: an operator takes a call and the assistant leads it (DESIGN.md, operator console).

Each call is its own conversation on the assistant's ``hotline`` channel (bot/channels/hotline.py),
reached server to server with ``HotlineLine``. The operator sends what the caller says (or a
quick answer), goes back one question, marks that the caller hung up (a draft, finished or dropped
later) and ends the call with its summary. When the conversation reports a ticket, the call is
linked to the referral and the referral's history names the operator.

Pages are in referral/console/hotline.py; every rule of a call's life is here.
"""

from __future__ import annotations

import contextlib
import re
import secrets
from dataclasses import dataclass
from typing import Any

import requests
from sqlalchemy import select
from sqlalchemy.orm import Session

from referral.desk import audit
from referral.models import Call, CallStatus, Referral, ReferralEvent, StaffUser, utcnow
from referral.rules.contract import MOBILE_NUMBER
from referral.settings import Settings

MAX_SAID_CHARS = 2000  # as the channel accepts
MAX_TURNS = 200  # a call longer than this is ended as it is: the summary keeps what was said
START_MESSAGE = "/greet"  # the call opens with the greeting's hotline variant
RESTART_MESSAGE = "/restart"  # a dropped call forgets the conversation
HOTLINE_EVENT = "hotline_call"  # referral_events.kind: the operator who took the call
OPEN_CALL_STATUSES = (CallStatus.active, CallStatus.draft)
_SEPARATORS = re.compile(r"[\s\-()（）]")
LANDLINE = re.compile(r"0\d{9,11}")  # area code and number, e.g. 0870 2123456


class CallError(Exception):
    """A step the call cannot take; ``message`` is Chinese for the operator."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class LineDown(CallError):
    """The assistant did not answer (not configured, down, or an error)."""


@dataclass
class Reply:
    messages: list[dict[str, Any]]
    state: dict[str, Any]


class HotlineLine:
    """The assistant's hotline channel, over HTTP with the channel's bearer token."""

    def __init__(self, settings: Settings):
        self.url = (settings.hotline_rasa_url or "").rstrip("/")
        self.token = settings.hotline_channel_token
        self.timeout = settings.hotline_timeout_seconds

    @property
    def configured(self) -> bool:
        return bool(self.url and self.token)

    def _post(self, path: str, body: dict[str, Any]) -> Reply:
        if not self.configured:
            raise LineDown("热线还没有接通智能助手（管理员要设置 HOTLINE_RASA_URL 和 HOTLINE_CHANNEL_TOKEN）。")
        try:
            resp = requests.post(f"{self.url}/webhooks/hotline/{path}", json=body, timeout=self.timeout,
                                 headers={"Authorization": f"Bearer {self.token}"})
        except requests.RequestException:
            raise LineDown("智能助手暂时没有应答。请先把来电人的话记下来，过一会儿再点“发送”；"
                           "有危险的，先按规程让来电人打110。") from None
        if resp.status_code == 409:
            raise CallError("没有可以退回的问题了（或者申请已经提交，不能退回）。")
        if resp.status_code != 200:
            raise LineDown(f"智能助手出错了（{resp.status_code}）。请稍后再试；一直不行请告诉管理员。")
        try:
            data = resp.json()
            return Reply(messages=list(data["messages"]), state=dict(data.get("state") or {}))
        except (ValueError, KeyError, TypeError):
            raise LineDown("智能助手的回答看不懂（格式不对）。请告诉管理员。") from None

    def send(self, conversation_id: str, text: str, caller_phone: str | None) -> Reply:
        body: dict[str, Any] = {"sender": conversation_id, "message": text}
        if caller_phone:
            body["caller_phone"] = caller_phone
        return self._post("webhook", body)

    def back(self, conversation_id: str, events: int) -> Reply:
        """The conversation's slots and form as they were after its first ``events`` events."""
        return self._post("back", {"sender": conversation_id, "events": events})


def caller_number(value: str) -> str | None:
    """The number the operator typed for the caller (a mobile or a landline with its area code), or
    None when left empty. Raises CallError for anything else."""
    digits = _SEPARATORS.sub("", value or "")
    if not digits:
        return None
    if digits.startswith("+86"):
        digits = digits[3:]
    if not (MOBILE_NUMBER.match(digits) or LANDLINE.fullmatch(digits)):
        raise CallError("来电号码要是11位手机号（比如 13800138000），或者带区号的座机（比如 0870-2123456）；"
                        "没显示号码的，请留空。")
    return digits


def callback_mobile(call: Call) -> str | None:
    """The caller's number when it is a mobile: the application takes it (a landline cannot get the
    staff's text messages, so the assistant asks for a mobile number)."""
    return call.caller_phone if call.caller_phone and MOBILE_NUMBER.match(call.caller_phone) else None


def visible_calls(user: StaffUser):
    """A select of the calls ``user`` may see: their own, or every call for an administrator."""
    query = select(Call)
    if not user.is_admin:
        query = query.where(Call.operator_id == user.id)
    return query


def get_call(session: Session, user: StaffUser, call_id: int) -> Call:
    call = session.scalar(visible_calls(user).where(Call.id == call_id))
    if call is None:
        raise CallError("没有这个来电记录，或者不是您接的。")
    return call


def _own_open_call(session: Session, user: StaffUser, call_id: int) -> Call:
    call = get_call(session, user, call_id)
    if call.operator_id != user.id:
        raise CallError("这个来电由别的话务员接听，您只能查看。")
    if call.status not in OPEN_CALL_STATUSES:
        raise CallError("这个来电已经结束了。")
    return call


def _record(session: Session, call: Call, user: StaffUser, reply: Reply, *, said: str | None, kind: str,
            messages: list[dict[str, Any]] | None = None, undoes: int | None = None) -> None:
    """One turn of the call: what the caller said, the assistant's lines, the conversation's size after it."""
    turns = [dict(t) for t in call.turns or []]
    if undoes is not None:
        turns[undoes]["undone"] = True
    turns.append({"kind": kind, "said": said, "messages": reply.messages if messages is None else messages,
                  "events": reply.state.get("events"), **({"undoes": undoes} if undoes is not None else {})})
    call.turns = turns
    state = reply.state
    call.matter = state.get("matter") or call.matter
    call.screening_outcome = state.get("screening_outcome") or call.screening_outcome
    ticket = state.get("ticket_number")
    if ticket and ticket != call.ticket_number:
        call.ticket_number = ticket
        _link_referral(session, call, user)
    session.commit()


def _link_referral(session: Session, call: Call, user: StaffUser) -> None:
    """The ticket the conversation created: the call points to it and its history names the operator."""
    referral = session.scalar(select(Referral).where(Referral.ticket_number == call.ticket_number))
    if referral is None or referral.channel != "hotline" or call.referral_id == referral.id:
        return
    call.referral_id = referral.id
    session.add(ReferralEvent(referral_id=referral.id, at=utcnow(), actor_id=user.id, kind=HOTLINE_EVENT,
                              to_status=referral.status.value, station_id=referral.station_id,
                              note=f"热线来电，话务员 {user.display_name} 登记（来电记录 {call.id}）"))
    audit(session, user, "hotline_ticket", referral=referral, detail=f"来电记录 {call.id}")


def start_call(session: Session, line: HotlineLine, user: StaffUser, caller_phone: str = "") -> Call:
    phone = caller_number(caller_phone)
    call = Call(operator_id=user.id, conversation_id=f"hotline-{secrets.token_hex(16)}", status=CallStatus.active,
                started_at=utcnow(), caller_phone=phone, turns=[])
    reply = line.send(call.conversation_id, START_MESSAGE, callback_mobile(call))  # a dead line makes no call
    session.add(call)
    session.flush()
    _record(session, call, user, reply, said=None, kind="start")
    audit(session, user, "hotline_call_start", detail=f"来电记录 {call.id}")
    session.commit()
    return call


def _fresh(call: Call, turn: int | None) -> None:
    """A form shown before the last turn (sent twice, or from another tab) changes nothing."""
    if turn is not None and turn != len(call.turns or []):
        raise CallError("这一步已经处理过了（页面不是最新的）。请看下面最新的提示。")


def quick_answers(call: Call) -> list[dict[str, str]]:
    """The buttons of the assistant's last lines: the operator's quick answers 1–9."""
    turns = call.turns or []
    if not turns:
        return []
    buttons = [b for m in turns[-1]["messages"] for b in m.get("buttons") or []]
    return buttons[:9]


def say(session: Session, line: HotlineLine, user: StaffUser, call_id: int, said: str, *,
        turn: int | None = None) -> Call:
    """What the caller said, typed by the operator; a lone digit 1–9 picks that quick answer."""
    call = _own_open_call(session, user, call_id)
    _fresh(call, turn)
    said = (said or "").strip()
    if not said:
        raise CallError("请先输入来电人说的话，或者按数字选一个快捷回答。")
    if len(said) > MAX_SAID_CHARS:
        raise CallError(f"一次最多输入 {MAX_SAID_CHARS} 个字，请分几次输入。")
    if len(call.turns or []) >= MAX_TURNS:
        raise CallError("这个来电的记录太长了，请结束通话，再开一个新的来电。")
    answers = quick_answers(call)
    message, shown = said, said
    if said.isdigit() and len(said) == 1 and answers:
        index = int(said) - 1
        if not 0 <= index < len(answers):
            raise CallError(f"没有第 {said} 个快捷回答。")
        message, shown = answers[index]["payload"], answers[index]["title"]
    call.status = CallStatus.active
    reply = line.send(call.conversation_id, message, callback_mobile(call))
    _record(session, call, user, reply, said=shown, kind="said")
    return call


def _answers(call: Call) -> list[int]:
    """The indexes of the turns that still stand: the start and what the caller said, not undone."""
    return [i for i, t in enumerate(call.turns or []) if t.get("kind") in ("start", "said") and not t.get("undone")]


def can_go_back(call: Call) -> bool:
    standing = _answers(call)
    return len(standing) >= 2 and not call.ticket_number


def go_back(session: Session, line: HotlineLine, user: StaffUser, call_id: int, *, turn: int | None = None) -> Call:
    """Undo the caller's last answer: the conversation is as it was before it, the question asked again."""
    call = _own_open_call(session, user, call_id)
    _fresh(call, turn)
    if call.ticket_number:
        raise CallError("申请已经提交了，不能退回。要改的内容，请直接对智能助手说（比如“电话不对，是……”），"
                        "它会告诉来电人怎样联系受理的法律援助中心更正。")
    standing = _answers(call)
    if len(standing) < 2:
        raise CallError("还没有可以退回的回答。")
    turns = call.turns or []
    previous, last = turns[standing[-2]], standing[-1]
    if not isinstance(previous.get("events"), int):
        raise CallError("这一步不能退回了，请直接告诉智能助手正确的内容。")
    reply = line.back(call.conversation_id, previous["events"])
    _record(session, call, user, reply, said=None, kind="back", messages=previous["messages"], undoes=last)
    return call


def hang_up(session: Session, user: StaffUser, call_id: int) -> Call:
    """The caller hung up before the end: the call waits as a draft."""
    call = _own_open_call(session, user, call_id)
    call.status = CallStatus.draft
    call.ended_at = utcnow()
    audit(session, user, "hotline_call_draft", detail=f"来电记录 {call.id}")
    session.commit()
    return call


def resume(session: Session, user: StaffUser, call_id: int) -> Call:
    """Go on with a draft (the operator called back, or finishes what the caller had said)."""
    call = _own_open_call(session, user, call_id)
    call.status = CallStatus.active
    call.ended_at = None
    session.commit()
    return call


def complete(session: Session, user: StaffUser, call_id: int) -> Call:
    """End the call: its summary stays for the operator and administrators.

    Without an application the caller never agreed to have their words and number kept (the greeting
    promises it): only the matter, the screening result and the danger flag stay."""
    call = _own_open_call(session, user, call_id)
    call.status = CallStatus.completed
    call.ended_at = call.ended_at or utcnow()
    if not call.ticket_number:
        call.danger = alert_of(call) is not None
        call.turns = None
        call.caller_phone = None
    audit(session, user, "hotline_call_end", detail=f"来电记录 {call.id}")
    session.commit()
    return call


def drop(session: Session, line: HotlineLine, user: StaffUser, call_id: int) -> Call:
    """Give a call up: what was said and the number are deleted, and the conversation forgets it."""
    call = _own_open_call(session, user, call_id)
    call.danger = had_danger(call)
    if call.ticket_number:
        raise CallError("这个来电已经提交了申请，不能放弃，请结束通话。")
    with contextlib.suppress(LineDown):  # the call's own record is deleted whatever the assistant says
        line.send(call.conversation_id, RESTART_MESSAGE, None)
    call.status = CallStatus.dropped
    call.ended_at = call.ended_at or utcnow()
    call.turns = None
    call.caller_phone = None
    call.matter = call.screening_outcome = None
    audit(session, user, "hotline_call_drop", detail=f"来电记录 {call.id}")
    session.commit()
    return call


def current_lines(call: Call) -> list[dict[str, Any]]:
    """What the operator reads now: the assistant's lines of the last turn."""
    turns = call.turns or []
    return list(turns[-1]["messages"]) if turns else []


def caller_words(call: Call) -> list[str]:
    """What the caller said during the call, oldest first (quick answers by their titles)."""
    return [t["said"] for t in call.turns or [] if t.get("kind") == "said" and t.get("said") and not t.get("undone")]


def had_danger(call: Call) -> bool:
    return bool(call.danger) or alert_of(call) is not None


def alert_of(call: Call) -> dict[str, Any] | None:
    """The last danger line of the call, if any: the console keeps its banner on top."""
    for turn in reversed(call.turns or []):
        for message in turn["messages"]:
            if message.get("alert") == "danger":
                return message
    return None
