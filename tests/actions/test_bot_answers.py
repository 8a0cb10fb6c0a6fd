"""Choosing the answer: follow-ups by the matter so far, danger first, answers inside a form."""

from __future__ import annotations

import pytest

from actions.bot_answers import answer_for, followup_response, legal_answer, underlying_problem
from referral.rules.matters import MATTER_CODES
from tests.support.trackers import make_tracker, ranked


@pytest.mark.parametrize(("intent", "matter", "expected"), [
    # the trial's wrong answers: a dismissal's time limit is the labour one, not the traffic one
    ("followup_time_limit", "labor_relation", "utter_answer_labor_relation_time_limit"),
    ("followup_time_limit", "traffic_accident", "utter_answer_traffic_accident_time_limit"),
    ("followup_time_limit", "debt_loan", "utter_answer_debt_loan_time_limit"),
    ("followup_time_limit", "work_injury", "utter_answer_work_injury_recognition_deadline"),
    ("followup_how_much", "work_injury", "utter_answer_work_injury_compensation_items"),
    ("followup_where", "labor_wage", "utter_answer_labor_wage_where_complain"),
    ("followup_where", "inheritance", "utter_answer_inheritance_where"),  # names the court
    ("followup_refuses", "divorce", "utter_answer_divorce_spouse_refuses"),
    ("followup_how_much", "support_payment", "utter_answer_support_payment_child_support_amount"),
    # the points of the matter's own answer on the question, never another matter's
    ("followup_where", "consumer", "utter_answer_consumer_where"),
    ("followup_evidence", "labor_relation", "utter_answer_labor_relation_evidence"),
    # nothing on that question for the matter: said honestly, not the whole answer again
    ("followup_evidence", "criminal_defense", "utter_followup_no_answer"),
    ("followup_how_much", "domestic_violence", "utter_followup_no_answer"),
    # no matter yet: ask which
    ("followup_time_limit", None, "utter_followup_which_matter"),
    ("followup_time_limit", "other", "utter_followup_which_matter"),
    ("matter_divorce", "divorce", None),
])
def test_followup_response(intent, matter, expected, domain_responses):
    assert followup_response(intent, matter, domain_responses) == expected


def test_every_matter_has_a_time_limit_answer(domain_responses):
    for code in MATTER_CODES - {"other"}:
        response = followup_response("followup_time_limit", code, domain_responses)
        assert response in domain_responses, code
        assert code in response or code == "work_injury", (code, response)


@pytest.mark.parametrize(("ranking", "expected"), [
    (ranked(("safety_self_harm", 1.0), ("matter_labor_wage", 0.7)), "matter_labor_wage"),
    (ranked(("safety_self_harm", 1.0), ("question_labor_wage_time_limit", 0.5)), "question_labor_wage_time_limit"),
    # the classifier gave most to the danger: the rest is compared by its share
    (ranked(("safety_self_harm", 1.0), ("safety_self_harm", 0.96), ("matter_labor_wage", 0.03),
            ("matter_other", 0.01)), "matter_labor_wage"),
    (ranked(("safety_self_harm", 1.0), ("matter_labor_wage", 0.2), ("matter_debt_loan", 0.2),
            ("greet", 0.1)), None),  # not sure enough
    (ranked(("safety_self_harm", 1.0), ("greet", 0.8), ("matter_labor_wage", 0.1)), None),
    (ranked(("safety_self_harm", 1.0), ("matter_other", 0.9)), None),
    (ranked(("safety_self_harm", 1.0)), None),
])
def test_underlying_problem(ranking, expected):
    assert underlying_problem({"intent": ranking[0], "intent_ranking": ranking}) == expected


