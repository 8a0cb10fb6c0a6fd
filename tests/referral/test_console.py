"""Staff console pages through the test client (SQLite): sign-in, CSRF, permissions, headers, the desk's forms,
and the create-admin command. The same flows in a real browser are in tests/browser."""

from __future__ import annotations

import re
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from referral import admin
from referral.app import create_app
from referral.migrate import upgrade
from referral.settings import Settings
from tests.support.console import PASSWORD, csrf, login
from tests.support.referrals import TOKEN, referral_body


@pytest.fixture
def app(tmp_path):
    url = f"sqlite:///{tmp_path / 'console.db'}"
    upgrade(url)
    application = create_app(Settings(database_url=url, referral_api_token=TOKEN, legalaid_env="test"))
    with application.state.session_factory() as session:
        admin.create_user(session, None, username="admin", display_name="管理员甲", password=PASSWORD, role="admin",
                          station_code=None)
        admin.create_user(session, None, username="zx1", display_name="张一", password=PASSWORD, role="staff",
                          station_code="zhenxiong")
        admin.create_user(session, None, username="zx2", display_name="李二", password=PASSWORD, role="staff",
                          station_code="zhenxiong")
        admin.create_user(session, None, username="ld1", display_name="王三", password=PASSWORD, role="staff",
                          station_code="ludian")
    yield application
    application.state.engine.dispose()


def _client(app) -> TestClient:
    return TestClient(app, base_url="http://testserver")


@pytest.fixture
def anon(app) -> Iterator[TestClient]:
    with _client(app) as c:
        yield c






def new_referral(app, **overrides) -> str:
    with _client(app) as c:
        response = c.post("/api/referrals", json=referral_body(**overrides),
                          headers={"Authorization": f"Bearer {TOKEN}", "Idempotency-Key": uuid.uuid4().hex})
        assert response.status_code == 201, response.text
        return response.json()["ticket_number"]


@pytest.mark.parametrize("path", ["/console/", "/console/referrals/ZT-1", "/console/admin/users",
                                  "/console/admin/audit"])
