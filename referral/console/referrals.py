"""The queue and one referral's page, with the desk's steps as forms (every rule lives in referral.desk)."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from referral import admin, attachments, conflicts, desk, queue_filters
from referral.console import labels
from referral.console.flash import put_flash, take_flash
from referral.console.web import (
    ConsoleRoute,
    NotFound,
    PageError,
    PostUserDep,
    UserDep,
    render,
    see_other,
)
from referral.dependencies import Responses, SessionDep, SettingsDep, client_address
from referral.models import Referral, ReferralStatus, StaffUser
from referral.routing import staffed_station_ids
from referral.rules.city import city_config
from referral.rules.matters import MATTERS

router = APIRouter(prefix="/console", tags=["console"], route_class=ConsoleRoute)

PAGE_SIZE = 100
# Messages after a step succeeded (POST-redirect-GET carries only the code).
DONE: dict[str, str] = {
    "claim": "已认领。这张转介单现在由您处理。",
    "release": "已放回待认领。",
    "contact": "联系记录已保存。",
    "accept": "已记录：给予法律援助。请在 3 日内（按工作日计算）指派法律援助人员（《法律援助法》第四十三条），"
              "在下面“指派法律援助人员”里登记。",
    "refuse": "已记录：不予法律援助。要书面告知申请人并说明理由（《法律援助法》第四十三条）："
              "请打印决定书交给或寄给申请人。",
    "close": "已结案。",
    "transfer": "已转交。",
    "assign": "经办人已改好。",
    "aid": "法律援助人员已登记。",
    "pause": "决定期限已暂停。请一次性告诉申请人要补哪些材料；材料补齐后点“材料补齐，期限继续”。",
    "resume": "决定期限已恢复计算。",
    "extend": "决定期限已延长 3 个工作日。",
    "opposing_party": "对方当事人已保存。",
}


class QueueQuery(BaseModel):
    """The queue's filters, in the query string of the queue page and of its exports."""

    status: str = Field("todo", description="a status, `todo` (the default: no decision yet, or aid given and "
                                            "still to close), `open` (no decision yet) or `all`")
    matter: str = ""
    region: str = ""
    priority: str = ""
    channel: str = ""
    station: str = Field("", description="station code (administrators only)")
    q: str = Field("", max_length=40, description="part of a ticket number, an applicant's name or phone number, "
                                                  "or words of the account")
    due: str = Field("", description="a deadline view: today, two_days, week, overdue, assign")
    mine: bool = Field(False, description="only the referrals the signed-in user holds")


QueueQ = Annotated[QueueQuery, Query()]
# What the page says when queue_filters refuses a value.
UNKNOWN_FILTER_VALUE = {"status": "没有这种状态", "priority": "没有这种优先级", "station": "没有这个站点",
                        "due": "没有这种期限筛选"}


def queue_filter(session, user: StaffUser, query: QueueQuery) -> tuple[desk.QueueFilter, dict[str, str]]:
    """The queue filters from the query string (unknown values are refused, not guessed).

    Only administrators filter by station; the station field of anyone else is ignored.
    """
    if query.matter and query.matter not in MATTERS:
        raise PageError(422, "没有这种事项")
    station = query.station if user.is_admin else ""
    try:
        filters = queue_filters.parse(session, status=None if query.status == "all" else query.status,
                                      matter=query.matter, region=query.region, priority=query.priority,
                                      channel=query.channel, station=station, search=query.q, due=query.due,
                                      holder_id=user.id if query.mine else None)
    except queue_filters.UnknownFilterValue as exc:
        raise PageError(422, UNKNOWN_FILTER_VALUE[exc.field]) from None
    return filters, {**query.model_dump(), "station": station, "q": query.q.strip(), "mine": "1" if query.mine else ""}


