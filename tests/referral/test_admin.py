"""Administrators' pages and rules on SQLite and PostgreSQL: centre heads, the new-account form's defaults and
refusals, deactivation through a confirmation page, station edits in words, the audit trail without raw codes,
and create-admin with the password from a pipe."""

from __future__ import annotations

import ast
import html
import os
import re
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from referral import admin, desk
from referral.models import AuditEntry, Referral, ReferralEvent, ReferralStatus, StaffUser, Station
from referral.rules.city import city_config
from referral.staff_auth import authenticate
from tests.support.console import PASSWORD, login
from tests.support.referrals import TOKEN, referral_body

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def app(client: TestClient):
    """The application of the conftest's client, with an administrator and two staff members."""
    application = client.app
    with application.state.session_factory() as session:
        admin.create_user(session, None, username="admin", display_name="管理员甲", password=PASSWORD, role="admin",
                          station_code=None)
        admin.create_user(session, None, username="zx1", display_name="张一", password=PASSWORD, role="staff",
                          station_code="zhenxiong")
        admin.create_user(session, None, username="wf1", display_name="吴五", password=PASSWORD, role="staff",
                          station_code="zhenxiong_wufeng")
    return application




def csrf(c: TestClient, path: str = "/console/admin/users") -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', c.get(path).text).group(1)


def user_named(session: Session, username: str) -> StaffUser:
    return session.scalar(select(StaffUser).where(StaffUser.username == username))


def audit_rows(session: Session, action: str | None = None) -> list[AuditEntry]:
    query = select(AuditEntry).order_by(AuditEntry.id)
    if action:
        query = query.where(AuditEntry.action == action)
    return list(session.scalars(query).all())


def new_referral(app) -> str:
    c = TestClient(app)
    response = c.post("/api/referrals", json=referral_body(),
                      headers={"Authorization": f"Bearer {TOKEN}", "Idempotency-Key": uuid.uuid4().hex})
    assert response.status_code == 201, response.text
    return response.json()["ticket_number"]


def table_text(page: str) -> str:
    """The visible text of a page's table body (no tags, no attribute values)."""
    body = page[page.index("<tbody>"):page.index("</tbody>")]
    return html.unescape(re.sub(r"<[^>]+>", " ", body))


# --- centre heads ---------------------------------------------------------------------------------------------

def test_only_a_legal_aid_centres_staff_can_be_its_head(app):
    with app.state.session_factory() as session:
        boss = admin.create_user(session, None, username="zxhead", display_name="镇雄主任", password=PASSWORD,
                                 role="staff", station_code="zhenxiong", head=True)
        assert boss.head is True
        (created,) = [a for a in audit_rows(session, "user_create") if "zxhead" in (a.detail or "")]
        assert "中心负责人" in created.detail and "镇雄县法律援助中心" in created.detail
        for role, station in (("staff", "zhenxiong_wufeng"), ("staff", "women_children"), ("admin", None),
                              ("operator", None)):
            with pytest.raises(admin.AdminError, match="只有市或县区法律援助中心的工作人员"):
                admin.create_user(session, None, username=f"x{role}{station}"[:30], display_name="某人",
                                  password=PASSWORD, role=role, station_code=station, head=True)
        assert session.scalar(select(func.count()).select_from(StaffUser)) == 4  # nothing more was created

        me = user_named(session, "admin")
        zx1, wf1 = user_named(session, "zx1"), user_named(session, "wf1")
        admin.set_head(session, me, zx1.id, True)
        admin.set_head(session, me, zx1.id, True)  # already a head: nothing to record
        assert user_named(session, "zx1").head is True
        admin.set_head(session, me, zx1.id, False)
        assert user_named(session, "zx1").head is False
        assert [a.detail for a in audit_rows(session, "user_head_on")] == ["账号 zx1"]
        assert [a.detail for a in audit_rows(session, "user_head_off")] == ["账号 zx1"]
        assert audit_rows(session, "user_head_on")[0].user_id == me.id
        for refused in (wf1.id, me.id):
            with pytest.raises(admin.AdminError, match="只有市或县区法律援助中心的工作人员"):
                admin.set_head(session, me, refused, True)
        assert not user_named(session, "wf1").head and not user_named(session, "admin").head