@pytest.mark.parametrize(("intent", "confidence", "slot_matter", "legal", "expected"), [
    ("safety_danger_now", 1.0, None, False, "utter_safety_danger_now"),  # even at 「what happened」
    ("safety_self_harm", 1.0, None, True, "utter_safety_self_harm"),
    ("followup_time_limit", 0.9, "labor_relation", True, "utter_answer_labor_relation_time_limit"),
    ("followup_time_limit", 0.9, "labor_relation", False, None),
    ("followup_time_limit", 0.4, "labor_relation", True, None),
    ("insult", 0.9, None, False, "utter_insult"),
])
def test_answer_for_in_a_form(intent, confidence, slot_matter, legal, expected, merged_domain):
    tracker = make_tracker(slots={"matter": slot_matter}, requested_slot="applicant_name", text="x",
                           intent=intent, confidence=confidence)
    assert answer_for(tracker, merged_domain, legal_questions=legal) == expected


@pytest.mark.parametrize("intent", ["followup_where", "followup_evidence", "followup_how_much", "followup_refuses"])
def test_every_follow_up_answer_is_shorter_than_the_matter_answer(intent, domain_responses):
    """A follow-up never gets the matter's whole answer again: its own response, on that point."""
    for code in MATTER_CODES - {"other"}:
        response = followup_response(intent, code, domain_responses)
        assert response in domain_responses, (code, response)
        if response.startswith(f"utter_answer_{code}_"):
            text, full = domain_responses[response][0]["text"], domain_responses[f"utter_answer_{code}"][0]["text"]
            assert len(text) < len(full), (code, response)


def test_a_follow_up_gets_the_points_of_the_matter_answer_on_it(domain_responses):
    full = domain_responses["utter_answer_labor_relation"][0]["text"]
    evidence = domain_responses["utter_answer_labor_relation_evidence"][0]["text"]
    lines = evidence.splitlines()
    assert lines[0] == full.splitlines()[0] and lines[1].startswith("1. 先留证据")
    assert "二倍赔偿" not in evidence  # not a point on evidence
    assert lines[-2].startswith("法律依据：") and lines[-1] == full.splitlines()[-1]
    how_much = domain_responses["utter_answer_labor_relation_how_much"][0]["text"]
    assert "二倍工资" in how_much and "二倍赔偿" in how_much and "先留证据" not in how_much


def test_no_legal_answer_carries_the_offer_to_apply(domain_responses):
    """The offer is its own response, sent by the rules outside the forms only."""
    offer = domain_responses["utter_offer_help"][0]["text"]
    assert "我能申请法律援助吗" in offer
    assert [name for name, variants in domain_responses.items() if name.startswith("utter_answer_")
            and any(offer in (v.get("text") or "") for v in variants)] == []


WAGE = "utter_answer_labor_wage"


@pytest.mark.parametrize(("intent", "ranking", "matter", "sent", "expected"), [
    # a new matter: its answer and the offer of help; the matter is recorded
    ("matter_labor_wage", ranked(("matter_labor_wage", 0.9)), None, set(),
     ([WAGE, "utter_offer_help"], "labor_wage")),
    # a question on the topic so far; with no topic yet, the first answer on it comes with the offer
    ("question_work_injury_compensation_items", ranked(("question_work_injury_compensation_items", 0.8)),
     "work_injury", {"utter_answer_work_injury"}, (["utter_answer_work_injury_compensation_items"], "work_injury")),
    ("question_labor_wage_time_limit", ranked(("question_labor_wage_time_limit", 0.8)), "other", set(),
     (["utter_answer_labor_wage_time_limit", "utter_offer_help"], "labor_wage")),
    # the trial: 「认定了能赔哪些」 after a work injury, filed under a traffic question with the work
    # injury's question close behind: the work injury's answer, the topic stays
    ("question_traffic_accident_compensation_items",
     ranked(("question_traffic_accident_compensation_items", 0.4), ("question_work_injury_compensation_items", 0.3),
            ("matter_work_injury", 0.1)),
     "work_injury", {"utter_answer_work_injury"}, (["utter_answer_work_injury_compensation_items"], "work_injury")),
    # 「村委会调解不成还能找哪个」 on a land dispute, filed under the traffic mediation question:
    # the land dispute's answer on where to go
    ("question_traffic_accident_mediation",
     ranked(("question_traffic_accident_mediation", 0.5), ("matter_housing_land", 0.3)),
     "housing_land", {"utter_answer_housing_land"}, (["utter_answer_housing_land_where"], "housing_land")),
    # a question that does not fit the topic and has no point of its own: said honestly
    ("question_traffic_accident_hit_and_run",
     ranked(("question_traffic_accident_hit_and_run", 0.5), ("matter_divorce", 0.3)),
     "divorce", {"utter_answer_divorce"}, (["utter_followup_no_answer"], "divorce")),
    # a message that leads clearly to another matter moves the conversation there
    ("matter_traffic_accident", ranked(("matter_traffic_accident", 0.9), ("matter_work_injury", 0.05)),
     "work_injury", {"utter_answer_work_injury"}, (["utter_answer_traffic_accident", "utter_offer_help"],
                                                   "traffic_accident")),
    # never the same block twice: another question on it the classifier ranked close, else a pointer
    ("matter_labor_wage", ranked(("matter_labor_wage", 0.5), ("question_labor_wage_evidence", 0.3)),
     "labor_wage", {WAGE}, (["utter_answer_labor_wage_evidence"], "labor_wage")),
    ("matter_labor_wage", ranked(("matter_labor_wage", 0.9)), "labor_wage", {WAGE},
     (["utter_followup_no_answer"], "labor_wage")),  # a new question: said honestly, not "scroll up"
    # a legal-aid question has no matter: it leaves the matter as it is
    ("question_legal_aid_cost", ranked(("question_legal_aid_cost", 0.9)), "divorce", set(),
     (["utter_answer_legal_aid_cost"], "divorce")),
])
def test_legal_answer(intent, ranking, matter, sent, expected):
    assert legal_answer(intent, ranking, matter, sent) == expected


