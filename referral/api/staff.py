"""The staff API: sign in, the station's queue, one referral, and the desk's steps.

Staff authenticate with a session token from `POST /api/staff/sessions` (`Authorization:
Bearer <token>`). Station staff see their own station's referrals; administrators see all.
Another station's ticket answers 404, exactly like an unknown one.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response, status
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import select

from referral import attachments, conflicts, desk, queue_filters, staff_auth
from referral.dependencies import Responses, SessionDep, SettingsDep, client_address
from referral.models import AuditEntry, Referral, Role, StaffUser, Station
from referral.schemas import (
    AidProvider,
    Assignment,
    AttachmentPublic,
    AuditEntryPublic,
    ClockPause,
    Closing,
    ContactAttempt,
    Decision,
    Extension,
    OpposingParty,
    Queue,
    QueueItem,
    ReferralEventPublic,
    StaffLogin,
    StaffReferral,
    StaffSessionCreated,
    StaffUserPublic,
    StationPublic,
    Transfer,
)

router = APIRouter(prefix="/api/staff", tags=["staff"])
_bearer = HTTPBearer(auto_error=False, description="a staff session token from POST /api/staff/sessions")
_ERRORS: Responses = {401: {"description": "Not signed in, or the session expired"}}
_NOT_FOUND: Responses = {404: {"description": "No such referral, or another station's"}}
_CONFLICT: Responses = {409: {"description": "The step is not possible now (e.g. someone else holds the referral)"}}


def current_user(
    session: SessionDep, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> StaffUser:
    row = staff_auth.find_session(session, credentials.credentials if credentials else None)
    if row is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "请先登录（sign in: POST /api/staff/sessions）",
                            headers={"WWW-Authenticate": "Bearer"})
    if row.user.role == Role.operator:
        # hotline operators work in the hotline console only; no referral data through the API
        raise HTTPException(status.HTTP_403_FORBIDDEN,
                            "热线话务员不能使用工作人员接口（operators: hotline console only）")
    return row.user


UserDep = Annotated[StaffUser, Depends(current_user)]


def _desk_error(exc: desk.DeskError) -> HTTPException:
    return HTTPException(exc.status_code, exc.message)


def staff_referral(referral: Referral) -> StaffReferral:
    station = referral.station
    base = StaffReferral.model_validate(
        {
            **{name: getattr(referral, name) for name in StaffReferral.model_fields
               if name not in {"station", "deciding_agency", "holder", "overdue", "refusal_notice", "events",
                               "working_days_left"}},
            "station": StationPublic.model_validate(station) if station else None,
            "deciding_agency": station.agency.name if station else None,
            "holder": referral.claimed_by.display_name if referral.claimed_by else None,
            "overdue": desk.is_overdue(referral) or desk.assignment_overdue(referral),
            "working_days_left": desk.working_days_left(referral),
            "refusal_notice": desk.refusal_notice(referral) if referral.status.value == "refused" else None,
            "events": [
                ReferralEventPublic(
                    at=e.at, kind=e.kind, label=desk.EVENT_KINDS.get(e.kind, e.kind),
                    actor=e.actor.display_name if e.actor else None, from_status=e.from_status,
                    to_status=e.to_status, station=e.station.name if e.station else None, note=e.note,
                )
                for e in referral.events
            ],
        }
    )
    return base


@router.post("/sessions", status_code=status.HTTP_201_CREATED, response_model=StaffSessionCreated,
             responses={401: {"description": "Wrong user name or password, or a locked account"}})
def sign_in(data: StaffLogin, session: SessionDep, request: Request):
    """Sign in with a user name and password; returns a session token."""
    try:
        user = staff_auth.authenticate(session, data.username, data.password, client=client_address(request))
    except staff_auth.LoginError as exc:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, str(exc)) from None
    token, row = staff_auth.start_session(session, user)
    return StaffSessionCreated(token=token, expires_at=row.expires_at, user=StaffUserPublic.model_validate(user))


@router.delete("/sessions/current", status_code=status.HTTP_204_NO_CONTENT, responses=_ERRORS)
def sign_out(session: SessionDep, _user: UserDep,
             credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]):
    """End this session."""
    staff_auth.end_session(session, credentials.credentials if credentials else None)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/me", response_model=StaffUserPublic, responses=_ERRORS)
def me(user: UserDep):
    """The signed-in staff member."""
    return StaffUserPublic.model_validate(user)


@router.get("/stations", response_model=list[StationPublic], responses=_ERRORS)
def stations(session: SessionDep, _user: UserDep):
    """Active stations (where a referral can be transferred)."""
    return session.scalars(select(Station).where(Station.active.is_(True)).order_by(Station.id)).all()


@router.get("/referrals", response_model=Queue, responses=_ERRORS)
def read_queue(
    session: SessionDep,
    user: UserDep,
    status_: Annotated[str | None, Query(alias="status", description="a status, `open` (no decision yet), `todo` "
                                                             "(open, or decided and still to close) or "
                                                             "`transferred_out` (sent on, read only)")] = None,
    matter: str | None = None,
    region: str | None = None,
    priority: str | None = None,
    channel: str | None = None,
    station: Annotated[str | None, Query(description="station code (administrators)")] = None,
    overdue: bool = False,
    q: Annotated[str | None, Query(max_length=40, description="part of a ticket number, name, phone number "
                                                                "or account")] = None,
    due: Annotated[str | None, Query(description="a deadline view: today, two_days, week, overdue, assign, "
                                                 "paused")] = None,
    mine: Annotated[bool, Query(description="only the referrals the signed-in user holds")] = False,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
):
    """The queue: open referrals first, by priority (fast track, urgent, normal) and decision deadline."""
    try:
        filters = queue_filters.parse(session, status=status_ or None, matter=matter, region=region,
                                      priority=priority, channel=channel, station=station, overdue=overdue, search=q,
                                      due=due, holder_id=user.id if mine else None)
    except queue_filters.UnknownFilterValue as exc:  # an unknown status, priority, station code or deadline view
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc)) from None
    rows, total = desk.queue(session, user, filters, limit=limit, offset=offset)
    items = [
        QueueItem(ticket_number=r.ticket_number, status=r.status, created_at=r.created_at, channel=r.channel,
                  region=r.region, township=r.township, matter=r.matter, priority=r.priority,
                  priority_reasons=r.priority_reasons,
                  decision_due=r.decision_due, overdue=desk.is_overdue(r),
                  station=r.station.name if r.station else None,
                  holder=r.claimed_by.display_name if r.claimed_by else None)
        for r in rows
    ]
    return Queue(items=items, count=total)


@router.get("/referrals/{ticket_number}", response_model=StaffReferral, responses={**_ERRORS, **_NOT_FOUND})
def read_referral(ticket_number: str, request: Request, session: SessionDep, user: UserDep):
    """One referral with everything the citizen said, its decision and its history (recorded in the audit trail)."""
    try:
        return staff_referral(desk.get_for(session, user, ticket_number, client=client_address(request)))
    except desk.DeskError as exc:
        raise _desk_error(exc) from None


@router.get("/referrals/{ticket_number}/attachments", response_model=list[AttachmentPublic],
            responses={**_ERRORS, **_NOT_FOUND})
def list_attachments(ticket_number: str, request: Request, session: SessionDep, user: UserDep):
    """The images the citizen sent with the referral, oldest first (recorded in the audit trail as a view)."""
    try:
        referral = desk.get_for(session, user, ticket_number, client=client_address(request))
    except desk.DeskError as exc:
        raise _desk_error(exc) from None
    return [AttachmentPublic.model_validate(a) for a in referral.attachments if a.document_kind is None]


@router.get("/referrals/{ticket_number}/attachments/{attachment_id}", response_class=Response,
            responses={**_ERRORS, **_NOT_FOUND,
                       200: {"description": "The image's bytes, with its stored content type",
                             "content": attachments.openapi_image_content()}})
def read_attachment(ticket_number: str, attachment_id: int, request: Request, session: SessionDep, user: UserDep,
                    settings: SettingsDep):
    """One image the citizen sent (each view is recorded in the audit trail)."""
    try:
        row, data = attachments.open_for(session, user, settings.attachments_dir, ticket_number, attachment_id,
                                         client=client_address(request))
    except desk.DeskError as exc:
        raise _desk_error(exc) from None
    return Response(data, media_type=row.content_type, headers=attachments.IMAGE_HEADERS)


def _step(action, request: Request, session, user: StaffUser, ticket_number: str, *args):
    try:
        return staff_referral(action(session, user, ticket_number, *args, client=client_address(request)))
    except desk.DeskError as exc:
        raise _desk_error(exc) from None


@router.post("/referrals/{ticket_number}/claim", response_model=StaffReferral,
             responses={**_ERRORS, **_NOT_FOUND, **_CONFLICT})
def claim(ticket_number: str, request: Request, session: SessionDep, user: UserDep):
    """Take the referral. Of two staff claiming at once exactly one succeeds; the other gets 409 naming the holder."""
    return _step(desk.claim, request, session, user, ticket_number)


@router.post("/referrals/{ticket_number}/release", response_model=StaffReferral,
             responses={**_ERRORS, **_NOT_FOUND, **_CONFLICT})
def release(ticket_number: str, request: Request, session: SessionDep, user: UserDep):
    """Put a claimed referral without a decision back in the station's queue."""
    return _step(desk.release, request, session, user, ticket_number)