def test_the_accounts_page_marks_and_unmarks_a_head(app):
    c = login(app, "admin")
    token = csrf(c)
    with app.state.session_factory() as session:
        zx1, wf1 = user_named(session, "zx1").id, user_named(session, "wf1").id
    page = c.get("/console/admin/users").text
    assert f'action="/console/admin/users/{zx1}/head"' in page  # a centre's staff member: the toggle
    assert f'action="/console/admin/users/{wf1}/head"' not in page  # a workstation's: none
    response = c.post(f"/console/admin/users/{zx1}/head", data={"csrf_token": token, "head": "1"},
                      follow_redirects=False)
    assert response.status_code == 303
    page = c.get(response.headers["location"]).text
    assert "已设为中心负责人" in page
    row = re.search(r"<tr>\s*<td>张一.*?</tr>", page, re.S).group(0)
    assert "负责人" in row and "取消负责人" in row
    refused = c.post(f"/console/admin/users/{wf1}/head", data={"csrf_token": token, "head": "1"})
    assert refused.status_code == 422 and "只有市或县区法律援助中心的工作人员" in refused.text
    created = c.post("/console/admin/users", data={
        "csrf_token": token, "username": "ldhead", "display_name": "鲁甸主任", "password": PASSWORD, "role": "staff",
        "station": "ludian", "head": "1"}, follow_redirects=False)
    assert created.status_code == 303
    with app.state.session_factory() as session:
        assert user_named(session, "ldhead").head is True
    assert login(app, "zx1").post(f"/console/admin/users/{zx1}/head",
                                  data={"csrf_token": token, "head": "0"}).status_code == 403


# --- the new-account form -------------------------------------------------------------------------------------

def test_the_new_account_form_defaults_to_a_staff_member_with_a_station(app):
    page = login(app, "admin").get("/console/admin/users").text
    role = re.search(r'<select id="new-role".*?</select>', page, re.S).group(0)
    station = re.search(r'<select id="new-station".*?</select>', page, re.S).group(0)
    assert re.findall(r'<option value="(\w*)"[^>]* selected>', role) == ["staff"]
    assert re.findall(r'<option value="(\w*)"[^>]* selected>', station) == ["city"]  # a station, not 不属于站点
    assert "管理员和热线话务员不属于站点" in page


@pytest.mark.parametrize(("role", "station", "message"), [
    ("staff", "", "工作人员要选一个站点"),
    ("admin", "zhenxiong", "管理员不属于站点"),
    ("operator", "city", "热线话务员不属于站点"),
])
def test_the_server_refuses_a_role_and_station_that_disagree(app, role, station, message):
    c = login(app, "admin")
    page = c.post("/console/admin/users", data={"csrf_token": csrf(c), "username": "newbie", "display_name": "新人",
                                                "password": PASSWORD, "role": role, "station": station})
    assert page.status_code == 422 and message in page.text
    assert 'value="newbie"' in page.text  # what was typed comes back
    assert re.search(rf'<option value="{role}" selected>', page.text)
    with app.state.session_factory() as session:
        assert user_named(session, "newbie") is None
        with pytest.raises(admin.AdminError, match=message):
            admin.create_user(session, None, username="newbie", display_name="新人", password=PASSWORD, role=role,
                              station_code=station or None)


def test_an_administrator_and_an_operator_without_a_station_are_created(app):
    c = login(app, "admin")
    token = csrf(c)
    for username, role in (("boss2", "admin"), ("op1", "operator")):
        response = c.post("/console/admin/users", data={"csrf_token": token, "username": username,
                                                         "display_name": "某人", "password": PASSWORD, "role": role,
                                                         "station": ""}, follow_redirects=False)
        assert response.status_code == 303, response.text
    with app.state.session_factory() as session:
        assert user_named(session, "boss2").station_id is None and user_named(session, "op1").station_id is None


# --- deactivation asks first ----------------------------------------------------------------------------------

