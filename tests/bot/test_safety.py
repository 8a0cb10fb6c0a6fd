"""Danger is found by rule, before the classifier: suicide, violence happening now, fraud in progress."""

from __future__ import annotations

import pytest
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.components import SafetyFlagger
from bot.safety import DANGER_NOW, FRAUD_NOW, SELF_HARM, danger_in
from bot.text import normalise


@pytest.mark.parametrize(("text", "expected"), [
    ("我不想活了", SELF_HARM),
    ("老板欠了半年工资 我真的不想活了", SELF_HARM),
    ("再要不到钱我就去跳楼", SELF_HARM),
    ("活不下去了", SELF_HARM),
    ("我想死", SELF_HARM),
    ("我不想活了 他又在打我", SELF_HARM),  # the most urgent kind first
    ("他又在打我 我躲在厕所里", DANGER_NOW),
    ("他拿着刀在外面", DANGER_NOW),
    ("他们带了几个人到我家 说不还就卸我一条腿 现在还在我家门口", DANGER_NOW),
    ("他说要打死我", DANGER_NOW),
    ("救命", DANGER_NOW),
    ("他現在正在打我", DANGER_NOW),  # traditional characters, after normalising
    ("警察说我涉嫌洗钱让我把钱转到安全账户", FRAUD_NOW),
    ("银行客服让我把验证码发给他", FRAUD_NOW),
    ("我刚刚被骗了五千", FRAUD_NOW),
    ("有人冒充我儿子说被抓了 要我打五万块钱保释金", FRAUD_NOW),
    ("我在网上借钱 平台说我银行卡号填错了账户被冻结 要先交3000解冻费才能放款", FRAUD_NOW),
    ("贷款app说要先转5000验证还款能力的流水才能下款", FRAUD_NOW),
    ("交了两千会员费才给提现", FRAUD_NOW),
    ("他们又催我了 说今天不交5000就拉黑 咋整", FRAUD_NOW),  # a citizen trial, 2026-12-07
    ("可是他们说不交的话会影响征信 还要起诉我 是真的吗", FRAUD_NOW),
    ("客服说不转保证金就上征信", FRAUD_NOW),
    # not danger now: the problem gets its own answer
    ("老公以前经常打我", None),
    ("热得想死", None),
    ("这是我的救命钱", None),
    ("我藏在柜子里的五千块被偷了", None),
    ("老板不让我走还扣工资", None),
    ("我被骗了三万块，是去年的事", None),
    ("租房交了两千押金 搬走了房东不退", None),
    ("贷款下来了 手续费扣了三千 合法吗", None),
    ("法院冻结了我卡里的钱 能申请解冻金额的一部分吗", None),
    ("网贷逾期了 他们说不还钱就上征信", None),  # repaying a real loan: the debt answer
    ("物业说不交物业费就影响征信 是真的吗", None),
    ("房东说不交房租就拉黑我", None),
    ("", None),
    (None, None),
])
def test_danger_in(text, expected):
    assert danger_in(normalise(text) if text else text) == expected


def test_flagger_puts_the_danger_first_and_keeps_the_ranking():
    ranking = [{"name": "matter_labor_wage", "confidence": 0.7}, {"name": "matter_other", "confidence": 0.1}]
    message = Message(data={TEXT: "老板欠我半年工资 我不想活了", INTENT: ranking[0], INTENT_RANKING_KEY: ranking})
    SafetyFlagger.create({}, None, None, None).process([message])
    assert message.get(INTENT) == {"name": SELF_HARM, "confidence": 1.0}
    assert [r["name"] for r in message.get(INTENT_RANKING_KEY)] == [SELF_HARM, "matter_labor_wage", "matter_other"]


def test_flagger_leaves_other_messages_alone():
    intent = {"name": "matter_labor_wage", "confidence": 0.7}
    message = Message(data={TEXT: "老板欠我半年工资", INTENT: intent, INTENT_RANKING_KEY: [intent]})
    SafetyFlagger.create({}, None, None, None).process([message])
    assert message.get(INTENT) == intent and message.get(INTENT_RANKING_KEY) == [intent]


def test_an_unsure_danger_guess_without_danger_words_gives_way():
    ranking = [{"name": FRAUD_NOW, "confidence": 0.16}, {"name": "matter_consumer", "confidence": 0.07}]
    message = Message(data={TEXT: "就是刚才说的", INTENT: ranking[0], INTENT_RANKING_KEY: ranking})
    SafetyFlagger.create({}, None, None, None).process([message])
    assert message.get(INTENT) == {"name": "matter_consumer", "confidence": 0.07}
    assert [r["name"] for r in message.get(INTENT_RANKING_KEY)] == ["matter_consumer"]


def test_a_sure_danger_guess_stands():
    intent = {"name": SELF_HARM, "confidence": 0.8}
    message = Message(data={TEXT: "活着太累了", INTENT: intent, INTENT_RANKING_KEY: [intent]})
    SafetyFlagger.create({}, None, None, None).process([message])
    assert message.get(INTENT) == intent