@router.post("/referrals/{ticket_number}/contacts", response_model=StaffReferral,
             responses={**_ERRORS, **_NOT_FOUND, **_CONFLICT})
def contact(ticket_number: str, data: ContactAttempt, request: Request, session: SessionDep, user: UserDep):
    """Record an attempt to reach the applicant."""
    return _step(desk.record_contact, request, session, user, ticket_number, data.result, data.note)


@router.post("/referrals/{ticket_number}/decision", response_model=StaffReferral,
             responses={**_ERRORS, **_NOT_FOUND, **_CONFLICT})
def decide(ticket_number: str, data: Decision, request: Request, session: SessionDep, user: UserDep):
    """Give legal aid, or refuse it with a reason (the refusal carries the notice of Art. 49)."""
    if data.decision == "accept":
        return _step(desk.accept, request, session, user, ticket_number, data.reason)
    return _step(desk.refuse, request, session, user, ticket_number, data.reason)


@router.post("/referrals/{ticket_number}/transfer", response_model=StaffReferral,
             responses={**_ERRORS, **_NOT_FOUND, **_CONFLICT})
def transfer(ticket_number: str, data: Transfer, request: Request, session: SessionDep, user: UserDep):
    """Hand a referral without a decision to another station's queue."""
    return _step(desk.transfer, request, session, user, ticket_number, data.station, data.reason)


