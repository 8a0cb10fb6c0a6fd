"""The eligibility pre-screen through the real stack: each outcome, the detours, and a
referral that carries the screening (decision, priority, deadline) to staff."""

from __future__ import annotations

import datetime as dt

from tests.support.chat import TICKET, joined, sender


def talk(assistant, me: str, *messages: str) -> str:
    """Send the messages in turn; return the reply to the last one."""
    reply = ""
    for message in messages:
        reply = joined(assistant.say(me, message))
    return reply


def apply_with(assistant, me: str, description: str = "在工地干了三个月，老板一分钱没给") -> str:
    """Accept the offer to apply and complete the referral form; return the ticket number."""
    assert "同意" in talk(assistant, me, "要")
    talk(assistant, me, "同意", "王建国", "13812345678", "镇雄县")
    assert "请核对" in talk(assistant, me, description)
    reply = talk(assistant, me, "对")
    match = TICKET.search(reply)
    assert match, reply
    return match.group()


def test_migrant_worker_is_eligible_urgent_and_the_ticket_carries_the_screening(assistant):
    me = sender()
    assert "什么事" in talk(assistant, me, "我能申请法律援助吗")
    assert "律师" in talk(assistant, me, "在工地干活，老板欠我三个月工资")
    statuses_question = talk(assistant, me, "没有请")
    assert "低保户" in statuses_question and "农民工" in statuses_question
    deadline_question = talk(assistant, me, "我是农民工")
    assert "急不急" in deadline_question and "收入" not in deadline_question  # exempt: no income question
    # a stated number of days: 「下周就开庭了」 is 1 day on a Sunday but 7 (not urgent, Art. 44) on a Monday
    result = talk(assistant, me, "还有三天就开庭了")
    assert "符合申请法律援助的条件" in result and "第四十二条" in result and "第四十四条" in result
    number = apply_with(assistant, me)
    ticket = assistant.ticket(number).json()
    assert ticket["matter"] == "labor_wage" and ticket["priority"] == "urgent"
    assert ticket["screening_input"]["statuses"] == ["migrant_worker"]
    assert ticket["screening_decision"]["outcome"] == "eligible"
    assert ticket["screening_decision"]["hardship_check"] == "exempt"
    created = dt.date.fromisoformat(ticket["created_at"][:10])
    assert dt.date.fromisoformat(ticket["decision_due"]) >= created + dt.timedelta(days=7)
    assert assistant.tracker(me)["slots"]["screening"] is None  # handed over, then forgotten


def test_a_question_at_the_offer_is_answered_and_the_offer_still_takes_a_yes(assistant):
    """「要钱吗」 asked at the offer gets its answer and the offer again; 「要」 then applies."""
    me = sender()
    result = talk(assistant, me, "老板欠我三个月工资不给", "我能申请法律援助吗", "没有", "我是农民工", "不急")
    assert "符合申请法律援助的条件" in result and "要现在把您的情况交给" in result
    aside = talk(assistant, me, "要请律师的话要钱吗")
    assert "免费" in aside and "要把您的情况交给" in aside and "没太明白" not in aside
    number = apply_with(assistant, me, "在工地干了三个月，老板一分钱没给")
    ticket = assistant.ticket(number).json()
    assert ticket["matter"] == "labor_wage" and ticket["screening_decision"]["outcome"] == "eligible"


def test_poverty_household_goes_on_the_green_channel(assistant):
    me = sender()
    talk(assistant, me, "我符合条件吗", "借钱不还", "没有")
    certificate_question = talk(assistant, me, "我们家是建档立卡贫困户")
    assert "编号" in certificate_question
    assert "急不急" in talk(assistant, me, "编号是5306271234")  # no income question on the green channel
    result = talk(assistant, me, "不急")
    assert "绿色通道" in result and "建档立卡或脱贫户登记证明" in result
    number = apply_with(assistant, me, "前年借给邻居两万块钱，有欠条，他一直不还")
    ticket = assistant.ticket(number).json()
    assert ticket["priority"] == "fast_track" and ticket["poverty_certificate"] == "5306271234"
    assert ticket["matter"] == "debt_loan" and ticket["screening_decision"]["outcome"] == "fast_track"


def test_minor_suspect_is_a_mandatory_notification(assistant):
    me = sender()
    talk(assistant, me, "我能申请法律援助吗")
    flags_question = talk(assistant, me, "儿子被派出所抓了")
    assert "不满18岁" in flags_question  # Art. 25 first
    assert "律师" in talk(assistant, me, "孩子才16岁")
    result = talk(assistant, me, "还没请")
    assert "不用自己申请" in result and "第二十五条" in result and "收入" not in result
    # the family may still hand it to staff: the ticket is urgent and says why (issue 14)
    number = apply_with(assistant, me, "儿子16岁，昨天被派出所带走了，说是打架")
    ticket = assistant.ticket(number).json()
    assert ticket["priority"] == "urgent" and ticket["priority_reasons"] == ["mandatory_notification"]


def test_income_not_told_is_likely_eligible_with_the_pledge(assistant):
    me = sender()
    assert "收入" in talk(assistant, me, "我能申请法律援助吗", "被车撞了", "没有请", "都不是")
    assert "急不急" in talk(assistant, me, "不想说")  # no household size: it cannot help without the income
    result = talk(assistant, me, "不急")
    assert "还需要工作人员核实" in result and "诚信承诺" in result and "第六十四条" in result
    assert "好的" in talk(assistant, me, "先不用")


