"""The queue and one referral's page, with the desk's steps as forms (every rule lives in referral.desk)."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from referral import admin, attachments, desk, queue_filters
from referral.console import labels
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
from referral.rules.city import city_config
from referral.rules.matters import MATTERS

router = APIRouter(prefix="/console", tags=["console"], route_class=ConsoleRoute)

PAGE_SIZE = 100
# Messages after a step succeeded (POST-redirect-GET carries only the code).
DONE: dict[str, str] = {
    "claim": "已认领。这张转介单现在由您处理。",
    "release": "已放回待认领。",
    "contact": "联系记录已保存。",
    "accept": "已记录：给予法律援助。请在 3 日内指派律师（《法律援助法》第四十三条）。",
    "refuse": "已记录：不予法律援助。请把决定和异议告知书面通知申请人。",
    "close": "已结案。",
    "transfer": "已转交。",
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
    q: str = Field("", max_length=40, description="part of a ticket number, an applicant's name or phone number")


QueueQ = Annotated[QueueQuery, Query()]
# What the page says when queue_filters refuses a value.
UNKNOWN_FILTER_VALUE = {"status": "没有这种状态", "priority": "没有这种优先级", "station": "没有这个站点"}


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
                                      channel=query.channel, station=station, search=query.q)
    except queue_filters.UnknownFilterValue as exc:
        raise PageError(422, UNKNOWN_FILTER_VALUE[exc.field]) from None
    return filters, {**query.model_dump(), "station": station, "q": query.q.strip()}


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
        "rows": [(r, desk.is_overdue(r)) for r in rows], "total": total, "values": values, "page": page,
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
    transfer_to = [s for s in admin.stations(session, active_only=True) if s.id != referral.station_id]
    return render(request, "referral.html", {
        "r": referral, "overdue": desk.is_overdue(referral),
        "agency": referral.station.agency if referral.station else None,
        "screening": labels.screening_rows(referral.screening_input),
        "decision": decision, "outcome": labels.in_words(labels.OUTCOMES, decision.get("outcome")),
        "hardship": labels.in_words(labels.HARDSHIP_CHECKS, decision.get("hardship_check")),
        "events": [(e, desk.EVENT_KINDS.get(e.kind, e.kind)) for e in referral.events],
        "contact_results": desk.CONTACT_RESULTS, "transfer_to": transfer_to,
        "refusal_notice": desk.refusal_notice(referral),
        "can_claim": referral.status in (ReferralStatus.new, ReferralStatus.transferred),
        "mine": referral.claimed_by_id == user.id or user.is_admin,
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


def _step(request: Request, session, user: StaffUser, ticket: str, step: str, action, *,
          form: dict[str, str] | None = None) -> HTMLResponse | RedirectResponse:
    """Run one desk step; on success redirect (POST-redirect-GET), otherwise show the page with the reason."""
    try:
        action()
    except desk.NotVisible:
        raise NotFound() from None
    except desk.DeskError as exc:
        session.rollback()
        try:
            referral = desk.get_for(session, user, ticket, record_view=False)
        except desk.NotVisible:
            raise NotFound() from None
        return _referral_page(request, session, user, referral, error=exc.message, status_code=exc.status_code,
                              form=form)
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
def accept(ticket: str, request: Request, session: SessionDep, user: PostUserDep, note: Text = ""):
    """Decide to give legal aid."""
    return _step(request, session, user, ticket, "accept",
                 lambda: desk.accept(session, user, ticket, note, client=client_address(request)),
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
            referral = desk.get_for(session, user, ticket, record_view=False)
            return _referral_page(request, session, user, referral, error=exc.message, status_code=exc.status_code,
                                  form={"reason": reason})
        return _referral_page(request, session, user, referral, form={"reason": checked}, confirm_refusal=checked)
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
def close(ticket: str, request: Request, session: SessionDep, user: PostUserDep, note: Text = ""):
    """Close the referral (after a decision, or with a reason when the applicant withdrew)."""
    return _step(request, session, user, ticket, "close",
                 lambda: desk.close(session, user, ticket, note, client=client_address(request)),
                 form={"close_note": note})

