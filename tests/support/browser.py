"""The console's browser tests: the test accounts' password and signing in."""

from __future__ import annotations

import re

PASSWORD = "browser-test-password"  # every test account's


def sign_in(page, username: str, password: str = PASSWORD) -> None:
    page.goto("/console/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(re.compile(r"/console/$"))
