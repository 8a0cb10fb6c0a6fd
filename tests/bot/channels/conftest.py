"""Fixtures for the WeChat channel tests: a fake WeChat API server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.bot.channels.fake_wechat import APP_ID, APP_SECRET, FakeWeChat


@pytest.fixture
def fake_wechat() -> Iterator[FakeWeChat]:
    with FakeWeChat(app_id=APP_ID, app_secret=APP_SECRET) as fake:
        yield fake