@router.post("/referrals/{ticket_number}/close", response_model=StaffReferral,
             responses={**_ERRORS, **_NOT_FOUND, **_CONFLICT})
def close(ticket_number: str, data: Closing, request: Request, session: SessionDep, user: UserDep):
    """Close the referral and say how it ended (a note is required unless it is concluded)."""
    return _step(desk.close, request, session, user, ticket_number, data.note, data.outcome)


@router.post("/referrals/{ticket_number}/assignment", response_model=StaffReferral,
             responses={**_ERRORS, **_NOT_FOUND, **_CONFLICT})
def assign(ticket_number: str, data: Assignment, request: Request, session: SessionDep, user: UserDep):
    """A centre head (or an administrator) gives the referral to a colleague of its station or agency."""
    return _step(desk.assign_to, request, session, user, ticket_number, data.username)


@router.post("/referrals/{ticket_number}/aid-provider", response_model=StaffReferral,
             responses={**_ERRORS, **_NOT_FOUND, **_CONFLICT})
def aid_provider(ticket_number: str, data: AidProvider, request: Request, session: SessionDep, user: UserDep):
    """Record the legal-aid provider assigned after aid was given (Art. 43: within 3 days) and the case number."""
    return _step(desk.assign_aid, request, session, user, ticket_number, data.kind, data.name, data.org,
                 data.case_number)


@router.post("/referrals/{ticket_number}/clock/pause", response_model=StaffReferral,
             responses={**_ERRORS, **_NOT_FOUND, **_CONFLICT})
def pause_clock(ticket_number: str, data: ClockPause, request: Request, session: SessionDep, user: UserDep):
    """Materials are missing: say once what to bring; the decision clock stops with the days that were left."""
    return _step(desk.pause_clock, request, session, user, ticket_number, data.missing)


@router.post("/referrals/{ticket_number}/clock/resume", response_model=StaffReferral,
             responses={**_ERRORS, **_NOT_FOUND, **_CONFLICT})
def resume_clock(ticket_number: str, request: Request, session: SessionDep, user: UserDep):
    """The materials are in: the clock runs again for the working days that were left."""
    return _step(desk.resume_clock, request, session, user, ticket_number)


@router.post("/referrals/{ticket_number}/clock/extension", response_model=StaffReferral,
             responses={**_ERRORS, **_NOT_FOUND, **_CONFLICT})
def extend(ticket_number: str, data: Extension, request: Request, session: SessionDep, user: UserDep):
    """A complex case: 3 more working days, once, with the reason."""
    return _step(desk.extend_deadline, request, session, user, ticket_number, data.reason)


@router.put("/referrals/{ticket_number}/opposing-party", response_model=StaffReferral,
            responses={**_ERRORS, **_NOT_FOUND, **_CONFLICT})
def opposing_party(ticket_number: str, data: OpposingParty, request: Request, session: SessionDep, user: UserDep):
    """Record, correct or (empty) remove the other side of the dispute (the conflict check reads it)."""
    return _step(conflicts.record_opposing_party, request, session, user, ticket_number, data.name)


@router.get("/audit", response_model=list[AuditEntryPublic],
            responses={**_ERRORS, 403: {"description": "Administrators only"}})
def audit_trail(
    session: SessionDep,
    user: UserDep,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
    offset: Annotated[int, Query(ge=0)] = 0,
):
    """Who viewed or changed personal data, newest first (administrators only)."""
    if not user.is_admin:
        return JSONResponse({"detail": "只有管理员能查看审计记录"}, status_code=status.HTTP_403_FORBIDDEN)
    rows = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit).offset(offset)).all()
    return [
        AuditEntryPublic(at=a.at, user=a.user.username if a.user else None, action=a.action,
                         ticket_number=a.referral.ticket_number if a.referral else None, detail=a.detail,
                         client=a.client)
        for a in rows
    ]
