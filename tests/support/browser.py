"""The browser tests' shared parts: Debian's chromium through Playwright, the console's test
accounts' password and signing in."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

# Playwright drives the system's chromium (never a downloaded browser); `make chromium` installs it.
CHROMIUM = os.environ.get("CHROMIUM_PATH") or "/usr/bin/chromium"

PASSWORD = "browser-test-password"  # every test account's


def sign_in(page, username: str, password: str = PASSWORD) -> None:
    page.goto("/console/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(re.compile(r"/console/$"))


def headless_chromium() -> Iterator:
    """A headless Chromium for a fixture to yield (closed afterwards); fails clearly when it is missing."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"no Chromium at {CHROMIUM}: run `make chromium` (Debian's chromium) or set CHROMIUM_PATH")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        yield browser
        browser.close()
