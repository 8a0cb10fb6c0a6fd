"""The citizen checks an application through the REST channel: the ticket made in the same
conversation or typed by the citizen, the last four phone digits, the service's plain answer."""

from __future__ import annotations

from sqlalchemy import create_engine, select

from referral.models import Referral
from tests.support.chat import TICKET, joined, sender


def apply(assistant, me: str) -> str:
    assistant.say(me, "老板拖欠我三个月工资怎么办")
    assistant.say(me, "我要申请法律援助")
    assistant.say(me, "同意")
    assistant.say(me, "我叫张三")
    assistant.say(me, "13812345678")
    assistant.say(me, "镇雄县泼机镇")
    assistant.say(me, "在工地干了三个月，老板一分钱没给")
    match = TICKET.search(joined(assistant.say(me, "对")))
    assert match
    return match.group()


def test_status_after_applying_and_with_wrong_digits(assistant, request):
    me = sender()
    number = apply(assistant, me)
    sqlite = assistant.log_dir.parent / "var" / "referral.db"
    assert sqlite.exists() == ("sqlite" in request.node.name)
    if sqlite.exists():  # the SQLite stack: what the application carried besides its fields
        engine = create_engine(f"sqlite:///{sqlite}")
        with engine.connect() as conn:
            row = conn.execute(select(Referral.township, Referral.conversation)
                               .where(Referral.ticket_number == number)).one()
        engine.dispose()
        assert row.township == "泼机镇"
        assert row.conversation == ["老板拖欠我三个月工资怎么办", "我要申请法律援助"]

    ask = joined(assistant.say(me, "我的申请到哪一步了"))
    assert number in ask and "最后4位" in ask  # the ticket of this conversation: not asked again
    reply = joined(assistant.say(me, "5678"))
    assert number in reply and "已经收到，正在等工作人员处理" in reply and "7个工作日内" in reply
    slots = assistant.tracker(me)["slots"]
    assert slots["status_phone_last4"] is None and slots["status_ticket"] is None

    assistant.say(me, "查一下进度")
    assert joined(assistant.say(me, "0000")) == "没有查到。请核对受理编号和手机号后四位。"
    assert assistant.tracker(me)["slots"]["status_phone_last4"] is None

    # after the application, a correction is explained, not asked in a form
    fix = joined(assistant.say(me, "我电话号码写错了"))
    assert number in fix and "12348" in fix

    # another citizen with the number typed in lower case, asked for it
    other = sender()
    assert "受理编号" in joined(assistant.say(other, "我申请的法律援助怎么样了"))
    assert "最后4位" in joined(assistant.say(other, number.lower().replace("-", " ")))
    assert joined(assistant.say(other, "1234")) == "没有查到。请核对受理编号和手机号后四位。"
    assert "已经收到" in joined(assistant.say(other, f"受理编号{number}查进度") + assistant.say(other, "5678"))
