"""The official account's custom menu: its definition, what each click means, and the install command.

`bot/channels/wechat_menu.json` is the menu exactly as WeChat's menu API takes it. Each click
button carries a key; the channel turns a click into the message a citizen would have typed
(`CLICK_MESSAGES`), so the bot understands it like any other message.

    python -m bot.channels.wechat_menu            # install it (WECHAT_APP_ID, WECHAT_APP_SECRET)
    python -m bot.channels.wechat_menu --check    # only check the file, print it, call nothing
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from bot.channels.wechat_api import WeChatAPI, WeChatAPIError

MENU_PATH = Path(__file__).with_name("wechat_menu.json")

# What a click says to the bot: the words a citizen would type for the same thing.
CLICK_MESSAGES: dict[str, str] = {
    "LEGAL_QUESTION": "我想咨询法律问题",
    "CAN_I_GET_LEGAL_AID": "我能申请法律援助吗",
    "CHECK_APPLICATION": "查询申请进度",
}

# WeChat's limits: 3 top-level buttons of at most 4 characters, 5 sub-buttons of at most 7
# (longer names are cut off with "..." on the phone); click keys at most 128 bytes.
MAX_TOP_BUTTONS, MAX_TOP_NAME = 3, 4
MAX_SUB_BUTTONS, MAX_SUB_NAME = 5, 7
MAX_KEY_BYTES = 128


def load_menu(path: Path = MENU_PATH) -> dict[str, Any]:
    with path.open(encoding="utf-8") as handle:
        menu: dict[str, Any] = json.load(handle)
    return menu


def click_buttons(menu: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    for button in menu.get("button", []):
        if button.get("type") == "click":
            yield button
        for sub in button.get("sub_button", []):
            if sub.get("type") == "click":
                yield sub


def problems(menu: Mapping[str, Any]) -> list[str]:
    """Everything WeChat would refuse or cut off, and click keys the channel does not know."""
    found: list[str] = []
    top = menu.get("button", [])
    if not 1 <= len(top) <= MAX_TOP_BUTTONS:
        found.append(f"{len(top)} top-level buttons (1 to {MAX_TOP_BUTTONS})")
    for button in top:
        name = button.get("name", "")
        if not name or len(name) > MAX_TOP_NAME:
            found.append(f"top-level name {name!r}: 1 to {MAX_TOP_NAME} characters")
        subs = button.get("sub_button", [])
        if len(subs) > MAX_SUB_BUTTONS:
            found.append(f"{name!r} has {len(subs)} sub-buttons (at most {MAX_SUB_BUTTONS})")
        if not subs and "type" not in button:
            found.append(f"{name!r} has neither a type nor sub-buttons")
        for sub in subs:
            sub_name = sub.get("name", "")
            if not sub_name or len(sub_name) > MAX_SUB_NAME:
                found.append(f"sub-button name {sub_name!r}: 1 to {MAX_SUB_NAME} characters")
    for button in click_buttons(menu):
        key = button.get("key", "")
        if not key or len(key.encode("utf-8")) > MAX_KEY_BYTES:
            found.append(f"click button {button.get('name')!r}: key of 1 to {MAX_KEY_BYTES} bytes")
        elif key not in CLICK_MESSAGES:
            found.append(f"click key {key!r} has no message in CLICK_MESSAGES")
    return found


def message_for_click(key: str | None) -> str | None:
    return CLICK_MESSAGES.get(key or "")


async def install(api: WeChatAPI, menu: dict[str, Any]) -> None:
    try:
        await api.create_menu(menu)
    finally:
        await api.close()


def main(argv: list[str] | None = None, environ: Mapping[str, str] = os.environ) -> int:
    parser = argparse.ArgumentParser(description="Install the WeChat official account's custom menu.")
    parser.add_argument("--menu", type=Path, default=MENU_PATH, help="menu JSON (default: %(default)s)")
    parser.add_argument("--check", action="store_true", help="check and print the menu, do not install it")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")

    menu = load_menu(args.menu)
    wrong = problems(menu)
    if wrong:
        print("wechat menu: " + "; ".join(wrong), file=sys.stderr)
        return 1
    if args.check:
        print(json.dumps(menu, ensure_ascii=False, indent=2))
        return 0
    api = WeChatAPI.from_env(environ)
    if api is None:
        print("wechat menu: set WECHAT_APP_ID and WECHAT_APP_SECRET (and WECHAT_API_BASE for a test server)",
              file=sys.stderr)
        return 2
    try:
        asyncio.run(install(api, menu))
    except WeChatAPIError as exc:
        print(f"wechat menu: not installed: {exc}", file=sys.stderr)
        return 1
    print(f"wechat menu: installed {sum(1 for _ in click_buttons(menu))} click buttons via {api.base_url}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