def test_deactivation_shows_a_confirmation_page_then_the_post_does_it(app):
    ticket, other = new_referral(app), new_referral(app)
    with app.state.session_factory() as session:
        zx1 = user_named(session, "zx1")
        desk.claim(session, zx1, ticket)
        desk.claim(session, zx1, other)
        desk.accept(session, zx1, other)  # decided: it stays with zx1
        zx1_id = zx1.id
    staff = login(app, "zx1")
    c = login(app, "admin")
    users_page = c.get("/console/admin/users").text
    assert f'href="/console/admin/users/{zx1_id}/deactivate"' in users_page
    assert not re.search(rf'action="/console/admin/users/{zx1_id}/active".*?name="active" value="0"', users_page, re.S)

    page = c.get(f"/console/admin/users/{zx1_id}/deactivate")
    assert page.status_code == 200
    assert "张一（zx1）" in page.text and "确认停用" in page.text and 'href="/console/admin/users"' in page.text
    assert re.search(r'id="held">1<', page.text) and "退出登录" in page.text
    with app.state.session_factory() as session:  # the GET changed nothing
        assert user_named(session, "zx1").active
        assert session.scalar(select(Referral.status).where(Referral.ticket_number == ticket)) \
            == ReferralStatus.claimed
        rows_before = len(audit_rows(session))
    assert staff.get("/console/", follow_redirects=False).status_code == 200

    response = c.post(f"/console/admin/users/{zx1_id}/active", data={"csrf_token": csrf(c), "active": "0"},
                      follow_redirects=False)
    assert response.status_code == 303 and "deactivated" in response.headers["location"]
    assert staff.get("/console/", follow_redirects=False).status_code == 303  # signed out
    with app.state.session_factory() as session:
        assert not user_named(session, "zx1").active
        back = session.scalar(select(Referral).where(Referral.ticket_number == ticket))
        assert back.status == ReferralStatus.new and back.claimed_by_id is None
        kept = session.scalar(select(Referral).where(Referral.ticket_number == other))
        assert kept.status == ReferralStatus.accepted and kept.claimed_by_id == zx1_id
        released = session.scalars(select(ReferralEvent).where(ReferralEvent.referral_id == back.id,
                                                               ReferralEvent.kind == "released")).all()
        assert len(released) == 1 and "张一" in released[0].note
        new_rows = audit_rows(session)[rows_before:]
        assert [(a.action, a.detail) for a in new_rows] == [
            ("user_deactivate", "账号 zx1；1 张未作决定的转介单放回待认领")]  # one row for the one step
    page = c.get(f"/console/admin/users/{zx1_id}/deactivate").text
    assert "已经停用" in page and "确认停用" not in page


def test_an_administrator_cannot_deactivate_themselves_or_a_missing_account(app):
    c = login(app, "admin")
    with app.state.session_factory() as session:
        me = user_named(session, "admin").id
    page = c.get(f"/console/admin/users/{me}/deactivate").text
    assert "不能停用自己的账号" in page and "确认停用" not in page
    assert c.get("/console/admin/users/9999/deactivate").status_code == 404


# --- station edits in words -----------------------------------------------------------------------------------

def test_a_station_edit_says_what_changed_in_one_row(app):
    with app.state.session_factory() as session:
        me = user_named(session, "admin")
        station = session.scalar(select(Station).where(Station.code == "zhenxiong"))
        station.phone = "0870-1"
        session.commit()
        before = len(audit_rows(session))
        form = admin.StationForm(name="镇雄县法律援助中心", phone="0870-2", regions=("镇雄县",), active=False,
                                 groups=("elderly",))
        admin.update_station(session, me, "zhenxiong", form)
        rows = audit_rows(session)[before:]
        assert [(a.action, a.detail) for a in rows] == [
            ("station_update", "镇雄县法律援助中心：电话：0870-1 → 0870-2；人群：加上老年人；停用")]
        admin.update_station(session, me, "zhenxiong", form)
        assert audit_rows(session)[-1].detail == "镇雄县法律援助中心：没有改动"
        towns = tuple(t for r in city_config().regions if r.name == "镇雄县" for t in r.townships)
        admin.update_station(session, me, "zhenxiong", admin.StationForm(
            name="镇雄县法律援助中心（新址）", regions=("镇雄县",), townships=towns, active=True))
        detail = audit_rows(session)[-1].detail
        assert len(detail) <= 200
        assert detail.startswith("镇雄县法律援助中心：名称：镇雄县法律援助中心 → 镇雄县法律援助中心（新址）；"
                                 "电话：0870-2 → （空）；乡镇（街道）：加上乌峰街道、")
        assert detail.endswith("；人群：去掉老年人；恢复使用")
        admin.update_station(session, me, "yiliang", admin.StationForm(name="彝良县法律援助中心", all_regions=True))
        assert audit_rows(session)[-1].detail == "彝良县法律援助中心：县区：彝良县 → 全市所有县区"


