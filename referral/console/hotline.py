"""The hotline console: the operator's pages for a call the assistant leads (rules in referral.hotline).

Keyboard only, no JavaScript (ADR 0013): every page puts the focus where the operator types next
(``autofocus``); Enter sends what the caller said; a lone digit 1–9 picks that quick answer; the
other steps have access keys (Alt+B back one question, Alt+H caller hung up, Alt+E end the call).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy import select

from referral import hotline
from referral.console import labels
from referral.console.web import ConsoleRoute, NotFound, OperatorDep, PostOperatorDep, render, see_other
from referral.dependencies import SessionDep, SettingsDep
from referral.models import Call, CallStatus, StaffUser
from referral.rules.matters import MATTERS

router = APIRouter(prefix="/console/hotline", tags=["console"], route_class=ConsoleRoute)

Text = Annotated[str, Form()]
RECENT_CALLS = 20
CALL_STATUS_LABELS = {
    CallStatus.active.value: "通话中",
    CallStatus.draft.value: "来电人已挂断（草稿）",
    CallStatus.completed.value: "已结束",
    CallStatus.dropped.value: "已放弃（记录已删除）",
}
DONE = {
    "hangup": "已保存为草稿。可以稍后继续，或者放弃。",
    "drop": "已放弃这个来电，说过的内容和号码都已删除。",
    "resume": "接着办这个来电。",
}


def _call(session, user: StaffUser, call_id: int) -> Call:
    try:
        return hotline.get_call(session, user, call_id)
    except hotline.CallError:
        raise NotFound("没有这个来电记录，或者不是您接的。") from None


def _home(request: Request, session, user: StaffUser, *, error: str | None = None, phone: str = "",
          done: str = "", status_code: int = 200) -> HTMLResponse:
    calls = hotline.visible_calls(user).order_by(Call.started_at.desc(), Call.id.desc())
    drafts = session.scalars(calls.where(Call.operator_id == user.id,
                                         Call.status.in_(hotline.OPEN_CALL_STATUSES))).all()
    recent = session.scalars(calls.where(Call.status.not_in(hotline.OPEN_CALL_STATUSES)).limit(RECENT_CALLS)).all()
    return render(request, "hotline/home.html", {
        "title": "热线话务台", "drafts": drafts, "recent": recent, "phone": phone, "error": error,
        "done": DONE.get(done), "CALL_STATUS_LABELS": CALL_STATUS_LABELS,
    }, status_code=status_code)


@router.get("", response_class=HTMLResponse, summary="Hotline console: start a call, drafts, recent calls")
def home(request: Request, session: SessionDep, user: OperatorDep, done: str = ""):
    """Start a call (the caller's number is optional), finish or drop drafts, see recent calls."""
    return _home(request, session, user, done=done)


@router.post("/calls", response_class=RedirectResponse, status_code=303, summary="Hotline console: start a call",
             responses={200: {"description": "The number was refused or the assistant is down (the page says why)"}})
def start(request: Request, session: SessionDep, settings: SettingsDep, user: PostOperatorDep,
          caller_phone: Text = ""):
    try:
        call = hotline.start_call(session, hotline.HotlineLine(settings), user, caller_phone)
    except hotline.CallError as exc:
        return _home(request, session, user, error=exc.message, phone=caller_phone, status_code=422
                     if not isinstance(exc, hotline.LineDown) else 502)
    return see_other(f"/console/hotline/calls/{call.id}")


def _call_page(request: Request, call: Call, user: StaffUser, *, error: str | None = None, said: str = "",
               done: str = "", status_code: int = 200) -> HTMLResponse:
    return render(request, "hotline/call.html", {
        "title": f"来电 {call.id}", "call": call, "lines": hotline.current_lines(call),
        "answers": hotline.quick_answers(call), "alert": hotline.alert_of(call), "turn": len(call.turns or []),
        "mine": call.operator_id == user.id, "said": said, "can_go_back": hotline.can_go_back(call),
        "error": error, "done": DONE.get(done),
        "matter": labels.in_words(MATTERS, call.matter),
        "outcome": labels.in_words(labels.OUTCOMES, call.screening_outcome),
        "words": hotline.caller_words(call), "CALL_STATUS_LABELS": CALL_STATUS_LABELS,
    }, status_code=status_code)


@router.get("/calls/{call_id}", response_class=HTMLResponse, summary="Hotline console: the call screen")
def call_page(call_id: int, request: Request, session: SessionDep, user: OperatorDep, done: str = ""):
    """What to read aloud next, the quick answers, what the caller said so far."""
    call = _call(session, user, call_id)
    if call.status in (CallStatus.completed, CallStatus.dropped):
        return see_other(f"/console/hotline/calls/{call.id}/summary")
    return _call_page(request, call, user, done=done)


def _step(request: Request, session, user: StaffUser, call_id: int, step, *, said: str = "") -> HTMLResponse | \
        RedirectResponse:
    try:
        step()
    except hotline.CallError as exc:
        session.rollback()
        call = _call(session, user, call_id)
        return _call_page(request, call, user, error=exc.message, said=said,
                          status_code=502 if isinstance(exc, hotline.LineDown) else 409)
    return see_other(f"/console/hotline/calls/{call_id}")


def _then(result: HTMLResponse | RedirectResponse, url: str) -> HTMLResponse | RedirectResponse:
    """Where a step that succeeded leads (an error page stays as it is)."""
    return see_other(url) if isinstance(result, RedirectResponse) else result


@router.post("/calls/{call_id}/say", response_class=RedirectResponse, status_code=303,
             summary="Hotline console: what the caller said, or a quick answer")
def say(call_id: int, request: Request, session: SessionDep, settings: SettingsDep, user: PostOperatorDep,
        said: Text = "", choice: Annotated[int | None, Form()] = None, turn: Annotated[int | None, Form()] = None):
    """``said``: the caller's words (a lone digit 1–9 picks a quick answer); ``choice``: a quick answer's number."""
    text = str(choice) if choice is not None else said
    line = hotline.HotlineLine(settings)
    return _step(request, session, user, call_id,
                 lambda: hotline.say(session, line, user, call_id, text, turn=turn), said=said)


@router.post("/calls/{call_id}/back", response_class=RedirectResponse, status_code=303,
             summary="Hotline console: back one question")
def back(call_id: int, request: Request, session: SessionDep, settings: SettingsDep, user: PostOperatorDep,
         turn: Annotated[int | None, Form()] = None):
    line = hotline.HotlineLine(settings)
    return _step(request, session, user, call_id, lambda: hotline.go_back(session, line, user, call_id, turn=turn))


@router.post("/calls/{call_id}/hangup", response_class=RedirectResponse, status_code=303,
             summary="Hotline console: the caller hung up (the call becomes a draft)")
def hang_up(call_id: int, request: Request, session: SessionDep, user: PostOperatorDep):
    return _then(_step(request, session, user, call_id, lambda: hotline.hang_up(session, user, call_id)),
                 "/console/hotline?done=hangup")


@router.post("/calls/{call_id}/resume", response_class=RedirectResponse, status_code=303,
             summary="Hotline console: go on with a draft")
def resume(call_id: int, request: Request, session: SessionDep, user: PostOperatorDep):
    return _then(_step(request, session, user, call_id, lambda: hotline.resume(session, user, call_id)),
                 f"/console/hotline/calls/{call_id}?done=resume")


@router.post("/calls/{call_id}/end", response_class=RedirectResponse, status_code=303,
             summary="Hotline console: end the call and show its summary")
def end(call_id: int, request: Request, session: SessionDep, user: PostOperatorDep):
    return _then(_step(request, session, user, call_id, lambda: hotline.complete(session, user, call_id)),
                 f"/console/hotline/calls/{call_id}/summary")


@router.post("/calls/{call_id}/drop", response_class=RedirectResponse, status_code=303,
             summary="Hotline console: drop a call (what was said is deleted), after a confirmation page")
def drop(call_id: int, request: Request, session: SessionDep, settings: SettingsDep, user: PostOperatorDep,
         confirm: Text = ""):
    if confirm != "yes":
        call = _call(session, user, call_id)
        return render(request, "hotline/drop.html", {"title": f"放弃来电 {call.id}", "call": call})
    line = hotline.HotlineLine(settings)
    return _then(_step(request, session, user, call_id, lambda: hotline.drop(session, line, user, call_id)),
                 "/console/hotline?done=drop")


@router.get("/calls/{call_id}/summary", response_class=HTMLResponse, summary="Hotline console: a call's summary")
def summary(call_id: int, request: Request, session: SessionDep, user: OperatorDep):
    """Matter, what the caller said, the screening result and the ticket number to read to the caller."""
    call = _call(session, user, call_id)
    if call.status in hotline.OPEN_CALL_STATUSES:
        return see_other(f"/console/hotline/calls/{call.id}")
    ticket_visible = user.is_admin and call.referral_id is not None
    referral = call.referral  # what the caller agreed to hand over: the operator took it down
    return render(request, "hotline/summary.html", {
        "title": f"来电 {call.id} 小结", "call": call, "words": hotline.caller_words(call),
        "matter": labels.in_words(MATTERS, call.matter),
        "outcome": labels.in_words(labels.OUTCOMES, call.screening_outcome),
        "ticket_link": ticket_visible, "CALL_STATUS_LABELS": CALL_STATUS_LABELS, "referral": referral,
        "danger": hotline.had_danger(call),
        "operator": session.scalar(select(StaffUser.display_name).where(StaffUser.id == call.operator_id)),
    })
