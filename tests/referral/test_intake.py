"""Counter and phone intake in the console, landlines, and the printed application form and decision letters
(issue 17, item 1), on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlalchemy import func, select

from referral import admin, desk
from referral.app import create_app
from referral.intake import IntakeError, normalise_phone
from referral.models import AuditEntry, Referral, ReferralEvent, StaffUser
from referral.schemas import ReferralCreate
from referral.settings import Settings
from tests.support.console import PASSWORD, login
from tests.support.referrals import TOKEN, field_error, post, referral_body


@pytest.fixture
def app(database_url: str):
    application = create_app(Settings(database_url=database_url, referral_api_token=TOKEN, legalaid_env="test"))
    with application.state.session_factory() as session:
        for username, name, role, station in (("admin", "管理员甲", "admin", None),
                                              ("zx1", "张一", "staff", "zhenxiong"),
                                              ("ld1", "王三", "staff", "ludian"),
                                              ("op1", "赵话务", "operator", None)):
            admin.create_user(session, None, username=username, display_name=name, password=PASSWORD, role=role,
                              station_code=station)
    yield application
    application.state.engine.dispose()




@pytest.fixture
def zx1(app) -> Iterator[TestClient]:
    with login(app, "zx1") as c:
        yield c


def hidden(page: str, name: str) -> str:
    return re.search(rf'name="{name}" value="([^"]*)"', page).group(1)


def intake_form(c: TestClient, **overrides: object) -> dict[str, object]:
    """The intake form as a staff member fills it for a migrant worker owed wages, with a fresh key."""
    page = c.get("/console/intake")
    assert page.status_code == 200, page.text
    data: dict[str, object] = {
        "csrf_token": hidden(page.text, "csrf_token"), "idempotency_key": hidden(page.text, "idempotency_key"),
        "channel": "counter", "applicant_name": "陈大山", "applicant_phone": "139 1234 5678", "region": "镇雄县",
        "township": "", "matter": "labor_wage", "description": "在工地干了四个月，包工头欠我一万二千元工资不给。",
        "opposing_party": "镇雄县某建筑劳务公司", "statuses": ["migrant_worker"], "household_size": "",
        "household_monthly_income": "", "days_to_deadline": "", "consent": "yes", "action": "save",
    }
    data.update(overrides)
    return data


def referrals(app) -> list[Referral]:
    with app.state.session_factory() as session:
        rows = session.scalars(select(Referral).order_by(Referral.id)).all()
        for r in rows:
            _ = [(e.kind, e.actor) for e in r.events], r.station and r.station.agency, r.claimed_by
        return list(rows)


def test_counter_intake_makes_the_referral_the_chat_would_and_claims_it_for_the_staff_member(app, zx1):
    response = zx1.post("/console/intake", data=intake_form(zx1), follow_redirects=False)
    assert response.status_code == 303, response.text
    [r] = referrals(app)
    assert response.headers["location"] == f"/console/referrals/{r.ticket_number}?done=intake"
    assert r.channel == "counter" and r.applicant_phone == "13912345678"  # stored normalised
    assert r.opposing_party == "镇雄县某建筑劳务公司"
    assert r.screening_input["statuses"] == ["migrant_worker"] and r.screening_input["role"] == "claimant"
    assert r.screening_decision["outcome"] == "eligible" and r.screening_decision["hardship_check"] == "exempt"
    assert r.station.code == "zhenxiong"  # routed by the usual rules (the migrant workers' station has no staff)
    assert r.status.value == "claimed" and r.claimed_by.username == "zx1"  # the applicant is at their counter
    kinds = [e.kind for e in r.events]
    assert kinds == ["created", "routed", "intake", "claimed"]
    intake_event = r.events[2]
    assert intake_event.actor.username == "zx1" and "窗口来访" in intake_event.note and "张一" in intake_event.note
    with app.state.session_factory() as session:
        audit = session.scalars(select(AuditEntry).where(AuditEntry.referral_id == r.id)).all()
    assert [a.action for a in audit] == ["intake", "claim"]
    assert audit[0].detail == "counter"  # a code, never the applicant's data
    page = zx1.get(response.headers["location"])
    assert "申请已保存，已由您认领办理" in page.text and "打印申请表" in page.text
    assert "打印决定书" not in page.text  # no decision yet


def test_phone_intake_with_poverty_certificate_and_a_near_deadline(app, zx1):
    response = zx1.post("/console/intake", data=intake_form(
        zx1, channel="phone", statuses=[], matter="debt_loan", poverty_certificate="ZX-2021-0088",
        days_to_deadline="3", dangers=["violence"]), follow_redirects=False)
    assert response.status_code == 303, response.text
    [r] = referrals(app)
    assert r.channel == "phone"
    assert r.screening_input["statuses"] == ["poverty_registered"]  # the certificate means a registered household
    assert r.screening_decision["outcome"] == "fast_track"
    assert r.priority.value == "fast_track" and r.urgent is True
    assert r.priority_reasons == ["violence", "deadline_soon", "fast_track"]
    assert r.poverty_certificate == "ZX-2021-0088"
    assert "电话申请" in next(e.note for e in r.events if e.kind == "intake")


def test_the_pre_screen_shows_the_engines_result_and_saves_nothing(app, zx1):
    data = intake_form(zx1, action="preview", statuses=[], household_size="4", household_monthly_income="2000",
                       consent="")
    page = zx1.post("/console/intake", data=data)
    assert page.status_code == 200
    assert "预审结果" in page.text
    assert "符合条件" in page.text  # 500 yuan a person: under the sample line of 1500
    assert "法律援助法第三十四条" in page.text and "身份证" in page.text  # basis and materials
    assert 'value="陈大山"' in page.text and hidden(page.text, "idempotency_key") == data["idempotency_key"]
    assert referrals(app) == []


def test_a_double_submit_makes_one_referral(app, zx1):
    data = intake_form(zx1)
    first = zx1.post("/console/intake", data=data, follow_redirects=False)
    second = zx1.post("/console/intake", data=data, follow_redirects=False)
    assert first.status_code == second.status_code == 303
    assert first.headers["location"] == second.headers["location"]
    [r] = referrals(app)
    assert [e.kind for e in r.events].count("intake") == 1
    # the same form changed afterwards is not saved as a second application either
    changed = zx1.post("/console/intake", data={**data, "description": "改过的情况"})
    assert changed.status_code == 422 and r.ticket_number in changed.text
    other_side = zx1.post("/console/intake", data={**data, "opposing_party": "另一家公司"})
    assert other_side.status_code == 422 and r.ticket_number in other_side.text  # never dropped without a word
    assert len(referrals(app)) == 1
    assert hidden(changed.text, "idempotency_key") != data["idempotency_key"]  # a new form for a new applicant


def test_a_landline_works_at_the_counter(app, zx1):
    response = zx1.post("/console/intake", data=intake_form(zx1, applicant_phone="0870－2123456"),
                        follow_redirects=False)
    assert response.status_code == 303, response.text
    [r] = referrals(app)
    assert r.applicant_phone == "08702123456"


def test_the_chat_api_refuses_a_landline_and_takes_it_only_for_counter_and_phone(client, auth):
    message = field_error(post(client, auth, key="key-landline-1", applicant_phone="08702123456"), "applicant_phone")
    assert "mobile" in message
    field_error(post(client, auth, key="key-landline-2", channel="wechat", applicant_phone="08702123456"),
                "applicant_phone")
    # the console's own channels take a landline (digits only, with its area code) ...
    assert ReferralCreate(**referral_body(channel="counter", applicant_phone="08702123456")).applicant_phone
    assert ReferralCreate(**referral_body(channel="phone", applicant_phone="01062345678")).applicant_phone
    for phone in ("0870-2123456", "2123456"):  # digits only; an area code
        with pytest.raises(ValidationError):
            ReferralCreate(**referral_body(channel="counter", applicant_phone=phone))
    # ... and an API client cannot use them
    refused = post(client, auth, key="key-landline-3", channel="counter", applicant_phone="08702123456")
    assert refused.status_code == 422 and "console" in refused.json()["detail"]
    assert post(client, auth, key="key-landline-4", channel="phone").status_code == 422


@pytest.mark.parametrize(("typed", "stored"), [("13912345678", "13912345678"), ("+86 139-1234-5678", "13912345678"),
                                               ("(0870) 212 3456", "08702123456"), ("010-62345678", "01062345678")])
def test_phone_numbers_are_normalised(typed, stored):
    assert normalise_phone(typed) == stored


@pytest.mark.parametrize(("typed", "message"), [("2123456", "区号"), ("12345", "11 位手机号"), ("", "请填写")])
def test_wrong_phone_numbers_get_a_chinese_message(typed, message):
    with pytest.raises(IntakeError) as caught:
        normalise_phone(typed)
    assert message in caught.value.message


def test_without_consent_nothing_is_saved_and_the_typed_values_stay(app, zx1):
    data = intake_form(zx1, consent="", township="乌峰街道", household_monthly_income="900")
    response = zx1.post("/console/intake", data=data)
    assert response.status_code == 422
    assert "申请人同意把以上信息交给法律援助机构办理" in response.text and "没有同意，不能保存申请" in response.text
    assert 'value="陈大山"' in response.text and "包工头欠我一万二千元工资不给" in response.text
    assert 'value="900"' in response.text and '<option value="乌峰街道" selected>' in response.text
    assert 'value="migrant_worker" checked' in response.text
    assert 'id="consent" name="consent" value="yes" aria-required="true" aria-invalid="true"' in response.text
    assert hidden(response.text, "idempotency_key") == data["idempotency_key"]  # fixing it saves this form once
    assert referrals(app) == []


@pytest.mark.parametrize(("overrides", "message"), [
    ({"applicant_name": " "}, "请填写申请人的姓名"),
    ({"description": ""}, "请写下申请人自己说的情况"),
    ({"region": ""}, "请选择申请人所在的县区"),
    ({"matter": "nonsense"}, "请选择事项"),
    ({"township": "文屏镇"}, "文屏镇不是镇雄县的乡镇"),
    ({"household_size": "0"}, "家庭人口要填 1 到 99 之间的整数"),
    ({"household_monthly_income": "很少"}, "家庭月收入要填一个数"),
    ({"idempotency_key": ""}, "登记表已经过期"),
])
def test_form_errors_are_in_chinese_and_save_nothing(app, zx1, overrides, message):
    response = zx1.post("/console/intake", data=intake_form(zx1, **overrides))
    assert response.status_code == 422
    assert message in response.text
    assert referrals(app) == []


def test_a_hotline_operator_gets_403(app):
    with login(app, "op1") as c:
        assert c.get("/console/intake").status_code == 403
        token = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/console/hotline").text).group(1)
        response = c.post("/console/intake", data={"csrf_token": token, "applicant_name": "x"})
        assert response.status_code == 403
    assert referrals(app) == []


def test_a_form_without_the_csrf_token_is_refused(app, zx1):
    data = intake_form(zx1)
    del data["csrf_token"]
    assert zx1.post("/console/intake", data=data).status_code == 403
    assert referrals(app) == []


def test_a_referral_routed_to_another_station_waits_there_and_the_intake_page_names_it(app, zx1):
    response = zx1.post("/console/intake", data=intake_form(zx1, region="鲁甸县"), follow_redirects=False)
    [r] = referrals(app)
    assert r.station.code == "ludian" and r.status.value == "new" and r.claimed_by is None
    assert response.headers["location"] == f"/console/intake?saved={r.ticket_number}"
    page = zx1.get(response.headers["location"])
    assert r.ticket_number in page.text and "鲁甸县法律援助中心" in page.text
    assert "陈大山" not in page.text  # only the number and the station
    with login(app, "ld1") as other:  # another station's staff cannot learn where a ticket went
        assert r.ticket_number not in other.get(f"/console/intake?saved={r.ticket_number}").text


def test_the_application_form_holds_the_applicants_data_and_is_audited(app, zx1):
    zx1.post("/console/intake", data=intake_form(zx1, household_monthly_income="1200"), follow_redirects=False)
    [r] = referrals(app)
    page = zx1.get(f"/console/referrals/{r.ticket_number}/print/application")
    assert page.status_code == 200
    text = page.text
    for expected in ("法律援助申请表", r.ticket_number, "陈大山", "13912345678", "镇雄县", "拖欠劳动报酬（讨薪）",
                     "镇雄县某建筑劳务公司", "包工头欠我一万二千元工资不给", "农民工（讨薪、工伤）", "<td>1200</td>",
                     "申请人签名（按指印）", "接待人：张一", "镇雄县法律援助中心", "第六十四条"):
        assert expected in text, expected
    assert '<link rel="stylesheet" href="/console/static/print.css" media="print">' in text  # extends base.html
    assert page.headers["Content-Security-Policy"].startswith("default-src 'self'")
    with app.state.session_factory() as session:
        views = session.scalar(select(func.count()).select_from(AuditEntry)
                               .where(AuditEntry.referral_id == r.id, AuditEntry.action == "view"))
    assert views == 1
    with login(app, "ld1") as other:  # another station's staff
        assert other.get(f"/console/referrals/{r.ticket_number}/print/application").status_code == 404


def _decide(app, ticket: str, refuse: bool) -> None:
    with app.state.session_factory() as session:
        user = session.scalar(select(StaffUser).where(StaffUser.username == "zx1"))
        if refuse:
            desk.refuse(session, user, ticket, "家庭收入高于经济困难标准")
        else:
            desk.accept(session, user, ticket)


def test_the_decision_letter_is_refused_before_a_decision(app, zx1):
    zx1.post("/console/intake", data=intake_form(zx1), follow_redirects=False)
    [r] = referrals(app)
    response = zx1.get(f"/console/referrals/{r.ticket_number}/print/decision")
    assert response.status_code == 409
    assert "还没有作出是否给予法律援助的决定" in response.text


def test_the_refusal_letter_carries_the_reason_and_the_art_49_notice_naming_the_bureau(app, zx1):
    zx1.post("/console/intake", data=intake_form(zx1), follow_redirects=False)
    [r] = referrals(app)
    _decide(app, r.ticket_number, refuse=True)
    page = zx1.get(f"/console/referrals/{r.ticket_number}/print/decision")
    assert page.status_code == 200
    assert "不予法律援助决定书" in page.text and "给予法律援助决定书" not in page.text.replace("不予法律援助决定书", "")
    assert "理由：家庭收入高于经济困难标准" in page.text
    assert "可以向镇雄县司法局提出" in page.text and "第四十九条" in page.text
    assert "陈大山：" in page.text and "镇雄县法律援助中心（盖章）" in page.text
    assert "打印决定书" in zx1.get(f"/console/referrals/{r.ticket_number}").text


def test_the_grant_letter_names_the_agency_and_the_three_day_assignment(app, zx1):
    zx1.post("/console/intake", data=intake_form(zx1), follow_redirects=False)
    [r] = referrals(app)
    _decide(app, r.ticket_number, refuse=False)
    page = zx1.get(f"/console/referrals/{r.ticket_number}/print/decision")
    assert page.status_code == 200
    assert "给予法律援助决定书" in page.text and "不予法律援助决定书" not in page.text
    assert "第四十三条" in page.text and "三日内指派法律援助人员" in page.text
    assert "镇雄县法律援助中心（盖章）" in page.text and "第四十九条" not in page.text
    assert "本机构已指派" not in page.text  # nobody assigned yet
    with app.state.session_factory() as session:
        row = session.scalar(select(Referral).where(Referral.id == r.id))
        row.aid_provider_name, row.aid_provider_org = "李律师", "云南某律师事务所"
        session.commit()
    page = zx1.get(f"/console/referrals/{r.ticket_number}/print/decision")
    assert "本机构已指派云南某律师事务所" in page.text and "李律师" in page.text
    with app.state.session_factory() as session:
        assert session.scalar(select(func.count()).select_from(ReferralEvent)
                              .where(ReferralEvent.referral_id == r.id, ReferralEvent.kind == "accepted")) == 1


def test_a_workstation_of_the_users_centre_takes_the_referral_without_an_error(app, zx1):
    with app.state.session_factory() as session:  # the workstation has staff: routing sends the referral there
        admin.create_user(session, None, username="wf1", display_name="吴四", password=PASSWORD, role="staff",
                          station_code="zhenxiong_wufeng")
    response = zx1.post("/console/intake", data=intake_form(zx1, township="乌峰街道"), follow_redirects=False)
    assert response.status_code == 303
    [r] = referrals(app)
    assert r.station.code == "zhenxiong_wufeng" and r.station.agency.code == "zhenxiong"
    # the county centre decides for its workstation: claimed for zx1 once the centre may see it, else waiting there
    waiting = f"/console/intake?saved={r.ticket_number}"
    assert (r.claimed_by is not None and r.claimed_by.username == "zx1") or (
        r.status.value == "new" and response.headers["location"] == waiting)
    assert [e.kind for e in r.events][:3] == ["created", "routed", "intake"]


def test_the_print_style_sheet_is_served_and_hides_the_menu_and_the_forms(app):
    with TestClient(app) as c:
        response = c.get("/console/static/print.css")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/css")
    assert "@page { size: A4" in response.text and "@media" not in response.text
    assert re.search(r"header\.top, nav, form, button[^{]*\{ display: none !important; \}", response.text)
