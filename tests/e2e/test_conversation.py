"""Whole conversations through the REST channel of a real Rasa server, action server and
referral service; the tickets are then checked through the referral API."""

from __future__ import annotations

import os
import signal
from concurrent.futures import ThreadPoolExecutor

from tests.support.chat import TICKET, joined, sender


def test_greeting_says_what_it_does_and_how_data_is_handled(assistant):
    reply = joined(assistant.say(sender(), "你好"))
    assert "法律援助" in reply
    assert "同意" in reply and "工作人员" in reply


def test_wage_question_gets_an_answer_with_legal_basis_and_sets_matter(assistant):
    me = sender()
    reply = joined(assistant.say(me, "老板拖欠我三个月工资怎么办"))
    assert "劳动仲裁" in reply
    assert "《劳动争议调解仲裁法》第二十七条" in reply
    assert "一般法律知识" in reply
    assert assistant.tracker(me)["slots"]["matter"] == "labor_wage"


def test_application_creates_exactly_one_ticket(assistant):
    me = sender()
    before = assistant.referrals()["count"]
    assistant.say(me, "老板拖欠我三个月工资怎么办")
    assert "同意" in joined(assistant.say(me, "我要申请法律援助"))
    assert "没听明白" in joined(assistant.say(me, "？"))  # a question mark is not consent
    assert "姓名" in joined(assistant.say(me, "同意"))
    # a question in the middle is answered, then the form asks again
    detour = joined(assistant.say(me, "老板拖欠工资可以去劳动仲裁吗"))
    assert "劳动仲裁" in detour and "姓名" in detour
    assert "不是名字" in joined(assistant.say(me, "我是彝良县的人现在在外地打工"))
    assert "手机号" in joined(assistant.say(me, "我叫张三"))
    assert "11位" in joined(assistant.say(me, "12345"))  # wrong number: asked again
    assert "县" in joined(assistant.say(me, "138 1234 5678"))
    invalid = joined(assistant.say(me, "北京"))
    assert "没有找到" in invalid and "镇雄县" in invalid
    # the problem told before the form is offered back, not asked for again
    offer = joined(assistant.say(me, "镇雄"))
    assert "您刚才说过" in offer and "老板拖欠我三个月工资" in offer
    assert "不能是空的" in joined(assistant.say(me, "。。。"))
    summary = joined(assistant.say(me, "在工地干了三个月，老板一分钱没给，现在人找不到了"))
    assert "张三" in summary and "13812345678" in summary and "镇雄县" in summary
    assert TICKET.search(summary) is None  # nothing is submitted before the citizen checks
    assert "手机号" in joined(assistant.say(me, "电话不对"))
    assert "13912345678" in joined(assistant.say(me, "13912345678"))  # the summary again
    reply = joined(assistant.say(me, "对"))
    match = TICKET.search(reply)
    assert match, reply
    number = match.group()

    # Personal data left the conversation once handed over.
    slots = assistant.tracker(me)["slots"]
    assert slots["ticket_number"] == number
    assert slots["applicant_phone"] is None and slots["applicant_name"] is None

    ticket = assistant.ticket(number)
    assert ticket.status_code == 200
    body = ticket.json()
    assert body["applicant_name"] == "张三"
    assert body["applicant_phone"] == "13912345678"
    assert body["region"] == "镇雄县"
    assert body["matter"] == "labor_wage"
    assert body["channel"] == "rest"
    assert body["consent"] is True
    # the account told before the form, offered back, then what was told at the question: both kept
    assert body["description"].startswith("老板拖欠我三个月工资") and "在工地干了三个月" in body["description"]
    assert assistant.referrals()["count"] == before + 1

    # Applying again first reminds the citizen of the ticket.
    again = joined(assistant.say(me, "我要申请法律援助"))
    assert number in again
    assert "保持电话畅通" in joined(assistant.say(me, "不要"))
    assert assistant.referrals()["count"] == before + 1


def test_violence_gets_safety_advice_first(assistant):
    me = sender()
    reply = joined(assistant.say(me, "我想离婚老公打我"))
    assert reply.index("110") < reply.index("保护令")
    assert "《反家庭暴力法》" in reply and "第二十三条" in reply
    assert assistant.tracker(me)["slots"]["matter"] == "domestic_violence"