def test_the_audit_page_shows_a_station_edit_and_creation_in_words(app):
    c = login(app, "admin")
    token = csrf(c, "/console/admin/stations")
    c.post("/console/admin/stations/ludian", data={"csrf_token": token, "name": "鲁甸县法律援助中心",
                                                   "phone": "0870-5123456", "regions": ["鲁甸县"], "active": "1"})
    c.post("/console/admin/stations", data={"csrf_token": token, "code": "ludian_new", "kind": "workstation",
                                            "parent": "ludian", "name": "鲁甸县某镇工作站", "regions": ["鲁甸县"],
                                            "active": "1"})
    text = table_text(c.get("/console/admin/audit").text)
    assert "修改站点" in text and "鲁甸县法律援助中心：电话：（空） → 0870-5123456" in text
    assert "添加站点" in text and "鲁甸县某镇工作站（乡镇（街道）工作站）" in text
    assert "station=" not in text and "ludian" not in text


def test_a_long_station_change_is_cut_to_fit_the_audit_row():
    before = {"name": "某站", "phone": "", "regions": None, "townships": [], "groups": [], "active": True,
              "justice_bureau": ""}
    after = {**before, "townships": [f"第{i}号很长很长的乡镇" for i in range(40)]}
    detail = admin.station_changes(before, after)
    assert len(detail) == 200 and detail.endswith("…")
    assert detail.startswith("某站：乡镇（街道）：加上第0号很长很长的乡镇、")


# --- the audit trail in plain Chinese ---------------------------------------------------------------------------

AUDIT_CALLS = {"audit": 2, "_record": 2}  # function name -> position of the action argument


