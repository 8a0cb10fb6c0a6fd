"""The referral service on a free port (uvicorn in a thread, temporary SQLite) and headless Debian chromium.

Playwright drives the system's chromium through ``executable_path`` (``CHROMIUM_PATH``,
default /usr/bin/chromium); it never downloads a browser. ``make chromium`` installs it.
"""

from __future__ import annotations

import socket
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import requests
import uvicorn

from referral import admin
from referral.app import create_app
from referral.migrate import upgrade
from referral.settings import Settings
from tests.support.browser import PASSWORD, headless_chromium, sign_in
from tests.support.referrals import referral_body

TOKEN = "browser-token-" + uuid.uuid4().hex
# username -> (display name, role, station code)
USERS = {
    "admin": ("管理员甲", "admin", None),
    "zx1": ("张一", "staff", "zhenxiong"),
    "zx2": ("李二", "staff", "zhenxiong"),
    "ld1": ("王三", "staff", "ludian"),
    "zxhead": ("周主任", "staff", "zhenxiong"),  # the 镇雄县 centre's head (assigns colleagues)
    "wf1": ("吴峰", "staff", "zhenxiong_wufeng"),  # a township workstation of the 镇雄县 centre
}
HEADS = {"zxhead"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Service:
    url: str
    app: object

    def new_referral(self, **overrides: object) -> str:
        """File a referral through the real API, as the action server does."""
        response = requests.post(f"{self.url}/api/referrals", json=referral_body(**overrides), timeout=10,
                                 headers={"Authorization": f"Bearer {TOKEN}", "Idempotency-Key": uuid.uuid4().hex})
        assert response.status_code == 201, response.text
        return response.json()["ticket_number"]


@pytest.fixture(scope="session")
def service(tmp_path_factory) -> Iterator[Service]:
    database = tmp_path_factory.mktemp("browser") / "referral.db"
    url = f"sqlite:///{database}"
    upgrade(url)
    app = create_app(Settings(database_url=url, referral_api_token=TOKEN, legalaid_env="test",
                              attachments_dir=database.parent / "attachments"))
    with app.state.session_factory() as session:
        for username, (name, role, station) in USERS.items():
            admin.create_user(session, None, username=username, display_name=name, password=PASSWORD, role=role,
                              station_code=station, head=username in HEADS)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the referral service did not start")
        time.sleep(0.05)
    yield Service(url=f"http://127.0.0.1:{port}", app=app)
    server.should_exit = True
    thread.join(timeout=10)
    app.state.engine.dispose()


@pytest.fixture(scope="session")
def browser():
    yield from headless_chromium()


@pytest.fixture
def open_as(browser, service):
    """A signed-in page for a user, each in its own browser context (its own cookies)."""
    contexts = []

    def _open(username: str):
        context = browser.new_context(base_url=service.url, locale="zh-CN", accept_downloads=True)
        contexts.append(context)
        page = context.new_page()
        sign_in(page, username)
        return page

    yield _open
    for context in contexts:
        context.close()


@pytest.fixture
def anonymous_page(browser, service):
    context = browser.new_context(base_url=service.url, locale="zh-CN")
    yield context.new_page()
    context.close()
