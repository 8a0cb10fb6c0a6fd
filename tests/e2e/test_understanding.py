"""Real citizens' words, through the real stack (issue 13): the six messages of the citizen trial
that were misunderstood, each as the citizen typed it. The matter recorded is checked in the
tracker (contract 1), the reply in words."""

from __future__ import annotations

from tests.support.chat import TICKET, joined, sender

NOT_UNDERSTOOD = "我没太明白"


def matter(assistant, me: str) -> str | None:
    return assistant.tracker(me)["slots"].get("matter")


def test_a_long_wage_story_with_numbers_gets_the_wage_answer(assistant):
    me = sender()
    reply = joined(assistant.say(me, "我在工地干了8个月 包工头跑了 还欠我2万3 找开发商他们说不归他们管 怎么办"))
    assert NOT_UNDERSTOOD not in reply
    assert "施工总承包单位或建设单位清偿" in reply  # the contractor-fled point of the wage answer
    assert matter(assistant, me) == "labor_wage"


def test_unpaid_child_support_under_a_judgment_is_support_payment(assistant):
    me = sender()
    reply = joined(assistant.say(me, "孩子他爸两年没给抚养费 判决书写的每月1000 一共欠了2万4 我一个人带孩子没工作"))
    assert NOT_UNDERSTOOD not in reply
    assert "强制执行" in reply  # a judgment not carried out: enforcement
    assert matter(assistant, me) == "support_payment"


def test_violence_and_a_request_to_apply_records_the_matter_and_starts_the_application(assistant):
    me = sender()
    reply = joined(assistant.say(me, "老公经常打我 上个月把我肋骨都打断了 我想申请法律援助帮我离婚"))
    assert "同意" in reply  # the application's consent question
    assert "110" in reply  # safety first
    assert matter(assistant, me) == "domestic_violence"
    name_question = joined(assistant.say(me, "同意"))
    assert NOT_UNDERSTOOD not in name_question and "姓名" in name_question
    for answer in ("王芳", "13812345678", "镇雄县"):
        assistant.say(me, answer)
    summary = joined(assistant.say(me, "就是刚才说的"))  # the account she gave first, not asked again
    assert "请核对" in summary and "肋骨" in summary
    number = TICKET.search(joined(assistant.say(me, "对"))).group()
    assert assistant.ticket(number).json()["matter"] == "domestic_violence"  # the ticket's matter: her account


def test_a_parent_refused_support_over_the_family_house_is_support_payment(assistant):
    me = sender()
    reply = joined(assistant.say(me, "儿子说分家的时候我把房子给了老二 所以他不管 这个说得通不"))
    assert NOT_UNDERSTOOD not in reply
    assert "赡养" in reply
    assert matter(assistant, me) == "support_payment"


def test_evidence_told_inside_a_violence_conversation_stays_on_violence(assistant):
    me = sender()
    assistant.say(me, "我老公喝了酒就打我")
    assert matter(assistant, me) == "domestic_violence"
    reply = joined(assistant.say(me, "我没有去医院看过 也没报过警 只有邻居看到过"))
    assert "医疗" not in reply and NOT_UNDERSTOOD not in reply
    assert "邻居" in reply or "证人" in reply  # what counts as evidence of violence
    assert matter(assistant, me) == "domestic_violence"
    # the divorce the violence leads to is answered, and the matter stays violence (matters.md rule 1)
    reply = joined(assistant.say(me, "离婚的话孩子归谁"))
    assert "两周岁" in reply
    assert matter(assistant, me) == "domestic_violence"


def test_a_new_problem_in_the_screening_replaces_an_earlier_guess(assistant):
    me = sender()
    assistant.say(me, "网上买的电饭锅坏了商家不给退")
    assert matter(assistant, me) == "consumer"
    assistant.say(me, "我能申请法律援助吗")
    result = joined(assistant.say(me, "讨工资 没请律师 我是农民工"))
    assert "不在本地法律援助的范围内" not in result
    assert matter(assistant, me) == "labor_wage"


# Follow-ups stay on the topic and answer the question asked (issue 13, item 3).

def test_a_follow_up_on_a_work_injury_gets_the_work_injury_answer_not_the_traffic_one(assistant):
    me = sender()
    assistant.say(me, "我在厂里干活手被机器压断了 老板说不给报工伤")
    assert matter(assistant, me) == "work_injury"
    reply = joined(assistant.say(me, "认定了能赔哪些"))
    assert "一次性伤残补助金" in reply and "被车撞伤" not in reply
    assert matter(assistant, me) == "work_injury"
    # a time question without the words 「法律援助」 is on the work injury, not on the legal-aid process
    reply = joined(assistant.say(me, "要多久能认定"))
    assert "工伤认定" in reply and "指派律师" not in reply
    # a message that names another matter clearly moves the conversation there
    reply = joined(assistant.say(me, "我老婆前几天骑电动车被汽车撞了 能赔哪些"))
    assert "被车撞伤" in reply or "出了车祸" in reply  # the traffic answer, or its point on compensation
    assert matter(assistant, me) == "traffic_accident"


def test_a_follow_up_on_a_land_dispute_is_not_sent_to_the_traffic_police(assistant):
    me = sender()
    assistant.say(me, "邻居把我家宅基地占了一块盖了猪圈 村里也不管")
    assert matter(assistant, me) == "housing_land"
    reply = joined(assistant.say(me, "村委会调解不成还能找哪个"))
    assert "交警" not in reply
    assert "法院" in reply or "仲裁" in reply or "司法所" in reply
    assert matter(assistant, me) == "housing_land"


def test_the_same_answer_is_never_sent_twice(assistant):
    me = sender()
    block, *_ = assistant.say(me, "老板欠了我三个月工资不给")
    assert "劳动" in block
    again = joined(assistant.say(me, "老板欠了我三个月工资不给"))
    assert block not in again and NOT_UNDERSTOOD not in again
    assert matter(assistant, me) == "labor_wage"