def test_the_words_of_the_message_decide_whether_it_moves_the_conversation():
    intent = "question_traffic_accident_compensation_items"
    # the intent classifier is sure of the traffic question either way
    ranking = ranked((intent, 0.9), ("question_work_injury_compensation_items", 0.05))
    sent = {"utter_answer_work_injury"}
    # 「认定了能赔哪些」: no matter's words stand out (bot.classifier.MatterTopicReader)
    vague = ranked(("capacity", 0.16), ("state_compensation", 0.16), ("work_injury", 0.05), ("traffic_accident", 0.04))
    assert legal_answer(intent, ranking, "work_injury", sent, vague) == (
        ["utter_answer_work_injury_compensation_items"], "work_injury")  # the work injury's point on it
    # 「被车撞了能赔哪些」: a traffic accident in so many words
    clear = ranked(("traffic_accident", 0.92), ("work_injury", 0.003))
    assert legal_answer(intent, ranking, "work_injury", sent, clear) == (
        ["utter_answer_traffic_accident_compensation_items"], "traffic_accident")


@pytest.mark.parametrize(("text", "last_sent", "expected"), [
    # right after the work injury's answer: its time limit, the topic stays
    ("要多久能认定", "utter_offer_help", "utter_answer_work_injury_recognition_deadline"),
    # naming legal aid, or right after the legal-aid process was the subject: the process's answer
    ("法律援助要多久", "utter_offer_help", "utter_answer_legal_aid_processing_time"),
    ("要等多久", "utter_referral_created", "utter_answer_legal_aid_processing_time"),
])
def test_a_legal_aid_question_without_its_words_follows_the_matter(text, last_sent, expected):
    ranking = ranked(("question_legal_aid_processing_time", 0.6), ("followup_time_limit", 0.2))
    answers, matter = legal_answer("question_legal_aid_processing_time", ranking, "work_injury", set(), None,
                                   text, last_sent)
    assert answers == [expected] and matter == "work_injury"


def test_violence_keeps_its_code_when_the_question_is_about_the_divorce_it_leads_to():
    ranking = ranked(("question_divorce_child_custody", 0.99))
    clear = ranked(("divorce", 0.88), ("domestic_violence", 0.02))
    assert legal_answer("question_divorce_child_custody", ranking, "domestic_violence", set(), clear) == (
        ["utter_answer_divorce_child_custody"], "domestic_violence")
    # without violence, the divorce is the matter
    assert legal_answer("question_divorce_child_custody", ranking, "debt_loan", set(), clear) == (
        ["utter_answer_divorce_child_custody"], "divorce")