def test_each_problem_gets_its_own_answer_and_matter_code(assistant):
    cases = [  # (message as typed, matter code, words its answer must contain)
        ("我在厂里干活把手压断了老板不管", "work_injury", ["工伤认定", "《工伤保险条例》第十七条"]),
        ("被车撞了对方不赔钱咋办", "traffic_accident", ["122", "交强险"]),
        ("我和老公过不下去了想离婚", "divorce", ["离婚", "《民法典》"]),
        ("儿子被派出所抓走了", "criminal_defense", ["值班律师", "必须通知"]),
        ("前夫不给孩子抚养费", "support_payment", ["抚养费", "《民法典》", "第一百九十六条"]),
    ]
    for message, code, words in cases:
        me = sender()
        *answer, offer = assistant.say(me, message)
        reply = joined(answer)
        assert all(word in reply for word in words), (message, reply)
        assert reply.rstrip().endswith("（以上是一般法律知识，您的具体情况请以法律援助工作人员的意见为准。）")
        assert "我能申请法律援助吗" in offer  # the offer comes after the answer, in a message of its own
        assert assistant.tracker(me)["slots"]["matter"] == code, message


def test_traditional_characters_and_emoji_are_understood(assistant):
    me = sender()
    reply = joined(assistant.say(me, "出車禍了！！😭對方跑了"))
    assert "122" in reply
    assert assistant.tracker(me)["slots"]["matter"] == "traffic_accident"
    # the conversation keeps the citizen's own words; the NLU result holds the normalised text
    # (its entity offsets point into that text)
    tracker = assistant.tracker(me)
    said = [e["text"] for e in tracker["events"] if e["event"] == "user"]
    assert said == ["出車禍了！！😭對方跑了"]
    assert tracker["latest_message"]["text"] == "出车祸了!对方跑了"


def test_a_problem_the_assistant_cannot_place_is_said_honestly_with_code_other(assistant):
    me = sender()
    reply = joined(assistant.say(me, "我被人告了"))
    assert "不太确定" in reply and "12348" in reply
    assert assistant.tracker(me)["slots"]["matter"] == "other"


def test_a_follow_up_question_gets_its_short_answer(assistant):
    me = sender()
    assistant.say(me, "干活受伤了")
    reply = joined(assistant.say(me, "工伤认定要在多长时间内申请"))
    assert "1年" in reply or "一年" in reply
    assert "《工伤保险条例》" in reply and "第十七条" in reply


def test_a_follow_up_without_a_topic_is_answered_for_the_matter_so_far(assistant):
    me = sender()
    assistant.say(me, "公司把我辞退了不给补偿")
    reply = joined(assistant.say(me, "多久之内要去告"))
    assert "一年" in reply and "《劳动争议调解仲裁法》第二十七条" in reply
    assert "三年" not in reply  # not the traffic or debt time limit
    assert assistant.tracker(me)["slots"]["matter"] == "labor_relation"  # the topic is kept
    fresh = sender()
    assert "哪一类事" in joined(assistant.say(fresh, "多久之内要去告"))  # no matter yet: asked


def test_danger_comes_before_everything(assistant):
    me = sender()
    reply = joined(assistant.say(me, "老板欠了我半年工资 我真的不想活了"))
    assert reply.index("12356") < reply.index("劳动仲裁")  # the crisis reply, then the wage answer
    assert assistant.tracker(me)["slots"]["matter"] == "labor_wage"
    now = joined(assistant.say(sender(), "他又在打我 我躲在厕所里"))
    assert "110" in now and "法律依据" not in now  # three lines, not the long answer
    assert "12110" not in now  # the city set no SMS alarm number (city.yaml sms_alarm): none is guessed
    fraud = joined(assistant.say(sender(), "公安局的人打电话让我把钱转到安全账户"))
    assert "诈骗" in fraud and "96110" in fraud