def _codes(node: ast.expr, where: str) -> list[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        return _codes(node.body, where) + _codes(node.orelse, where)
    raise AssertionError(f"{where}: write the audit action as a string literal so its label can be checked")


def action_codes_in_source() -> dict[str, str]:
    """Every audit action code written in referral/ -> where (audit(...), staff_auth._record(...), AuditEntry(...))."""
    found: dict[str, str] = {}
    for path in sorted((ROOT / "referral").rglob("*.py")):
        if "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        # inside the writers themselves the action is their parameter
        writers = {id(n) for f in ast.walk(tree) if isinstance(f, ast.FunctionDef) and f.name in AUDIT_CALLS
                   for n in ast.walk(f)}
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or id(node) in writers:
                continue
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if name not in {*AUDIT_CALLS, "AuditEntry"}:
                continue
            where = f"{path.relative_to(ROOT)}:{node.lineno}"
            args: list[ast.expr] = [k.value for k in node.keywords if k.arg == "action"]
            if name in AUDIT_CALLS and len(node.args) > AUDIT_CALLS[name]:
                position = node.args[AUDIT_CALLS[name]]
                if name == "_record" and not isinstance(position, (ast.Constant, ast.IfExp)):
                    continue  # referral.hotline._record(session, call, user, ...) is not the audit trail
                args.append(position)
            for arg in args:
                for code in _codes(arg, where):
                    found[code] = where
    return found


def test_every_audit_action_in_the_code_has_a_label():
    codes = action_codes_in_source()
    assert {"view", "view_denied", "login_failed", "user_deactivate", "user_head_on", "station_update",
            "citizen_status"} <= set(codes)  # the walk finds calls of each form
    missing = {code: where for code, where in codes.items() if code not in admin.AUDIT_ACTIONS}
    assert missing == {}, f"give these audit actions a label in referral.admin.AUDIT_ACTIONS: {missing}"
    planned = {"intake": "窗口或电话登记申请", "assign": "指定经办人", "aid_assigned": "指派法律援助人员",
               "clock_paused": "暂停决定期限", "clock_resumed": "恢复决定期限", "extend": "延长决定期限",
               "opposing_party": "记录对方当事人", "case_note": "写案卷备注", "upload_document": "上传案卷材料",
               "view_document": "查看案卷材料", "materials": "更新材料清单"}
    assert {code: admin.AUDIT_ACTIONS.get(code) for code in planned} == planned
    for label in admin.AUDIT_ACTIONS.values():
        assert re.search(r"[\u4e00-\u9fff]", label) and not re.search(r"[A-Za-z]", label), label


LEGACY_DETAILS = ["accepted", "refused", "reached", "no_answer", "locked for 15 minutes", "account disabled",
                  "unknown user 某人", "unknown user", "station=zhenxiong", "n=3", "referrals.csv n=1",
                  "referrals.xlsx n=0", "report.xlsx 2026-11", "attachment 7", "note 4", "document 3 id_card",
                  "document 5", "received 2, unticked 1", "withdrawn", "counter", "phone"]


def test_the_audit_page_shows_no_raw_codes(app):
    with app.state.session_factory() as session:
        me = user_named(session, "admin")
        actions = [*admin.AUDIT_ACTIONS, "some_future_code"]
        details = LEGACY_DETAILS + [None] * (len(actions) - len(LEGACY_DETAILS))
        for action, detail in zip(actions, details, strict=True):
            desk.audit(session, me if action != "citizen_status" else None, action, detail=detail, client="10.0.0.1")
        session.commit()
    c = login(app, "admin")
    text = ""
    for page_number in (1, 2):
        text += table_text(c.get("/console/admin/audit", params={"page": page_number}).text)
    allowed = {"admin", "zx1", "wf1", "CSV", "Excel", "testclient"}  # user names, formats, the client
    words = set(re.findall(r"[A-Za-z_]{2,}[A-Za-z0-9_]*", text)) - allowed
    assert words == set(), words
    assert "其他操作" in text and "查看案卷材料" in text and "没有这个用户名：某人" in text
    assert "转介单清单（CSV），1 张" in text and "第 3 号材料（身份证）" in text and "镇雄县法律援助中心" in text
    assert "群众（查询进度）" in text
    form = c.get("/console/admin/audit").text
    options = re.search(r'<select id="a-action".*?</select>', form, re.S).group(0)
    assert "设为中心负责人" in options and ">user_head_on<" not in options
    filtered = table_text(c.get("/console/admin/audit", params={"action": "user_head_on"}).text)
    assert "设为中心负责人" in filtered and "查看转介单" not in filtered


@pytest.mark.parametrize("detail", LEGACY_DETAILS)
def test_each_stored_detail_code_reads_as_chinese(detail):
    words = admin.detail_in_words(detail, {"zhenxiong": "镇雄县法律援助中心"})
    assert re.search(r"[\u4e00-\u9fff]", words), words
    assert not re.search(r"[a-z]{2,}", words.replace("Excel", "")), words


# --- create-admin from a pipe ------------------------------------------------------------------------------------

def test_create_admin_reads_the_password_from_a_pipe(database_url):
    env = {**os.environ, "DATABASE_URL": database_url}
    command = f"{sys.executable} -m referral create-admin --username a --display-name 管理员 --password-stdin"

    def piped(line: str) -> subprocess.CompletedProcess[str]:
        # a real shell pipe, as the README shows it; the exit status is part of what each call checks
        return subprocess.run(["sh", "-c", f"printf '{line}' | {command}"], capture_output=True, text=True,
                              env=env, cwd=ROOT, check=False)

    short = piped("pw\\n")
    assert short.returncode == 1
    assert "密码至少要 10 个字符，读到的只有 2 个" in short.stderr and "Traceback" not in short.stderr
    empty = piped("")
    assert empty.returncode == 1 and "标准输入里没有密码" in empty.stderr
    ok = piped("a-long-password-1\\r\\n")  # a line typed on Windows too
    assert ok.returncode == 0, ok.stderr
    assert "已创建管理员 a（管理员）" in ok.stdout
    engine = create_engine(database_url)
    try:
        with Session(engine) as session:
            user = authenticate(session, "a", "a-long-password-1")
            assert user.is_admin and user.station_id is None and not user.head
            assert session.scalar(select(AuditEntry.detail).where(AuditEntry.action == "user_create")) \
                == "账号 a，管理员"
    finally:
        engine.dispose()