def test_only_a_message_said_before_is_pointed_to_the_answer_above():
    ranking = ranked(("matter_labor_wage", 0.9))
    assert legal_answer("matter_labor_wage", ranking, "labor_wage", {WAGE}, repeated=True) == (
        ["utter_answered_above"], "labor_wage")
    assert legal_answer("matter_labor_wage", ranking, "labor_wage", {WAGE}, repeated=False) == (
        ["utter_followup_no_answer"], "labor_wage")


def test_an_unclear_matter_asks_what_happened_but_never_loses_a_known_matter():
    ranking = ranked(("matter_other", 0.6), ("question_labor_wage_evidence", 0.3))
    # nothing known yet: what happened? recorded as `other`
    assert legal_answer("matter_other", ranking, None, set()) == (["utter_answer_other"], "other")
    # 「那现在咋整」 after the wage answer: the words do not leave the wage claim; its close question
    vague = ranked(("other", 0.2), ("labor_wage", 0.15))
    assert legal_answer("matter_other", ranking, "labor_wage", {WAGE}, vague) == (
        ["utter_answer_labor_wage_evidence"], "labor_wage")
    assert legal_answer("matter_other", ranked(("matter_other", 0.9)), "labor_wage", {WAGE}, vague) == (
        ["utter_followup_no_answer"], "labor_wage")  # nothing close: said honestly, the code is kept
    # a new problem no code covers, in so many words (a neighbour's video defaming the shop): `other`
    clear = ranked(("other", 0.8), ("labor_wage", 0.01))
    video = "隔壁开店的拍视频发到网上说我家店里卖的都是假货 生意一下就没了"
    assert legal_answer("matter_other", ranking, "labor_wage", {WAGE}, clear, video) == (
        ["utter_answer_other"], "other")
    # a question on the way, however clearly `other` its words: the wage claim stays (a citizen trial)
    for asked in ("就几千块钱的事 值得告吗 要请律师不", "那多久有人给俺打电话", "俺不识字 这事咋弄 找谁"):
        assert legal_answer("matter_other", ranking, "labor_wage", {WAGE}, clear, asked)[1] == "labor_wage"


def test_a_vague_message_never_moves_the_conversation_when_no_matter_is_likely():
    """「那现在咋整」 after the wage answer: filed under criminal defence at 0.11, its words speak of no
    matter (criminal defence 0.10, wages 0.03): a ratio of 3 alone would have sent the criminal answer."""
    ranking = ranked(("matter_criminal_defense", 0.107), ("matter_other", 0.1), ("check_application", 0.067))
    flat = ranked(("other", 0.113), ("criminal_defense", 0.104), ("debt_loan", 0.084), ("labor_wage", 0.03))
    assert legal_answer("matter_criminal_defense", ranking, "labor_wage", {WAGE}, flat) == (
        ["utter_followup_no_answer"], "labor_wage")
    assert legal_answer("matter_other", ranking, "labor_wage", {WAGE}, flat) == (
        ["utter_followup_no_answer"], "labor_wage")


def test_a_follow_up_ranked_close_is_answered_for_the_matter_so_far():
    # a citizen trial: 「没有现成的回答」, though 「去哪个法院起诉」 alone got the debt answer on where to sue
    ranking = ranked(("matter_other", 0.2), ("followup_where", 0.09), ("matter_debt_loan", 0.07))
    assert legal_answer("matter_other", ranking, "debt_loan", {"utter_answer_debt_loan"},
                        text="他住在隔壁县 我要告他得去哪个法院告") == (["utter_answer_debt_loan_where"], "debt_loan")
    # not close enough: said honestly
    far = ranked(("matter_other", 0.5), ("followup_where", 0.09))
    assert legal_answer("matter_other", far, "debt_loan", {"utter_answer_debt_loan"},
                        text="他住在隔壁县 我要告他得去哪个法院告") == (["utter_followup_no_answer"], "debt_loan")