def test_a_citizen_who_spoke_of_suicide_is_called_first(assistant):
    me = sender()
    assert "12356" in joined(assistant.say(me, "老板欠了半年工资 我真的不想活了"))
    assert "同意" in joined(assistant.say(me, "我要申请法律援助"))
    for answer in ("同意", "赵大山", "13812345678", "彝良县"):
        assistant.say(me, answer)
    assert "请核对" in joined(assistant.say(me, "在砖厂干了半年，老板一分工资没给"))
    done = joined(assistant.say(me, "对"))
    ticket = assistant.ticket(TICKET.search(done).group()).json()
    assert ticket["priority"] == "urgent" and ticket["priority_reasons"] == ["self_harm"]
    assert "欠条或工资条" in done  # the wage claim's own papers


def test_asides_get_a_calm_reply(assistant):
    me = sender()
    assert "12348" in joined(assistant.say(me, "转人工"))
    assert "尽力帮您" in joined(assistant.say(me, "你个垃圾机器人"))
    assert "法律方面" in joined(assistant.say(me, "明天天气怎么样"))
    # asking after an application starts the status check (tests/e2e/test_status.py)
    assert "请告诉我受理编号" in joined(assistant.say(me, "我的申请到哪一步了"))


def test_the_screening_goes_on_after_an_answer_in_traditional_characters(assistant):
    me = sender()
    assistant.say(me, "我能申请法律援助吗")
    reply = joined(assistant.say(me, "出車禍了"))
    assert "律师" in reply  # the next question, not the end of the screening


def test_questions_and_asides_during_the_application(assistant):
    me = sender()
    assistant.say(me, "我要申请法律援助")
    assert "姓名" in joined(assistant.say(me, "同意"))
    detour = joined(assistant.say(me, "工伤认定要在多长时间内申请"))
    assert "《工伤保险条例》" in detour and "姓名" in detour
    assert "我要申请法律援助" not in detour  # no offer to apply inside the application
    aside = joined(assistant.say(me, "转人工"))
    assert "12348" in aside and "姓名" in aside
    assert "手机号" in joined(assistant.say(me, "李秀英"))
    assert assistant.tracker(me)["slots"]["applicant_name"] == "李秀英"
    danger = joined(assistant.say(me, "他拿着刀在外面砸门"))
    assert "110" in danger and "手机号" in danger  # the safety reply, then the question again


def test_an_account_given_before_the_application_is_not_asked_again(assistant):
    me = sender()
    assistant.say(me, "在砖厂干了半年老板一分钱没给")
    assistant.say(me, "我要申请法律援助")
    assistant.say(me, "同意")
    assistant.say(me, "王小明")
    assistant.say(me, "13812345678")
    offer = joined(assistant.say(me, "彝良"))
    assert "您刚才说过" in offer and "在砖厂干了半年老板一分钱没给" in offer  # offered back for a yes
    summary = joined(assistant.say(me, "对"))
    assert "请核对" in summary and "在砖厂干了半年老板一分钱没给" in summary
    added = joined(assistant.say(me, "还有，老板姓刘，是四川人"))
    assert "补充" in added and "老板姓刘" in added  # the summary again, with the addition
    assert assistant.tracker(me)["slots"]["description"].endswith("补充：还有，老板姓刘，是四川人")


def test_refused_consent_keeps_nothing_and_makes_no_ticket(assistant):
    me = sender()
    before = assistant.referrals()["count"]
    assistant.say(me, "我想申请法律援助")
    reply = joined(assistant.say(me, "不同意"))
    assert "不会记下" in reply and "12348" in reply
    slots = assistant.tracker(me)["slots"]
    assert all(slots[s] is None for s in ("referral_consent", "applicant_name", "applicant_phone"))
    assert assistant.referrals()["count"] == before


def test_stopping_midway_forgets_the_answers(assistant):
    me = sender()
    before = assistant.referrals()["count"]
    assistant.say(me, "申请法律援助")
    assistant.say(me, "同意")
    assistant.say(me, "李四")
    assert "不会交给工作人员" in joined(assistant.say(me, "算了"))
    assert assistant.tracker(me)["slots"]["applicant_name"] is None
    assert assistant.referrals()["count"] == before