def test_pages_redirect_to_login_when_signed_out(anon, path):
    response = anon.get(path, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/console/login?next=")


def test_post_redirects_to_login_when_signed_out(anon, app):
    ticket = new_referral(app)
    response = anon.post(f"/console/referrals/{ticket}/claim", data={"csrf_token": "x"}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/console/login")


def test_login_wrong_password_shows_one_chinese_message(anon):
    page = anon.get("/console/login")
    token = re.search(r'name="login_csrf" value="([^"]+)"', page.text).group(1)
    for username in ("zx1", "nobody"):
        response = anon.post("/console/login", data={"username": username, "password": "wrong-password-1",
                                                     "login_csrf": token})
        assert response.status_code == 401
        assert "用户名或密码不对" in response.text
        assert "legalaid_staff" not in response.headers.get("set-cookie", "")
        token = re.search(r'name="login_csrf" value="([^"]+)"', response.text).group(1)


def test_login_without_the_form_token_is_refused(anon):
    response = anon.post("/console/login", data={"username": "zx1", "password": PASSWORD})
    assert response.status_code == 403
    assert "登录表单已经过期" in response.text


def test_login_sets_a_strict_http_only_cookie(app):
    c = _client(app)
    page = c.get("/console/login")
    token = re.search(r'name="login_csrf" value="([^"]+)"', page.text).group(1)
    response = c.post("/console/login", data={"username": "zx1", "password": PASSWORD, "login_csrf": token,
                                              "next": "//evil.example/"}, follow_redirects=False)
    assert response.headers["location"] == "/console/"  # no open redirect
    cookie = next(v for k, v in response.headers.multi_items()
                  if k == "set-cookie" and v.startswith("legalaid_staff="))
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie.replace("Strict", "strict") and "Path=/" in cookie
    assert "Secure" not in cookie  # test environment: plain http
    queue = c.get("/console/")
    assert queue.status_code == 200 and "张一" in queue.text and "镇雄县法律援助中心" in queue.text


def test_production_cookie_is_secure(app):
    app.state.settings = app.state.settings.model_copy(update={"legalaid_env": "production"})
    c = TestClient(app, base_url="https://testserver")
    token = re.search(r'name="login_csrf" value="([^"]+)"', c.get("/console/login").text).group(1)
    response = c.post("/console/login", data={"username": "zx1", "password": PASSWORD, "login_csrf": token},
                      follow_redirects=False)
    cookie = next(v for k, v in response.headers.multi_items()
                  if k == "set-cookie" and v.startswith("legalaid_staff="))
    assert "Secure" in cookie


def test_security_headers_on_console_pages(app):
    c = login(app, "zx1")
    for path in ("/console/", "/console/login", "/console/referrals/nope"):
        response = c.get(path)
        assert response.headers["content-security-policy"].startswith("default-src 'self'")
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["referrer-policy"] == "no-referrer"
        assert response.headers["cache-control"] == "no-store"
    css = c.get("/console/static/console.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")


def test_post_without_or_with_a_wrong_csrf_token_is_refused(app):
    ticket = new_referral(app)
    c = login(app, "zx1")
    for data in ({}, {"csrf_token": "forged"}):
        response = c.post(f"/console/referrals/{ticket}/claim", data=data, follow_redirects=False)
        assert response.status_code == 403
        assert "安全校验没有通过" in response.text
    assert "待认领" in c.get(f"/console/referrals/{ticket}").text
    response = c.post("/console/logout", data={"csrf_token": "forged"}, follow_redirects=False)
    assert response.status_code == 403


@pytest.mark.parametrize("path", ["/console/admin/users", "/console/admin/stations", "/console/admin/audit",
                                  "/console/admin/stations/zhenxiong"])
def test_admin_pages_are_forbidden_for_staff(app, path):
    c = login(app, "zx1")
    response = c.get(path)
    assert response.status_code == 403
    assert "只有管理员" in response.text


def test_admin_posts_are_forbidden_for_staff(app):
    c = login(app, "zx1")
    token = csrf(c)
    response = c.post("/console/admin/users", data={"csrf_token": token, "username": "x", "display_name": "x",
                                                    "password": PASSWORD, "role": "admin"})
    assert response.status_code == 403
    response = c.post("/console/admin/stations/zhenxiong", data={"csrf_token": token, "name": "改名"})
    assert response.status_code == 403


def test_queue_claim_and_second_claimer_is_told_who_has_it(app):
    ticket = new_referral(app)
    first, second = login(app, "zx1"), login(app, "zx2")
    assert ticket in first.get("/console/").text
    response = first.post(f"/console/referrals/{ticket}/claim", data={"csrf_token": csrf(first)},
                          follow_redirects=False)
    assert response.status_code == 303
    page = first.get(response.headers["location"]).text
    assert "已认领" in page and "张一" in page
    token = csrf(second)
    response = second.post(f"/console/referrals/{ticket}/claim", data={"csrf_token": token})
    assert response.status_code == 409
    assert "这张转介单已经被张一认领了" in response.text


def test_referral_page_shows_the_application(app):
    ticket = new_referral(app, conversation=["老板欠我工资", "三个月了"])
    c = login(app, "zx1")
    page = c.get(f"/console/referrals/{ticket}").text
    for text in ("张三", "13812345678", "镇雄县", "老板拖欠我三个月工资", "镇雄县法律援助中心", "收到申请", "系统",
                 "拖欠劳动报酬"):
        assert text in page


def test_staff_see_why_a_ticket_is_urgent_on_its_page_and_in_the_queue(app):
    ticket = new_referral(app, dangers=["self_harm"], matter="criminal_defense", screening={
        "matter": "criminal_defense", "role": "criminal_suspect", "criminal_flags": ["minor"]})
    calm = new_referral(app)
    c = login(app, "zx1")
    page = c.get(f"/console/referrals/{ticket}").text
    assert "申请人说过想轻生" in page and "12356" in page and "应当通知辩护" in page
    assert "优先的原因" not in c.get(f"/console/referrals/{calm}").text  # a normal ticket has no list
    queue = c.get("/console/").text
    assert "有危险" in queue and "申请人说过想轻生" in queue  # the badge and its tooltip


def test_refuse_needs_a_reason_and_adds_the_art_49_notice(app):
    ticket = new_referral(app)
    c = login(app, "zx1")
    c.post(f"/console/referrals/{ticket}/claim", data={"csrf_token": csrf(c)})
    token = csrf(c, f"/console/referrals/{ticket}")
    page = c.get(f"/console/referrals/{ticket}").text
    assert "第四十九条" in page  # the notice shows before submitting
    response = c.post(f"/console/referrals/{ticket}/refuse", data={"csrf_token": token, "reason": "  "})
    assert response.status_code == 422
    assert "不予法律援助要写明理由" in response.text
    response = c.post(f"/console/referrals/{ticket}/refuse", data={"csrf_token": token, "reason": "收入超过标准"})
    assert response.status_code == 200 and 'id="confirm-refusal"' in response.text  # confirm first
    assert "已认领，待决定" in response.text
    response = c.post(f"/console/referrals/{ticket}/refuse",
                      data={"csrf_token": token, "reason": "收入超过标准", "confirm": "yes"})
    assert response.status_code == 200  # followed the redirect
    assert "已决定不予法律援助" in response.text
    history = response.text.split("办理记录")[1]
    assert "收入超过标准" in history and "镇雄县司法局" in history and "第四十九条" in history


def test_accept_contact_and_close(app):
    ticket = new_referral(app)
    c = login(app, "zx1")
    c.post(f"/console/referrals/{ticket}/claim", data={"csrf_token": csrf(c)})
    token = csrf(c, f"/console/referrals/{ticket}")
    page = c.post(f"/console/referrals/{ticket}/contact", data={"csrf_token": token, "result": "reached",
                                                                "note": "约好周一来"}).text
    assert "联系上了：约好周一来" in page
    page = c.post(f"/console/referrals/{ticket}/accept", data={"csrf_token": token, "note": ""}).text
    assert "已决定给予法律援助" in page
    page = c.post(f"/console/referrals/{ticket}/close", data={"csrf_token": token, "note": ""}).text
    assert "已结案" in page


def test_transfer_moves_the_referral_to_the_other_station(app):
    ticket = new_referral(app)
    zx, ld = login(app, "zx1"), login(app, "ld1")
    zx.post(f"/console/referrals/{ticket}/claim", data={"csrf_token": csrf(zx)})
    response = zx.post(f"/console/referrals/{ticket}/transfer",
                       data={"csrf_token": csrf(zx), "station": "ludian", "reason": "申请人住在鲁甸县"})
    assert response.status_code == 200 and "已转交" in response.text
    assert ticket not in zx.get("/console/").text
    assert ticket in ld.get("/console/").text


def test_another_stations_referral_is_a_404_without_personal_data(app):
    ticket = new_referral(app)
    c = login(app, "ld1")
    response = c.get(f"/console/referrals/{ticket}")
    assert response.status_code == 404
    assert "没有这张转介单" in response.text
    for text in ("张三", "13812345678", "拖欠"):
        assert text not in response.text
    assert c.get("/console/referrals/ZX-NOPE").status_code == 404
    assert c.post(f"/console/referrals/{ticket}/claim", data={"csrf_token": csrf(c)}).status_code == 404


def test_queue_filters(app):
    ticket = new_referral(app, matter="divorce")
    c = login(app, "zx1")
    assert ticket in c.get("/console/?matter=divorce").text
    assert ticket not in c.get("/console/?matter=labor_wage").text
    assert ticket not in c.get("/console/?status=closed").text
    assert c.get("/console/?status=bogus").status_code == 422


def test_admin_creates_a_user_resets_a_password_and_deactivates(app):
    c = login(app, "admin")
    token = csrf(c, "/console/admin/users")
    page = c.post("/console/admin/users", data={"csrf_token": token, "username": "zx3", "display_name": "赵四",
                                                "password": "short", "role": "staff", "station": "zhenxiong"})
    assert page.status_code == 422 and "密码至少要 10 个字符" in page.text
    page = c.post("/console/admin/users", data={"csrf_token": token, "username": "zx3", "display_name": "赵四",
                                                "password": PASSWORD, "role": "staff", "station": "zhenxiong"})
    assert page.status_code == 200 and "赵四" in page.text and "账号已建好" in page.text
    page = c.post("/console/admin/users", data={"csrf_token": token, "username": "zx3", "display_name": "赵四",
                                                "password": PASSWORD, "role": "staff", "station": "zhenxiong"})
    assert "已经有人用了" in page.text
    zx3 = login(app, "zx3")
    with app.state.session_factory() as session:
        user_id = next(u.id for u in admin.users(session) if u.username == "zx3")
    page = c.post(f"/console/admin/users/{user_id}/password", data={"csrf_token": token,
                                                                    "password": "another-password-2"})
    assert "密码已重设" in page.text
    assert zx3.get("/console/", follow_redirects=False).status_code == 303  # signed out everywhere
    page = c.post(f"/console/admin/users/{user_id}/active", data={"csrf_token": token, "active": "0"})
    assert "账号已停用" in page.text


def test_admin_edits_a_station(app):
    c = login(app, "admin")
    token = csrf(c, "/console/admin/stations")
    page = c.post("/console/admin/stations/zhenxiong", data={
        "csrf_token": token, "name": "镇雄县法律援助中心（新址）", "phone": "0870-1234567", "regions": ["镇雄县"],
        "townships": "", "active": "1", "justice_bureau": "镇雄县司法局"})
    assert page.status_code == 200 and "镇雄县法律援助中心（新址）" in page.text
    page = c.post("/console/admin/stations/zhenxiong", data={"csrf_token": token, "name": "x",
                                                             "regions": ["火星县"], "active": "1"})
    assert page.status_code == 422 and "没有这些县区" in page.text
    page = c.post("/console/admin/stations", data={
        "csrf_token": token, "code": "zhenxiong_new", "kind": "workstation", "parent": "zhenxiong",
        "name": "镇雄县某街道工作站", "regions": ["镇雄县"], "active": "1"})
    assert page.status_code == 200 and "站点已添加" in page.text


def test_audit_trail_lists_views_newest_first_and_filters(app):
    ticket = new_referral(app)
    zx = login(app, "zx1")
    zx.get(f"/console/referrals/{ticket}")
    c = login(app, "admin")
    page = c.get(f"/console/admin/audit?ticket={ticket}&action=view").text
    assert "查看转介单" in page and "张一" in page and "testclient" in page
    assert "共 1 条" in page
    login(app, "ld1").get(f"/console/referrals/{ticket}")  # another station's staff typing the number
    page = c.get(f"/console/admin/audit?ticket={ticket}").text
    assert "查看被拒绝" in page and "王三" in page


CLI = [sys.executable, "-m", "referral"]
ROOT = Path(__file__).resolve().parents[2]


def test_create_admin_command(tmp_path):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    env = {"DATABASE_URL": url, "PATH": "/usr/bin:/bin"}

    def cli(*args: str, stdin: str = "long-enough-password\n") -> subprocess.CompletedProcess[str]:
        # the exit status is part of what each call checks
        return subprocess.run([*CLI, *args], input=stdin, capture_output=True, text=True, env=env, cwd=ROOT,
                              check=False)

    no_tables = cli("create-admin", "--username", "boss", "--display-name", "局长", "--password-stdin")
    assert no_tables.returncode == 1 and "migrate" in no_tables.stderr
    upgrade(url)
    short = cli("create-admin", "--username", "boss", "--display-name", "局长", "--password-stdin", stdin="short\n")
    assert short.returncode == 1 and "密码至少要 10 个字符" in short.stderr
    ok = cli("create-admin", "--username", "boss", "--display-name", "局长", "--password-stdin")
    assert ok.returncode == 0, ok.stderr
    assert "boss" in ok.stdout
    taken = cli("create-admin", "--username", "boss", "--display-name", "局长", "--password-stdin")
    assert taken.returncode == 1 and "已经有人用了" in taken.stderr
    staff = cli("create-user", "--username", "zx", "--display-name", "张一", "--station", "zhenxiong",
                "--password-stdin")
    assert staff.returncode == 0 and "镇雄县法律援助中心" in staff.stdout
    no_tty = cli("create-admin", "--username", "b2", "--display-name", "乙", stdin="")
    assert no_tty.returncode == 1 and "--password-stdin" in no_tty.stderr
    from sqlalchemy import create_engine, select
    from sqlalchemy.orm import Session

    from referral.models import Role, StaffUser
    from referral.staff_auth import authenticate

    engine = create_engine(url)
    with Session(engine) as session:
        user = authenticate(session, "boss", "long-enough-password")
        assert user.role == Role.admin and user.station_id is None
        assert session.scalar(select(StaffUser).where(StaffUser.username == "zx")).station.code == "zhenxiong"
    engine.dispose()


def test_statistics_page_counts_and_charts(app):
    tickets = [new_referral(app), new_referral(app, matter="divorce")]
    c = login(app, "zx1")
    page = c.get("/console/statistics")
    assert page.status_code == 200
    assert re.search(r'id="fig-total">2<', page.text)
    assert 'role="img"' in page.text and "婚姻家庭 1 件" in page.text  # the chart's accessible name
    assert "按站点" not in page.text  # a station's staff see their own station only
    assert tickets[0] not in page.text
    assert c.get("/console/statistics?month=2026-13").status_code == 422
    other = c.get("/console/statistics?month=2020-01")
    assert re.search(r'id="fig-total">0<', other.text)
    assert "按站点" in login(app, "admin").get("/console/statistics").text


def test_exports_download_and_are_audited(app):
    ticket = new_referral(app)
    c = login(app, "zx1")
    response = c.get("/console/export/referrals.csv?status=all")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    assert ticket in response.text
    assert response.headers["cache-control"] == "no-store"
    response = c.get("/console/export/referrals.xlsx?matter=labor_wage")
    assert response.content[:2] == b"PK"
    assert ticket not in c.get("/console/export/referrals.csv?status=closed").text
    assert c.get("/console/export/report.csv?month=2026-11").status_code == 200
    assert c.get("/console/export/report.xlsx").content[:2] == b"PK"
    assert login(app, "ld1").get("/console/export/referrals.csv?status=all").text.count("\n") == 1  # header only
    page = login(app, "admin").get("/console/admin/audit?action=export").text
    assert "转介单清单（CSV），1 张" in page and "转介单清单（Excel），1 张" in page
    assert "转介单清单（CSV），0 张" in page
    assert "referrals.csv" not in page  # the audit page shows no raw codes


def test_exports_need_a_sign_in(anon):
    for path in ("/console/export/referrals.csv", "/console/export/report.xlsx", "/console/statistics"):
        response = anon.get(path, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"].startswith("/console/login")


def test_admins_are_warned_about_referrals_at_a_station_nobody_works_at(app):
    from sqlalchemy import select

    from referral.models import StaffUser

    new_referral(app, region="鲁甸县")
    admin_page = login(app, "admin")
    assert 'id="unstaffed"' not in admin_page.get("/console/").text
    with app.state.session_factory() as session:
        user_id = session.scalar(select(StaffUser.id).where(StaffUser.username == "ld1"))
    response = admin_page.post(f"/console/admin/users/{user_id}/active",
                               data={"csrf_token": csrf(admin_page, "/console/admin/users"), "active": "0"},
                               follow_redirects=False)
    assert response.status_code == 303
    page = admin_page.get("/console/").text
    assert 'id="unstaffed"' in page and "鲁甸县法律援助中心" in page and "1 张" in page
    assert 'id="unstaffed"' not in login(app, "zx1").get("/console/").text


def test_the_queue_finds_a_referral_by_name_phone_or_number(app):
    wanted = new_referral(app, applicant_name="陈小红", applicant_phone="13611112222")
    other = new_referral(app, applicant_name="周大山", applicant_phone="13633334444")
    page = login(app, "zx1")
    for term in ("小红", "1111", wanted.lower()):
        text = page.get("/console/", params={"q": term}).text
        assert wanted in text and other not in text, term


def test_the_audit_trail_pages_through_long_lists(app):
    ticket = new_referral(app)
    staff = login(app, "zx1")
    for _ in range(55):  # 55 views, plus the sign-ins: more than one page of 50
        staff.get(f"/console/referrals/{ticket}")
    page = login(app, "admin").get("/console/admin/audit", params={"ticket": ticket})
    assert "第 1 / 2 页" in page.text and "page=2" in page.text and "上一页" not in page.text
    second = login(app, "admin").get("/console/admin/audit", params={"ticket": ticket, "page": 2})
    assert "第 2 / 2 页" in second.text and "page=1" in second.text