def test_high_income_is_not_eligible_but_may_still_apply(assistant):
    me = sender()
    noted = talk(assistant, me, "我能申请法律援助吗", "交通事故", "没有", "都不是", "一个月九千")
    assert "每月约9000元" in noted and "几口人" in noted  # read back; over the line, so the size matters
    talk(assistant, me, "两口子")
    result = talk(assistant, me, "不急")
    assert "可能不符合" in result and "12348" in result and "第四十九条" in result
    assert "仍然可以申请" in result
    # a wrong amount is corrected after the result: the result is given again
    revised = talk(assistant, me, "不对，是一个月两千")
    assert "改过来了" in revised and "符合申请法律援助的条件" in revised
    assert "要把您的情况交给" in talk(assistant, me, "不知道")  # the offer is not lost
    assert "以后想申请" in talk(assistant, me, "先不用")


def test_divorce_is_out_of_scope_in_the_sample_city(assistant):
    me = sender()
    talk(assistant, me, "我能申请法律援助吗", "想离婚", "没有")
    result = talk(assistant, me, "都不是")
    assert "不在本地法律援助的范围" in result and "人民调解" in result
    # a correction that changes nothing in the result: a line, not the whole block again
    revised = talk(assistant, me, "不对 我是低保户")
    assert "改过来了" in revised and "不在本地法律援助的范围" in revised and "要把您的情况交给" in revised
    assert "人民调解" not in revised and "原因" not in revised


def test_detours_question_correction_restart_and_stop(assistant):
    me = sender()
    talk(assistant, me, "我能申请法律援助吗", "被车撞了", "没有请", "都不是")
    # a legal question in the middle: answered, then the question comes again
    detour = talk(assistant, me, "老板欠我工资怎么办")
    assert "劳动仲裁" in detour and "收入" in detour
    # two answers at once, then a correction that makes the income question unnecessary
    assert "急不急" in talk(assistant, me, "一家五口，每月三千来块")  # two answers at once
    corrected = talk(assistant, me, "不对，是六口人")
    assert "6口人" in corrected and "急不急" in corrected
    # restart: the first question again, the earlier answers gone
    assert "什么事" in talk(assistant, me, "重新开始")
    slots = assistant.tracker(me)["slots"]
    assert slots["household_size"] is None and slots["household_monthly_income"] is None
    talk(assistant, me, "交通事故", "没请")
    assert "急不急" in talk(assistant, me, "不对，我是低保户")
    assert "不问了" in talk(assistant, me, "算了")
    tracker = assistant.tracker(me)
    assert tracker["slots"]["statuses"] is None and tracker["slots"]["matter"] is None
    assert not (tracker.get("active_loop") or {}).get("name")


def test_danger_gets_safety_advice_before_anything_else(assistant):
    me = sender()
    talk(assistant, me, "我能申请法律援助吗", "家暴", "没有", "都不是")
    reply = talk(assistant, me, "很急 他说今晚回来要打死我")
    assert reply.index("110") < reply.index("符合申请法律援助的条件")
    # the threat makes the ticket urgent, with the reason for staff; the papers are violence's own
    assert "同意" in talk(assistant, me, "要")
    talk(assistant, me, "同意", "李秀英", "13812345678", "镇雄县")
    assert "请核对" in talk(assistant, me, "老公喝了酒就打我，上个月打断了肋骨")
    done = talk(assistant, me, "对")
    ticket = assistant.ticket(TICKET.search(done).group()).json()
    assert ticket["priority"] == "urgent" and ticket["priority_reasons"] == ["violence", "deadline_soon"]  # 「很急」
    assert "报警回执" in done and "验伤" in done and "欠条" not in done and "工资" not in done


def test_a_years_income_is_read_as_such_and_a_rejected_read_back_is_dropped(assistant):
    me = sender()
    assert "收入" in talk(assistant, me, "我能申请法律援助吗", "讨工资", "没有", "都不是")
    assert "每月约1667元" in talk(assistant, me, "一年收入两万来块")  # not 2 yuan, not 20000 a month
    me = sender()
    assert "收入" in talk(assistant, me, "我能申请法律援助吗", "讨工资", "没有", "都不是")
    read_back = talk(assistant, me, "两万多")
    assert "每月约20000元" in read_back and "不对，一年" in read_back  # the month asked, and how to say a year
    dropped = talk(assistant, me, "不对")
    assert "刚才记的不算" in dropped and "收入" in dropped  # acknowledged, then asked again
    assert assistant.tracker(me)["slots"]["household_monthly_income"] is None


def test_a_lawyer_answer_corrected_after_the_result_reopens_the_questions(assistant):
    me = sender()
    result = talk(assistant, me, "我能申请法律援助吗", "讨工资", "请了")
    assert "已经请了律师" in result
    reopened = talk(assistant, me, "不对，没请")
    assert "改过来了" in reopened and "低保户" in reopened  # the statuses question comes next
    result = talk(assistant, me, "我是农民工", "不急")
    assert "符合申请法律援助的条件" in result


def test_a_case_far_from_home_is_told_where_to_apply(assistant):
    """A citizen trial: working in 浙江, from 彝良, told eligible and never where to apply (Art. 38)."""
    me = sender()
    talk(assistant, me, "我是彝良的 在浙江义乌的厂里打工 老板欠我三个月工资 三万多")
    talk(assistant, me, "我能申请法律援助吗")
    reply = talk(assistant, me, "没有请律师", "我是农民工")
    result = reply if "符合" in reply else talk(assistant, me, "不急")
    assert "符合申请法律援助的条件" in result
    assert "浙江" in result and "第三十八条" in result and "12348" in result