def test_service_outage_is_told_truthfully_and_retry_gives_one_ticket(assistant):
    """The referral service hangs: the citizen is told the truth; after a retry exactly one ticket exists,
    even though the hung service later processes the requests that timed out, and even though the
    citizen's matter changed in between (the retry sends the frozen request)."""
    me = sender()
    before = assistant.referrals()["count"]
    for message in ("我要申请法律援助", "同意", "王五", "13912345678", "彝良", "打工摔伤了，老板不管"):
        assistant.say(me, message)
    referral_pid = assistant.pids["referral"]
    os.kill(referral_pid, signal.SIGSTOP)
    try:
        reply = joined(assistant.say(me, "对"))
    finally:
        os.kill(referral_pid, signal.SIGCONT)
    assert "还没有提交成功" in reply and "重试" in reply
    assert TICKET.search(reply) is None
    assert assistant.tracker(me)["slots"]["referral_pending"] is True
    assert assistant.tracker(me)["slots"]["applicant_phone"] is None  # only the frozen request is kept
    assistant.say(me, "老公打我")  # changes the matter slot; the pending request must not change

    # Asking to apply again while it is pending retries the same application.
    reply = joined(assistant.say(me, "我要申请法律援助"))
    match = TICKET.search(reply)
    assert match, reply
    body = assistant.ticket(match.group()).json()
    assert body["applicant_name"] == "王五" and body["region"] == "彝良县"
    assert assistant.referrals()["count"] == before + 1
    assert assistant.tracker(me)["slots"]["referral_pending"] is False


def test_final_answer_delivered_twice_at_once_makes_one_ticket(assistant):
    """A channel that delivers the citizen's last message twice, concurrently (a retried webhook)."""
    me = sender()
    before = assistant.referrals()["count"]
    for message in ("我要申请法律援助", "同意", "赵六", "13712345678", "昭阳区", "邻居占了我家的宅基地"):
        assistant.say(me, message)
    with ThreadPoolExecutor(max_workers=2) as pool:
        replies = list(pool.map(lambda _: assistant.http.post(
            f"{assistant.rasa}/webhooks/rest/webhook", json={"sender": me, "message": "对"}, timeout=60
        ).json(), range(2)))
    numbers = {m for reply in replies for text in reply for m in TICKET.findall(text.get("text", ""))}
    assert len(numbers) == 1, replies
    assert assistant.referrals()["count"] == before + 1


def test_each_side_of_a_debt_gets_its_own_answer(assistant):
    """A citizen trial: the debt answer mixed the lender's and the borrower's steps."""
    me = sender()
    lender = joined(assistant.say(me, "借钱不还怎么办"))
    assert "别人借了您的钱不还" in lender and "我是欠钱的" in lender
    borrower = joined(assistant.say(me, "我是欠钱的"))
    assert "您是欠钱的一方" in borrower and "第一百四十七条" in borrower
    assert assistant.tracker(me)["slots"]["matter"] == "debt_loan"


def test_after_applying_the_name_is_corrected_in_one_message_and_the_wait_is_explained(assistant):
    """Citizen trials: 「名字不对 就王桂兰仨字」 dropped the name; 「多久有人给俺打电话」 lost the topic."""
    me = sender()
    assistant.say(me, "俺在工地干了半年 包工头欠俺两万块不给")
    assert "同意" in joined(assistant.say(me, "我要申请法律援助"))
    for answer in ("同意", "王桂蓝", "13812345678", "镇雄县"):
        assistant.say(me, answer)
    assert "王桂蓝" in joined(assistant.say(me, "就是刚才说的"))
    summary = joined(assistant.say(me, "名字不对 就王桂兰仨字"))
    assert "王桂兰" in summary and "请核对" in summary  # taken from the correction, not asked again
    number = TICKET.search(joined(assistant.say(me, "对"))).group()
    assert assistant.ticket(number).json()["applicant_name"] == "王桂兰"
    wait = joined(assistant.say(me, "那多久有人给俺打电话"))
    assert number in wait and "7个工作日" in wait and "查进度" in wait


def test_a_neighbour_who_hit_the_citizen_is_a_crime_victims_matter_with_the_assault_answer(assistant):
    me = sender()
    reply = joined(assistant.say(me, "邻居把俺打了 咋办"))
    assert "治安" in reply and "附带民事诉讼" in reply and "第二百三十四条" in reply
    assert assistant.tracker(me)["slots"]["matter"] == "criminal_victim"
