"""The custom menu: its definition fits WeChat's limits, every click means a message, the command installs it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.channels.wechat_menu import CLICK_MESSAGES, click_buttons, load_menu, main, message_for_click, problems
from tests.bot.channels.fake_wechat import APP_ID, APP_SECRET, FakeWeChat


def test_the_menu_fits_wechats_limits_and_every_click_has_a_message() -> None:
    menu = load_menu()
    assert problems(menu) == []
    names = [b["name"] for b in click_buttons(menu)]
    assert names == ["法律咨询", "能不能申请援助", "查询申请进度"]
    assert {b["key"] for b in click_buttons(menu)} == set(CLICK_MESSAGES)
    assert message_for_click("CAN_I_GET_LEGAL_AID") == "我能申请法律援助吗"
    assert message_for_click("CHECK_APPLICATION") == "查询申请进度"
    assert message_for_click("LEGAL_QUESTION") == "我想咨询法律问题"
    assert message_for_click("nope") is None
    assert message_for_click(None) is None


def test_problems_catches_what_wechat_would_refuse_or_cut() -> None:
    menu = {"button": [{"type": "click", "name": "能不能申请法律援助", "key": "CAN_I_GET_LEGAL_AID"},
                       {"type": "click", "name": "新按钮", "key": "UNKNOWN_KEY"},
                       {"name": "空的"}]}
    found = "; ".join(problems(menu))
    assert "能不能申请法律援助" in found
    assert "UNKNOWN_KEY" in found
    assert "空的" in found


def test_the_command_installs_the_menu(fake_wechat: FakeWeChat, capsys: pytest.CaptureFixture[str]) -> None:
    env = {"WECHAT_APP_ID": APP_ID, "WECHAT_APP_SECRET": APP_SECRET, "WECHAT_API_BASE": fake_wechat.base_url}
    assert main([], environ=env) == 0
    assert fake_wechat.menus == [load_menu()]
    assert "installed 3 click buttons" in capsys.readouterr().out


def test_the_command_says_what_is_missing(fake_wechat: FakeWeChat, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([], environ={}) == 2
    assert "WECHAT_APP_SECRET" in capsys.readouterr().err
    env = {"WECHAT_APP_ID": APP_ID, "WECHAT_APP_SECRET": "wrong", "WECHAT_API_BASE": fake_wechat.base_url}
    assert main([], environ=env) == 1
    assert "40125" in capsys.readouterr().err
    assert fake_wechat.menus == []


def test_check_prints_the_menu_and_calls_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--check"], environ={}) == 0
    assert json.loads(capsys.readouterr().out) == load_menu()
    bad = tmp_path / "menu.json"
    bad.write_text(json.dumps({"button": [{"type": "click", "name": "太长太长的名字", "key": "X"}]}), encoding="utf-8")
    assert main(["--check", "--menu", str(bad)], environ={}) == 1
