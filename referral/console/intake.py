"""Counter and phone intake, and the printed application form and decision letters (rules: referral.intake)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from referral import desk, intake
from referral.console import labels
from referral.console.web import (
    ConsoleRoute,
    NotFound,
    PageError,
    PostUserDep,
    UserDep,
    render,
    see_other,
    templates,
)
from referral.dependencies import Responses, SessionDep, client_address
from referral.models import Referral, StaffUser
from referral.rules.city import city_config
from referral.rules.matters import MATTERS

router = APIRouter(prefix="/console", tags=["console"], route_class=ConsoleRoute)

Text = Annotated[str, Form()]
Choices = Annotated[list[str], Form()]
# the referral page's partial _print_links.html reads this to offer the decision letter
templates.env.globals["intake_decision_of"] = intake.decision_of


def _form_values(channel: str, applicant_name: str, applicant_phone: str, region: str, township: str,
                 matter: str, role: str, description: str, opposing_party: str, poverty_certificate: str,
                 statuses: list[str], criminal_flags: list[str], has_lawyer: str, household_size: str,
                 household_monthly_income: str, days_to_deadline: str, needs_preservation: str,
                 deadline_soon: str, retrial_decided: str, dangers: list[str], consent: str,
                 idempotency_key: str) -> intake.IntakeForm:
    return intake.IntakeForm(
        channel=channel, applicant_name=applicant_name, applicant_phone=applicant_phone, region=region,
        township=township, matter=matter, role=role, description=description, opposing_party=opposing_party,
        poverty_certificate=poverty_certificate, statuses=statuses, criminal_flags=criminal_flags,
        has_lawyer=has_lawyer == "yes", household_size=household_size,
        household_monthly_income=household_monthly_income, days_to_deadline=days_to_deadline,
        needs_preservation=needs_preservation == "yes", deadline_soon=deadline_soon == "yes",
        retrial_decided=retrial_decided == "yes", dangers=dangers, consent=consent == "yes",
        idempotency_key=idempotency_key,
    )


def _intake_page(request: Request, form: intake.IntakeForm, *, error: intake.IntakeError | None = None,
                 preview: intake.Preview | None = None, saved: Referral | None = None,
                 status_code: int = 200) -> HTMLResponse:
    config = city_config()
    decision = preview.decision if preview else {}
    return render(request, "intake/form.html", {
        "title": "窗口、电话登记申请", "f": form, "channels": intake.CHANNELS, "consent_text": intake.CONSENT_TEXT,
        "regions": config.region_names(), "townships": [(r.name, r.townships) for r in config.regions if r.townships],
        "matters": MATTERS, "roles": labels.ROLES, "statuses": labels.STATUSES, "criminal_flags": labels.CRIMINAL_FLAGS,
        "dangers": intake.DANGER_LABELS,
        "error": error.message if error else None, "error_field": error.field if error else None,
        "preview": preview, "decision": decision,
        "screening": labels.screening_rows(preview.screening) if preview else [],
        "outcome": labels.in_words(labels.OUTCOMES, decision.get("outcome")),
        "hardship": labels.in_words(labels.HARDSHIP_CHECKS, decision.get("hardship_check")),
        "saved": saved,
    }, status_code=status_code)


@router.get("/intake", response_class=HTMLResponse, summary="Console: take an application at the counter or by phone")
def intake_form(request: Request, session: SessionDep, user: UserDep, channel: str = "counter",
                saved: Annotated[str, Query(max_length=32)] = ""):
    """The intake form, with a fresh idempotency key; ``saved`` names a referral the user just saved that went
    to a station they cannot open (its number and station only)."""
    form = intake.IntakeForm(channel=channel if channel in intake.CHANNELS else "counter",
                             idempotency_key=intake.new_key())
    return _intake_page(request, form, saved=intake.taken_by(session, user, saved) if saved else None)


_POST_RESPONSES: Responses = {303: {"description": "Saved: to the referral page (or back to the form when the "
                                                   "referral went to a station the user cannot open)"},
                              403: {"description": "The form's CSRF token is missing or wrong, or a hotline operator"},
                              422: {"description": "Something to fix (the page says what; the typed values are kept)"}}


@router.post("/intake", response_class=HTMLResponse, summary="Console: pre-screen or save an application",
             responses=_POST_RESPONSES)
def intake_submit(request: Request, session: SessionDep, user: PostUserDep, action: Text = "save",
                  channel: Text = "counter", applicant_name: Text = "", applicant_phone: Text = "",
                  region: Text = "", township: Text = "", matter: Text = "", role: Text = "", description: Text = "",
                  opposing_party: Text = "", poverty_certificate: Text = "",
                  statuses: Choices = [], criminal_flags: Choices = [],  # noqa: B006
                  has_lawyer: Text = "", household_size: Text = "", household_monthly_income: Text = "",
                  days_to_deadline: Text = "", needs_preservation: Text = "", deadline_soon: Text = "",
                  retrial_decided: Text = "", dangers: Choices = [], consent: Text = "",  # noqa: B006
                  idempotency_key: Text = ""):
    """``action=preview`` shows the pre-screen's result on the same page (nothing saved); ``action=save``
    creates the referral (once per form: its hidden key) and goes to its page."""
    form = _form_values(channel, applicant_name, applicant_phone, region, township, matter, role, description,
                        opposing_party, poverty_certificate, statuses, criminal_flags, has_lawyer, household_size,
                        household_monthly_income, days_to_deadline, needs_preservation, deadline_soon,
                        retrial_decided, dangers, consent, idempotency_key)
    if action == "preview":
        try:
            result = intake.preview(form)
        except intake.IntakeError as exc:
            return _intake_page(request, form, error=exc, status_code=exc.status_code)
        return _intake_page(request, form, preview=result)
    try:
        done = intake.take_application(session, user, form, client=client_address(request))
    except intake.IntakeError as exc:
        session.rollback()
        if exc.field == "idempotency_key":
            form.idempotency_key = intake.new_key()
        return _intake_page(request, form, error=exc, status_code=exc.status_code)
    return _after_saving(session, user, done.referral)


def _after_saving(session, user: StaffUser, referral: Referral) -> RedirectResponse:
    try:
        desk.get_for(session, user, referral.ticket_number, record_view=False)
    except desk.NotVisible:
        return see_other(f"/console/intake?saved={referral.ticket_number}")
    return see_other(f"/console/referrals/{referral.ticket_number}?done=intake")


_PRINT_RESPONSES: Responses = {404: {"description": "No such referral, or one the user may not see"}}


def _visible(request: Request, session, user: StaffUser, ticket: str) -> Referral:
    try:
        return desk.get_for(session, user, ticket, client=client_address(request))
    except desk.NotVisible:
        raise NotFound() from None


def _agency_phone(referral: Referral) -> str | None:
    agency = referral.station.agency if referral.station else None
    return agency.phone if agency and agency.phone and not agency.phone_sample else None


@router.get("/referrals/{ticket}/print/application", response_class=HTMLResponse,
            summary="Console: the printable legal-aid application form", responses=_PRINT_RESPONSES)
def print_application(ticket: str, request: Request, session: SessionDep, user: UserDep):
    """法律援助申请表, pre-filled from the referral, for the applicant to sign (each view audited)."""
    referral = _visible(request, session, user, ticket)
    return render(request, "print/application.html", {
        "r": referral, "agency": referral.station.agency if referral.station else None,
        "screening": labels.screening_rows(referral.screening_input),
        "received_by": intake.received_by(referral, user),
        "received_on": referral.created_at,
    })


@router.get("/referrals/{ticket}/print/materials", response_class=HTMLResponse,
            summary="Console: the printable notice of the materials to bring",
            responses={**_PRINT_RESPONSES, 409: {"description": "The decision clock was never paused"}})
def print_materials_notice(ticket: str, request: Request, session: SessionDep, user: UserDep):
    """补充材料通知书: what the applicant is told once to bring (Art. 43 para. 2), from the last pause."""
    referral = _visible(request, session, user, ticket)
    if not referral.materials_notice:
        raise PageError(409, "还没有“材料不齐，暂停决定期限”，没有要打印的补充材料通知。")
    return render(request, "print/materials.html", {
        "r": referral, "agency": referral.station.agency if referral.station else None,
        "agency_phone": _agency_phone(referral),
    })


@router.get("/referrals/{ticket}/print/decision", response_class=HTMLResponse,
            summary="Console: the printable decision letter",
            responses={**_PRINT_RESPONSES, 409: {"description": "No decision yet"}})
def print_decision(ticket: str, request: Request, session: SessionDep, user: UserDep):
    """给予法律援助决定书 (Art. 43) or 不予法律援助决定书 with the reason and the Art. 49 notice."""
    referral = _visible(request, session, user, ticket)
    try:
        kind = intake.letter_kind(referral)
    except intake.NotDecided as exc:
        raise PageError(exc.status_code, exc.message) from None
    provider_kinds = desk.PROVIDER_KINDS
    return render(request, "print/decision.html", {
        "r": referral, "kind": kind, "agency": referral.station.agency if referral.station else None,
        "decided_on": intake.decision_date(referral), "agency_phone": _agency_phone(referral),
        "provider_kind": provider_kinds.get(referral.aid_provider_kind or "", referral.aid_provider_kind),
        "refusal_notice": desk.refusal_notice(referral),
    })



