"""The pre-screen answers as staff read them in the console."""

from __future__ import annotations

from referral.console.labels import screening_rows


def test_staff_see_whether_a_retrial_was_decided():
    rows = dict(screening_rows({"matter": "retrial", "role": "retrial_applicant", "retrial_decided": False}))
    assert rows["事项"] != "retrial" and rows["法院已决定再审或检察院已抗诉"] == "否"
    rows = dict(screening_rows({"matter": "retrial", "retrial_decided": True}))
    assert rows["法院已决定再审或检察院已抗诉"] == "是"


def test_an_answer_not_given_is_not_shown():
    assert "法院已决定再审或检察院已抗诉" not in dict(screening_rows({"matter": "divorce"}))


def test_staff_see_a_deadline_said_to_be_close():
    rows = dict(screening_rows({"matter": "labor_wage", "days_to_deadline": None, "deadline_soon": True}))
    assert rows["群众说期限或开庭快到了（没说几天）"] == "是" and rows["距离时效或起诉期限（天）"] == "没有说"