@router.get("/", response_class=HTMLResponse, summary="Console: the referral queue")
def queue_page(request: Request, session: SessionDep, user: UserDep, query_: QueueQ,
               page: Annotated[int, Query(ge=1)] = 1, done: str = ""):
    """The station's referrals (every station's for administrators): open ones first, by priority and deadline."""
    filters, values = queue_filter(session, user, query_)
    rows, total = desk.queue(session, user, filters, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    channels = sorted(set(session.scalars(desk.visible_referrals(user).with_only_columns(Referral.channel)
                                          .distinct()).all()))
    query = urlencode({k: v for k, v in values.items() if v})
    return render(request, "queue.html", {
        "rows": [(r, desk.is_overdue(r) or desk.assignment_overdue(r), desk.working_days_left(r)) for r in rows],
        "total": total, "values": values, "page": page, "due_views": desk.DUE_VIEWS,
        "pages": max(1, -(-total // PAGE_SIZE)), "query": query,
        "status_filters": labels.STATUS_FILTERS, "regions": city_config().region_names(), "channels": channels,
        "stations": admin.stations(session) if user.is_admin else [],
        "unstaffed": admin.unstaffed_stations_with_open_referrals(session) if user.is_admin else [],
        "done": DONE.get(done),
    })


def _referral_page(request: Request, session, user: StaffUser, referral: Referral, *, error: str | None = None,
                   status_code: int = 200, form: dict[str, str] | None = None, done: str = "",
                   confirm_refusal: str | None = None) -> HTMLResponse:
    decision = referral.screening_decision or {}
    staffed = staffed_station_ids(session)
    transfer_to = [(s, s.id in staffed) for s in admin.stations(session, active_only=True)
                   if s.id != referral.station_id]
    works = desk.works_on(user, referral)
    screening = labels.screening_rows({k: v for k, v in (referral.screening_input or {}).items() if k != "region"})
    told_region = (referral.screening_input or {}).get("region")
    return render(request, "referral.html", {
        "r": referral, "overdue": desk.is_overdue(referral), "works": works,
        "days_left": desk.working_days_left(referral), "assignment_overdue": desk.assignment_overdue(referral),
        "agency": referral.station.agency if referral.station else None,
        "screening": screening, "other_region": told_region if told_region not in (None, referral.region) else None,
        # the chat once filed a county's name (「威信县」) as the account: the page says so
        "account_is_place": city_config().names_only_a_place(referral.description),
        "colleagues": desk.colleagues(session, user, referral),
        "provider_kinds": desk.PROVIDER_KINDS, "closing_outcomes": desk.closing_choices(referral),
        "decision": decision, "outcome": labels.in_words(labels.OUTCOMES, decision.get("outcome")),
        "hardship": labels.in_words(labels.HARDSHIP_CHECKS, decision.get("hardship_check")),
        "events": [(e, desk.EVENT_KINDS.get(e.kind, e.kind)) for e in referral.events],
        "contact_results": desk.CONTACT_RESULTS, "transfer_to": transfer_to,
        "refusal_notice": desk.refusal_notice(referral),
        "decides": desk.decides(user),
        "can_claim": works and referral.status in (ReferralStatus.new, ReferralStatus.transferred),
        "mine": works and (referral.claimed_by_id == user.id or user.is_admin),
        "error": error, "form": form or {}, "done": DONE.get(done), "confirm_refusal": confirm_refusal,
    }, status_code=status_code)


@router.get("/referrals/{ticket}", response_class=HTMLResponse, summary="Console: one referral",
            responses={404: {"description": "No such referral, or another station's"}})
def referral_page(ticket: str, request: Request, session: SessionDep, user: UserDep, done: str = ""):
    """Everything the citizen said, the pre-screen, the deadline, the history and the desk's steps (audited)."""
    try:
        referral = desk.get_for(session, user, ticket, client=client_address(request))
    except desk.NotVisible:
        raise NotFound() from None
    flash = take_flash(request, session, referral.ticket_number)
    if flash:
        return _referral_page(request, session, user, referral, error=flash.get("error"),
                              status_code=flash.get("status", 200), form=flash.get("form"),
                              confirm_refusal=flash.get("confirm_refusal"))
    return _referral_page(request, session, user, referral, done=done)


@router.get("/referrals/{ticket}/attachments/{attachment_id}", response_class=Response,
            summary="Console: an image the citizen sent",
            responses={200: {"description": "The image's bytes, with its stored content type",
                             "content": attachments.openapi_image_content()},
                       404: {"description": "No such image, or another station's referral"}})
def attachment_image(ticket: str, attachment_id: int, request: Request, session: SessionDep, user: UserDep,
                     settings: SettingsDep):
    """One image of the referral's 「群众发来的图片」 (the same visibility as the referral page; each view audited)."""
    try:
        row, data = attachments.open_for(session, user, settings.attachments_dir, ticket, attachment_id,
                                         client=client_address(request))
    except attachments.FileMissing as exc:
        raise NotFound(exc.message) from None
    except desk.DeskError:
        raise NotFound() from None
    return Response(data, media_type=row.content_type, headers=attachments.IMAGE_HEADERS)


def _refused(request: Request, session, user: StaffUser, ticket: str, exc: desk.DeskError,
             form: dict[str, str] | None, anchor: str = "h-actions") -> RedirectResponse:
    """A refused step: back to the referral's page, which shows why (once) with what was typed.

    A redirect after an error too (the message waits in the staff session), so the browser's
    Back never asks to send the form again.
    """
    session.rollback()
    try:
        referral = desk.get_for(session, user, ticket, record_view=False)
    except desk.NotVisible:
        raise NotFound() from None
    put_flash(request, session, referral.ticket_number,
              {"error": exc.message, "status": exc.status_code, "form": form or {}})
    return see_other(f"/console/referrals/{referral.ticket_number}#{anchor}")


def _step(request: Request, session, user: StaffUser, ticket: str, step: str, action, *,
          form: dict[str, str] | None = None) -> HTMLResponse | RedirectResponse:
    """Run one desk step; on success redirect (POST-redirect-GET), otherwise show the page with the reason."""
    try:
        action()
    except desk.NotVisible:
        raise NotFound() from None
    except desk.DeskError as exc:
        return _refused(request, session, user, ticket, exc, form)
    if step == "transfer":
        return see_other("/console/?done=transfer")
    return see_other(f"/console/referrals/{ticket}?done={step}")


_STEP_RESPONSES: Responses = {303: {"description": "Done: back to the referral page"},
                              403: {"description": "The form's CSRF token is missing or wrong"},
                              404: {"description": "No such referral, or another station's"},
                              409: {"description": "Not possible now (the page says why)"}}
Text = Annotated[str, Form()]


@router.post("/referrals/{ticket}/claim", response_class=HTMLResponse, summary="Console: claim a referral",
             responses=_STEP_RESPONSES)
def claim(ticket: str, request: Request, session: SessionDep, user: PostUserDep):
    """Take the referral (one of two staff claiming at once wins; the other is told who has it)."""
    return _step(request, session, user, ticket, "claim",
                 lambda: desk.claim(session, user, ticket, client=client_address(request)))


@router.post("/referrals/{ticket}/release", response_class=HTMLResponse, summary="Console: release a referral",
             responses=_STEP_RESPONSES)
def release(ticket: str, request: Request, session: SessionDep, user: PostUserDep):
    """Put the referral back in the station's queue."""
    return _step(request, session, user, ticket, "release",
                 lambda: desk.release(session, user, ticket, client=client_address(request)))


@router.post("/referrals/{ticket}/contact", response_class=HTMLResponse, summary="Console: record a contact attempt",
             responses=_STEP_RESPONSES)
def contact(ticket: str, request: Request, session: SessionDep, user: PostUserDep, result: Text = "",
            note: Text = ""):
    """Record a call or message to the applicant and its result."""
    return _step(request, session, user, ticket, "contact",
                 lambda: desk.record_contact(session, user, ticket, result, note, client=client_address(request)),
                 form={"contact_note": note, "result": result})


@router.post("/referrals/{ticket}/accept", response_class=HTMLResponse, summary="Console: give legal aid",
             responses=_STEP_RESPONSES)
def accept(ticket: str, request: Request, session: SessionDep, user: PostUserDep, note: Text = "",
           conflicts_checked: Text = ""):
    """Decide to give legal aid (past a conflict warning only with `conflicts_checked=yes`)."""
    return _step(request, session, user, ticket, "accept",
                 lambda: conflicts.accept_unless_unchecked(session, user, ticket, note,
                                                           conflicts_checked=conflicts_checked == "yes",
                                                           client=client_address(request)),
                 form={"accept_note": note})


@router.post("/referrals/{ticket}/refuse", response_class=HTMLResponse, summary="Console: refuse legal aid",
             responses=_STEP_RESPONSES)
def refuse(ticket: str, request: Request, session: SessionDep, user: PostUserDep, reason: Text = "",
           confirm: Text = ""):
    """Decide not to give legal aid: a reason is required; the Art. 49 notice is added to the history.

    A refusal cannot be taken back here, so the first submit shows the reason and the notice to
    confirm (`confirm=yes` decides).
    """
    if confirm != "yes":
        try:
            referral, checked = desk.check_refusal(session, user, ticket, reason)
        except desk.NotVisible:
            raise NotFound() from None
        except desk.DeskError as exc:
            return _refused(request, session, user, ticket, exc, {"reason": reason})
        put_flash(request, session, referral.ticket_number, {"form": {"reason": checked}, "confirm_refusal": checked})
        return see_other(f"/console/referrals/{referral.ticket_number}#confirm-refusal")
    return _step(request, session, user, ticket, "refuse",
                 lambda: desk.refuse(session, user, ticket, reason, client=client_address(request)),
                 form={"reason": reason})


@router.post("/referrals/{ticket}/transfer", response_class=HTMLResponse, summary="Console: transfer a referral",
             responses=_STEP_RESPONSES)
def transfer(ticket: str, request: Request, session: SessionDep, user: PostUserDep, station: Text = "",
             reason: Text = ""):
    """Hand the referral to another station's queue."""
    return _step(request, session, user, ticket, "transfer",
                 lambda: desk.transfer(session, user, ticket, station, reason, client=client_address(request)),
                 form={"station": station, "transfer_reason": reason})


@router.post("/referrals/{ticket}/close", response_class=HTMLResponse, summary="Console: close a referral",
             responses=_STEP_RESPONSES)
def close(ticket: str, request: Request, session: SessionDep, user: PostUserDep, note: Text = "",
          outcome: Text = ""):
    """Close the referral and say how it ended (`outcome`: concluded, withdrawn or terminated)."""
    return _step(request, session, user, ticket, "close",
                 lambda: desk.close(session, user, ticket, note, outcome, client=client_address(request)),
                 form={"close_note": note, "outcome": outcome})


@router.post("/referrals/{ticket}/assign", response_class=HTMLResponse, summary="Console: give to a colleague",
             responses=_STEP_RESPONSES)
def assign(ticket: str, request: Request, session: SessionDep, user: PostUserDep, username: Text = ""):
    """A centre head or an administrator gives the referral to a named colleague."""
    return _step(request, session, user, ticket, "assign",
                 lambda: desk.assign_to(session, user, ticket, username, client=client_address(request)),
                 form={"assignee": username})


@router.post("/referrals/{ticket}/aid", response_class=HTMLResponse, summary="Console: record the assigned provider",
             responses=_STEP_RESPONSES)
def assign_aid(ticket: str, request: Request, session: SessionDep, user: PostUserDep, kind: Text = "",
               name: Text = "", org: Text = "", case_number: Text = ""):
    """Record the lawyer (or other legal-aid provider) assigned after aid was given, and the case number."""
    return _step(request, session, user, ticket, "aid",
                 lambda: desk.assign_aid(session, user, ticket, kind, name, org, case_number,
                                         client=client_address(request)),
                 form={"aid_kind": kind, "aid_name": name, "aid_org": org, "case_number": case_number})


@router.post("/referrals/{ticket}/pause", response_class=HTMLResponse, summary="Console: pause the decision clock",
             responses=_STEP_RESPONSES)
def pause(ticket: str, request: Request, session: SessionDep, user: PostUserDep, missing: Text = ""):
    """Materials are missing (Art. 43 para. 2): the decision clock stops until they are in."""
    return _step(request, session, user, ticket, "pause",
                 lambda: desk.pause_clock(session, user, ticket, missing, client=client_address(request)),
                 form={"missing": missing})


@router.post("/referrals/{ticket}/resume", response_class=HTMLResponse, summary="Console: resume the decision clock",
             responses=_STEP_RESPONSES)
def resume(ticket: str, request: Request, session: SessionDep, user: PostUserDep):
    """The materials are in: the clock runs again with the working days that were left."""
    return _step(request, session, user, ticket, "resume",
                 lambda: desk.resume_clock(session, user, ticket, client=client_address(request)))


@router.post("/referrals/{ticket}/extend", response_class=HTMLResponse, summary="Console: extend the decision deadline",
             responses=_STEP_RESPONSES)
def extend(ticket: str, request: Request, session: SessionDep, user: PostUserDep, reason: Text = ""):
    """A complex case: 3 more working days, once, with the reason."""
    return _step(request, session, user, ticket, "extend",
                 lambda: desk.extend_deadline(session, user, ticket, reason, client=client_address(request)),
                 form={"extend_reason": reason})

