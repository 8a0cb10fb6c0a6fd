"""Eligibility pre-screen for legal aid (contract 2; rules in shared/domain/eligibility.md).

Plain Python, no I/O beyond reading the city configuration: both environments import it.
`python -m referral.rules.eligibility` reads one case as JSON on stdin and prints the decision;
bad input exits with status 2 and a message naming the field. Staff make the legal
decision (法律援助法第四十三条); this screen never promises it.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from dataclasses import asdict, dataclass, field
from typing import Any

from referral.rules.city import CityConfig, city_config
from referral.rules.contract import china_today
from referral.rules.materials import case_papers_text
from referral.rules.matters import MATTER_CODES

ROLES = frozenset({"claimant", "respondent", "criminal_suspect", "criminal_victim", "retrial_applicant"})
STATUSES = frozenset({
    "poverty_registered", "dibao", "tekun", "social_assistance", "judicial_aid", "special_care",
    "minor_no_income", "elderly_no_income", "disabled_no_income", "migrant_worker", "martyr_relative",
    "good_samaritan", "abuse_victim", "retrial_acquitted",
})
CRIMINAL_FLAGS = frozenset({
    "minor", "blind_deaf_mute", "mental_incapacity", "possible_life_or_death", "death_review",
    "in_absentia", "compulsory_medical",
})
# Art. 31: civil and administrative matters wholly in the statutory scope (the matter code is
# the claim Art. 31 names: matters.md defines traffic_accident as personal injury, 31(7)).
ART31_MATTERS = frozenset({
    "labor_wage", "work_injury", "social_insurance", "traffic_accident", "medical_dispute",
    "environment", "state_compensation", "support_payment", "capacity",
})
# Matters only part of which Art. 31 names: the screening cannot tell which claim it is, so
# the best outcome is `likely_eligible` and staff decide the scope (issue 14, item 5; `other`:
# item 4). Each reason names the part that is in scope.
PARTIAL_SCOPE = {
    "labor_relation": "要求确认劳动关系、或者要工资（劳动报酬）的，属于法律援助的范围（法律援助法第三十一条）。"
                      "别的劳动合同争议，比如被辞退要经济补偿，能不能给法律援助，由工作人员判断。",
    "product_safety": "吃的、药品出了安全问题让人受了伤，要求人身损害赔偿的，属于法律援助的范围"
                      "（法律援助法第三十一条）。"
                      "别的产品质量问题，比如假种子、假化肥造成的损失，能不能给法律援助，由工作人员判断。",
    "administrative": "和政府部门的争议，如果是要国家赔偿、社会保险待遇、社会救助或者抚恤金，属于法律援助的范围"
                      "（法律援助法第三十一条）。别的行政争议，由工作人员按本地规定判断。",
    "other": "这件事是否属于法律援助的范围，由工作人员判断。",
}
SCOPE_REASONS = {
    "traffic_accident": "交通事故里人受了伤，要求人身损害赔偿，属于法律援助的范围（只是车辆、财物损失的不算）。",
    "medical_dispute": "医疗事故造成人身损害，要求赔偿，属于法律援助的范围。",
}
RESPONDENT_SCOPE = ("这类事的法律援助，说的是提出请求的一方，比如讨工资、要赡养费的人（法律援助法第三十一条）。"
                    "您是被要求的一方，能不能给法律援助，由工作人员判断。")
# Rule 7 (Art. 33) when the input does not say that a retrial was decided or a protest lodged.
# The chat screening does not ask it (staff check the court's or procuratorate's paper), so the
# sentence is true both for a case already decided and for one not yet decided.
RETRIAL_NOT_DECIDED = ("申诉、申请再审的案子：法院已经决定再审、或者检察院已经提出抗诉的，经济困难的可以申请法律援助，"
                       "请带上法院或检察院的文书；还没有决定的，先不能给法律援助（法律援助法第三十三条），"
                       "但可以免费咨询，也可以请工作人员帮您写申诉或再审申请（法律援助法第二十二条）。")
RETRIAL_RESPONDENT = ("申诉、再审的法律援助，说的是不服判决、提出申诉或者申请再审的一方（法律援助法第三十三条）。"
                      "您是另一方，能不能给法律援助，由工作人员判断。")
RETRIAL_TIME_LIMIT = "民事案件申请再审，一般要在判决、裁定生效后6个月内提出（民事诉讼法第二百一十六条），不要拖。"
CRIMINAL_MATTERS = frozenset({"criminal_defense", "criminal_victim"})
# Art. 42: proof of these statuses exempts from the hardship check.
EXEMPT_STATUSES = frozenset({
    "dibao", "tekun", "social_assistance", "judicial_aid", "special_care",
    "minor_no_income", "elderly_no_income", "disabled_no_income",
})
MIGRANT_MATTERS = frozenset({"labor_wage", "work_injury"})  # Art. 42(3)
# Art. 32: no economic condition. The status means the applicant says the claim arises from it
# (eligibility.md rule 6): a claimant or victim with one is eligible whatever the matter code,
# and staff verify the link. A respondent or a criminal suspect never benefits.
NO_CONDITION_STATUSES = frozenset({"abuse_victim", "martyr_relative", "good_samaritan", "retrial_acquitted"})
ART32_WHO = {
    "abuse_victim": "家暴、虐待或遗弃的受害人主张相关权益",
    "martyr_relative": "英雄烈士的近亲属维护英雄烈士的人格权益",
    "good_samaritan": "因见义勇为主张相关权益",
    "retrial_acquitted": "再审改判无罪后请求国家赔偿",
}
# Art. 25(1)(5): death-penalty review is the one Art. 25 case that needs the defendant's application.
NEEDS_APPLICATION_FLAGS = frozenset({"death_review"})

LAW = "法律援助法"
URGENT_DAYS = 7  # Art. 44(1)

ALWAYS_MATERIALS = [
    "法律援助申请表（可以请工作人员根据您的口述代填）",
    "身份证（代别人申请的，还要带自己的身份证和亲属关系或委托证明）",
]
# The third paper is the matter's own (referral/rules/materials.py), plus any court papers.
COURT_PAPERS = "已经有的起诉书、判决书等法院文书"
HARDSHIP_MATERIALS = [
    "家庭经济状况说明，并签一份个人诚信承诺书（不需要开贫困证明）；有工资条或银行流水更好",
    "注意：隐瞒或编造经济情况骗取法律援助的，要退还费用并被罚款（法律援助法第六十四条）",
]
ALTERNATIVES = [
    "免费法律咨询：任何人都可以到法律援助中心窗口、打电话或在网上咨询（法律援助法第二十二条、第二十三条）",
    "拨打12348公共法律服务热线",
    "找村（居）委会的人民调解委员会免费调解",
    "打官司交不起诉讼费的，可以向法院申请缓交、减交或免交",
]
CRIMINAL_ALTERNATIVES = [
    "没有辩护人的，可以要求见值班律师，免费提供法律咨询、程序选择建议等帮助（法律援助法第三十条）",
    "适用普通程序审理的案件，被告人没有辩护人的，法院可以通知法律援助机构指派律师（法律援助法第二十五条）",
    "拨打12348公共法律服务热线",
]
REFUSAL_OBJECTION = "工作人员如果决定不给法律援助，您可以向设立法律援助机构的司法局提出异议（法律援助法第四十九条）"

OUTCOME_RANK = {  # better for the applicant = higher
    "out_of_scope": 0, "not_eligible": 1, "likely_eligible": 2, "eligible": 3,
    "mandatory_notification": 4, "fast_track": 5,
}


class ScreeningInputError(ValueError):
    """The case is not well-formed; ``field`` names the offending input field."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(f"{field_name}: {message}")
        self.field = field_name


@dataclass(frozen=True)
class Screening:
    matter: str
    role: str = "claimant"
    region: str | None = None
    household_size: int | None = None
    household_monthly_income: float | None = None
    statuses: frozenset[str] = frozenset()
    criminal_flags: frozenset[str] = frozenset()
    has_lawyer: bool = False
    days_to_deadline: int | None = None
    needs_preservation: bool = False
    # the citizen said a deadline or hearing is close (「马上就开庭了」) without saying the day:
    # urgent, with no day made up (days_to_deadline stays null)
    deadline_soon: bool = False
    retrial_decided: bool = False
    application_date: dt.date | None = None


@dataclass
class Decision:
    outcome: str
    hardship_check: str
    priority: str
    urgent: bool
    legal_basis: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    materials: list[str] = field(default_factory=list)
    alternatives: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _exempt(matter: str, statuses: frozenset[str]) -> bool:
    """Art. 42: a status whose proof replaces the hardship check (migrant workers for wages and injury)."""
    return bool(statuses & EXEMPT_STATUSES) or ("migrant_worker" in statuses and matter in MIGRANT_MATTERS)


def _no_condition(matter: str, role: str, statuses: frozenset[str]) -> list[str]:
    """Rule 6 (Art. 32): the no-condition statuses that decide this case. They count for a claimant
    or a victim whatever the matter code; violence itself (`domestic_violence`) is the victim's
    claim. A respondent (the accused abuser, the son sued for support) or a suspect never benefits."""
    if role in ("respondent", "criminal_suspect") or matter == "criminal_defense":
        return []
    found = sorted(statuses & NO_CONDITION_STATUSES)
    return found or (["abuse_victim"] if matter == "domestic_violence" else [])


def _civil_in_scope(matter: str, config: CityConfig) -> bool:
    """Art. 31 (wholly or in part: staff decide), Art. 33 (retrial), the city's local matters, or
    `other` (staff decide the scope)."""
    return (matter in ART31_MATTERS or matter in PARTIAL_SCOPE or matter in config.local_matters
            or matter == "retrial")


def _without_condition(decision: Decision, status: str) -> Decision:
    """Rule 6 (Art. 32): eligible with no hardship check; staff verify that the claim arises from it."""
    decision.outcome, decision.hardship_check = "eligible", "not_required"
    decision.reasons.append(f"{ART32_WHO[status]}，申请法律援助不受经济困难条件限制（法律援助法第三十二条）。"
                            "工作人员会核实这件事和这个情况的关系。")
    decision.legal_basis.append(_article("三十二"))
    decision.materials.append("相关情况的证明：如报警记录、告诫书、验伤和病历、人身安全保护令、见义勇为认定、再审判决")
    return decision


def _at_most_likely(decision: Decision, reason: str | None = None) -> Decision:
    """The scope or the condition is for staff to confirm: never more than `likely_eligible`."""
    if decision.outcome == "eligible":
        decision.outcome = "likely_eligible"
    if reason:
        decision.reasons.append(reason)
    return decision


VICTIM_SCOPE = ("刑事案件的被害人、自诉人可以因经济困难申请法律援助。公安在办的案子，被害人请代理人要等案件移送检察院"
                "审查起诉以后（《刑事诉讼法》第四十六条）；还在报案、立案的时候，可以先免费咨询，工作人员帮您看怎么报案。")


def _article(number: str) -> str:
    return f"{LAW}第{number}条"


def parse_screening(data: Any, config: CityConfig | None = None) -> Screening:
    """Check and convert the JSON input of contract 2; raise ScreeningInputError naming the field."""
    config = config or city_config()
    if not isinstance(data, dict):
        raise ScreeningInputError("(input)", "expected a JSON object")
    unknown = sorted(set(data) - {f for f in Screening.__dataclass_fields__})
    if unknown:
        raise ScreeningInputError(unknown[0], "unknown field")

    def text_choice(name: str, allowed: frozenset[str], default: str | None = None) -> str:
        value = data.get(name, default)
        if not isinstance(value, str) or value not in allowed:
            raise ScreeningInputError(name, f"must be one of {sorted(allowed)}")
        return value

    def optional_int(name: str, minimum: int) -> int | None:
        value = data.get(name)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise ScreeningInputError(name, f"must be an integer >= {minimum} or null")
        return value

    def flag(name: str) -> bool:
        value = data.get(name, False)
        if not isinstance(value, bool):
            raise ScreeningInputError(name, "must be true or false")
        return value

    def choices(name: str, allowed: frozenset[str]) -> frozenset[str]:
        value = data.get(name, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ScreeningInputError(name, "must be a list of strings")
        bad = sorted(set(value) - allowed)
        if bad:
            raise ScreeningInputError(name, f"unknown value(s) {bad}; allowed: {sorted(allowed)}")
        return frozenset(value)

    region = data.get("region")
    if region is not None and (not isinstance(region, str) or not config.is_region(region)):
        raise ScreeningInputError("region", f"must be null or one of {config.region_names()}")
    income = data.get("household_monthly_income")
    if income is not None and (isinstance(income, bool) or not isinstance(income, (int, float)) or income < 0):
        raise ScreeningInputError("household_monthly_income", "must be a number >= 0 or null")
    application_date = data.get("application_date")
    if application_date is not None:
        try:
            application_date = dt.date.fromisoformat(application_date)
        except (TypeError, ValueError):
            raise ScreeningInputError("application_date", "must be a date YYYY-MM-DD or null") from None
    return Screening(
        matter=text_choice("matter", MATTER_CODES),
        role=text_choice("role", ROLES, "claimant"),
        region=region,
        household_size=optional_int("household_size", 1),
        household_monthly_income=None if income is None else float(income),
        statuses=choices("statuses", STATUSES),
        criminal_flags=choices("criminal_flags", CRIMINAL_FLAGS),
        has_lawyer=flag("has_lawyer"),
        days_to_deadline=optional_int("days_to_deadline", 0),
        needs_preservation=flag("needs_preservation"),
        deadline_soon=flag("deadline_soon"),
        retrial_decided=flag("retrial_decided"),
        application_date=application_date,
    )


def _hardship(case: Screening, config: CityConfig, decision: Decision) -> str:
    """Art. 34 and 41: passed, failed or pending (income or household size unknown)."""
    own_income = case.matter in config.own_income_matters
    size = 1 if own_income else case.household_size
    threshold = config.hardship_threshold(case.region, case.application_date or china_today())
    if (size is None and threshold is not None and case.household_monthly_income is not None
            and case.household_monthly_income <= threshold.amount):
        # the total is at or under the per-person line: so is every share of it
        decision.legal_basis.append(_article("三十四"))
        decision.reasons.append(f"家里每月总收入约{case.household_monthly_income:.0f}元，"
                                f"不高于本地经济困难标准{threshold.amount:.0f}元（每人每月）。")
        return "passed"
    if case.household_monthly_income is None or size is None:
        decision.reasons.append("还不知道家庭收入情况。申请时签一份个人诚信承诺，或由工作人员核查（法律援助法第四十一条）。")
        decision.legal_basis.append(_article("四十一"))
        return "pending"
    decision.legal_basis.append(_article("三十四"))
    if threshold is None:
        decision.reasons.append("本地经济困难标准还没有设置，由工作人员核查。")
        return "pending"
    per_person = case.household_monthly_income / size
    whose = "您本人" if own_income else "家里每人"
    if per_person <= threshold.amount:
        decision.reasons.append(f"{whose}每月收入约{per_person:.0f}元，不高于本地经济困难标准{threshold.amount:.0f}元。")
        return "passed"
    decision.reasons.append(f"{whose}每月收入约{per_person:.0f}元，高于本地经济困难标准{threshold.amount:.0f}元。")
    return "failed"


def _finish(case: Screening, decision: Decision) -> Decision:
    if decision.urgent and decision.outcome not in ("not_eligible", "out_of_scope", "mandatory_notification"):
        decision.reasons.append("时间很紧（离期限或开庭不到7天、期限快到了，或者需要马上保全），工作人员会优先处理；"
                                "属于法律援助法第四十四条规定情形的，可以先提供法律援助，材料以后补。")
        decision.legal_basis.append(_article("四十四"))
    decision.priority = (
        "fast_track" if decision.outcome == "fast_track" else "urgent" if decision.urgent else "normal"
    )
    if decision.outcome in ("not_eligible", "out_of_scope", "likely_eligible"):
        criminal_defense = case.matter == "criminal_defense" or case.role == "criminal_suspect"
        decision.alternatives = list(CRIMINAL_ALTERNATIVES if criminal_defense else ALTERNATIVES)
        decision.legal_basis += [_article("三十"), _article("二十五")] if criminal_defense else []
    if decision.outcome in ("not_eligible", "out_of_scope"):
        decision.alternatives.append(REFUSAL_OBJECTION)
        decision.legal_basis.append(_article("四十九"))
    if decision.outcome != "mandatory_notification":  # there the authority notifies (Art. 36), no Art. 43 decision
        decision.reasons.append("最后是否给予法律援助，由法律援助机构在申请材料齐全后7个工作日内决定（法律援助法第四十三条）。")
        decision.legal_basis.append(_article("四十三"))
    # Rule 1 last: the reasons that decide come first.
    decision.reasons.append("法律咨询对所有人免费（法律援助法第二十二条、第二十三条）。")
    decision.legal_basis = list(dict.fromkeys(decision.legal_basis))
    return decision


def _means_tested(case: Screening, config: CityConfig, decision: Decision, in_scope_reason: str) -> Decision:
    """Exemption (Art. 42) or the hardship check (Art. 34) for a case already in scope."""
    decision.reasons.append(in_scope_reason)
    if _exempt(case.matter, case.statuses):
        decision.outcome, decision.hardship_check = "eligible", "exempt"
        decision.reasons.append("您属于不用审查经济困难的人员，带上身份证明材料即可（法律援助法第四十二条）。")
        decision.legal_basis.append(_article("四十二"))
        decision.materials += [
            "证明身份的材料：如低保证、特困证、残疾证、司法救助决定书，或务工证明（工资记录、工友证言）",
        ]
        return decision
    decision.materials += HARDSHIP_MATERIALS
    decision.hardship_check = _hardship(case, config, decision)
    decision.outcome = {"passed": "eligible", "failed": "not_eligible", "pending": "likely_eligible"}[
        decision.hardship_check
    ]
    return decision


def screen(case: Screening, config: CityConfig | None = None) -> Decision:
    """Apply the rules of eligibility.md to one case."""
    config = config or city_config()
    urgent = ((case.days_to_deadline is not None and case.days_to_deadline < URGENT_DAYS)
              or case.needs_preservation or case.deadline_soon)
    d = Decision(outcome="", hardship_check="not_required", priority="normal", urgent=urgent,
                 materials=[*ALWAYS_MATERIALS, f"和这件事有关的材料：{case_papers_text(case.matter)}；{COURT_PAPERS}"])
    d.legal_basis += [_article("二十二"), _article("二十三")]
    # the accused in a private prosecution is a defendant too (Art. 24), not a victim (Art. 29)
    criminal_defense = (case.matter == "criminal_defense" or case.role == "criminal_suspect"
                        or (case.matter == "criminal_victim" and case.role == "respondent"))

    # Rule 3: mandatory notification (Art. 25, 28), no means test.
    if criminal_defense and case.criminal_flags and not case.has_lawyer:
        flags = case.criminal_flags
        if "death_review" in flags:
            # at the review the death sentence is passed: item 5 governs, not item 4
            flags = flags - {"possible_life_or_death"}
        d.outcome = "mandatory_notification"
        if flags - NEEDS_APPLICATION_FLAGS - {"compulsory_medical"}:
            d.reasons.append("这种情况，公安机关、检察院或法院应当通知法律援助机构指派律师，不用自己申请，"
                             "也不看经济条件（法律援助法第二十五条）。")
            d.legal_basis.append(_article("二十五"))
        elif flags & NEEDS_APPLICATION_FLAGS:
            d.reasons.append("死刑复核案件，要被告人自己提出法律援助申请，近亲属也可以代他申请（法律援助法第四十条）。"
                             "提出申请以后，法院应当通知法律援助机构指派律师，不看经济条件（法律援助法第二十五条）。")
            d.legal_basis += [_article("二十五"), _article("四十")]
        if "compulsory_medical" in flags:
            d.reasons.append("强制医疗案件，法院应当通知法律援助机构指派律师，不看经济条件（法律援助法第二十八条）。")
            d.legal_basis.append(_article("二十八"))
        d.reasons.append("办案机关应当在3日内通知法律援助机构，法律援助机构收到通知后3日内指派律师"
                         "（法律援助法第三十六条）。")
        d.legal_basis.append(_article("三十六"))
        d.reasons.append("如果办案机关一直没有通知，家属也可以直接联系法律援助中心。")
        d.materials = ["当事人姓名、关押地点、案号和办案机关（在押的可以通过看守所申请，看守所24小时内转交）"]
        return _finish(case, d)

    # Rule 2: people who already have a lawyer or agent are not eligible.
    if case.has_lawyer:
        d.outcome, d.hardship_check = "not_eligible", "not_required"
        d.reasons.append("您已经请了律师或代理人，这件事不能再申请法律援助（法律援助法第二十四条、第二十九条、第三十一条）。")
        d.legal_basis += [_article("二十四"), _article("二十九"), _article("三十一")]
        return _finish(case, d)

    if criminal_defense:  # Art. 24
        d.legal_basis.append(_article("二十四"))
        d.materials.append("当事人姓名、关押地点、案号和办案机关（在押的可以通过看守所申请，看守所24小时内转交）")
        d = _means_tested(case, config, d, "犯罪嫌疑人、被告人本人或近亲属可以因经济困难申请法律援助。")
        if d.outcome == "not_eligible":
            d.outcome = "likely_eligible"  # the hardship check stays "failed": income is over the line
            d.reasons.append("收入虽然高于标准，但因为其他原因没有请辩护人的，也可以申请（法律援助法第二十四条），"
                             "由工作人员判断。")
        return _finish(case, d)

    # Rule 6: no economic condition at all (Art. 32) for a claimant or victim whose claim arises
    # from the status, whatever the matter code; staff verify the link.
    no_condition = _no_condition(case.matter, case.role, case.statuses)
    if case.matter == "criminal_victim" or case.role == "criminal_victim":  # Art. 29
        if no_condition:
            return _finish(case, _without_condition(d, no_condition[0]))
        d.legal_basis += [_article("二十九"), "刑事诉讼法第四十六条"]
        # a victim of a public prosecution may engage an agent only once the case goes to the
        # procuratorate (刑事诉讼法第四十六条): before that, consultation and help to report
        return _finish(case, _means_tested(case, config, d, VICTIM_SCOPE))

    # Rule 9: the green channel for registered poverty households (civil and administrative).
    if case.statuses & config.poverty_statuses:
        d.outcome, d.hardship_check = "fast_track", "exempt"
        d.reasons.append("登记的脱贫户、建档立卡户和防止返贫监测户走绿色通道：凭证明直接受理，不用审查经济困难，"
                         "优先办理（工作人员会核实证明）。")
        d.materials.append("建档立卡或脱贫户登记证明（工作人员会核实）")
        return _finish(case, d)

    if no_condition:
        return _finish(case, _without_condition(d, no_condition[0]))

    if case.matter == "retrial" or case.role == "retrial_applicant":  # Rule 7, Art. 33
        d.legal_basis.append(_article("三十三"))
        if case.role == "respondent":  # Art. 33 speaks of the party who petitions
            return _finish(case, _at_most_likely(_means_tested(case, config, d, RETRIAL_RESPONDENT)))
        if case.retrial_decided:
            return _finish(case, _means_tested(
                case, config, d, "法院已经决定再审、或者检察院已经抗诉的案子，可以因经济困难申请法律援助。"))
        # the screening cannot tell that a retrial was decided: consultation and help to file only
        d = _means_tested(case, config, d, RETRIAL_NOT_DECIDED)
        d.legal_basis.append("民事诉讼法第二百一十六条")
        return _finish(case, _at_most_likely(d, RETRIAL_TIME_LIMIT))

    # Art. 31 (wholly or in part), the city's local matters (configuration) and `other`.
    local = case.matter in config.local_matters
    if not (local or case.matter in ART31_MATTERS or case.matter in PARTIAL_SCOPE):
        d.outcome, d.hardship_check = "out_of_scope", "not_required"
        # the outcome's own sentence already says 「不在本地法律援助的范围内」: the reason says why
        d.reasons.append("法律规定给法律援助的事（法律援助法第三十一条）和本市另外加的事里，没有这一类。"
                         "但可以免费咨询，也可以调解。")
        d.legal_basis.append(_article("三十一"))
        return _finish(case, d)
    if case.matter != "other":
        d.legal_basis.append(_article("三十一"))
    if case.role == "respondent" and case.matter != "other":
        # Art. 31 names the claims ("请求…"): whether it covers the other side is for staff
        return _finish(case, _at_most_likely(_means_tested(case, config, d, RESPONDENT_SCOPE)))
    if local or case.matter in ART31_MATTERS:
        reason = SCOPE_REASONS.get(case.matter, "这类事属于法律援助的范围。")
        return _finish(case, _means_tested(case, config, d, reason))
    return _finish(case, _at_most_likely(_means_tested(case, config, d, PARTIAL_SCOPE[case.matter])))


# --- what the conversation still has to ask (issue 3: "ask only what the engine needs") ---

# The questions of the pre-screen, named after the input they fill. `deadline` fills
# days_to_deadline and needs_preservation; `poverty_certificate` is not an engine input but
# what the green channel needs (staff verify it).
QUESTIONS = ("matter", "criminal_flags", "has_lawyer", "statuses", "poverty_certificate", "region",
             "household_size", "household_monthly_income", "deadline")


def role_for(matter: str) -> str:
    return {"criminal_defense": "criminal_suspect", "criminal_victim": "criminal_victim",
            "retrial": "retrial_applicant"}.get(matter, "claimant")


def questions_needed(answers: dict[str, Any], config: CityConfig | None = None) -> list[str]:
    """The questions whose answers can still change the decision, in the order to ask them.

    ``answers`` holds what is known (a question asked but not answered, 「不想说」, is present
    with value None). Questions after an unanswered one are listed on the assumption that
    they may be needed; the caller asks the first unanswered one and calls this again.
    Criminal defence asks the Art. 25 circumstances first; a registered poverty household
    is asked for its certificate and never about income; an exempt status skips income.
    """
    config = config or city_config()
    matter = answers.get("matter")
    questions = ["matter"]
    if matter is None:
        return questions
    criminal_defense = matter == "criminal_defense"
    if criminal_defense:
        questions.append("criminal_flags")
    questions.append("has_lawyer")
    if answers.get("has_lawyer") is True:
        return questions  # Rule 2: already represented; nothing else changes that
    if criminal_defense and answers.get("criminal_flags"):
        return questions  # Rule 3: mandatory notification, no means test
    questions.append("statuses")
    statuses = frozenset(answers.get("statuses") or ())
    civil = matter not in CRIMINAL_MATTERS
    if "statuses" not in answers:
        return [*questions, "deadline"]
    if civil and statuses & config.poverty_statuses:
        return [*questions, "poverty_certificate", "deadline"]  # Rule 9: the green channel
    if _no_condition(matter, role_for(matter), statuses):
        return [*questions, "deadline"]  # Rule 6: no economic condition for this claim
    if civil and not _civil_in_scope(matter, config):
        return questions  # out of scope whatever the income
    if _exempt(matter, statuses):
        return [*questions, "deadline"]  # Art. 42: no hardship check
    today = china_today()
    if config.thresholds_differ_by_region(today) and answers.get("region") is None:
        questions.append("region")
    questions.append("household_monthly_income")
    income = answers.get("household_monthly_income")
    if matter not in config.own_income_matters and income is not None:
        # the size matters only when the total is over the per-person line
        threshold = config.hardship_threshold(answers.get("region"), today)
        if threshold is None or income > threshold.amount:
            questions.append("household_size")
    elif matter not in config.own_income_matters and "household_monthly_income" not in answers:
        questions.append("household_size")  # may be needed once the income is known
    return [*questions, "deadline"]


def case_from_answers(answers: dict[str, Any], application_date: dt.date | None = None) -> dict[str, Any]:
    """The contract-2 input for the answers of a conversation (unknown values stay null)."""
    matter = answers.get("matter") or "other"
    deadline = answers.get("deadline") or {}
    case: dict[str, Any] = {
        "matter": matter,
        "role": role_for(matter),
        "region": answers.get("region"),
        "household_size": answers.get("household_size"),
        "household_monthly_income": answers.get("household_monthly_income"),
        "statuses": sorted(answers.get("statuses") or ()),
        "criminal_flags": sorted(answers.get("criminal_flags") or ()),
        "has_lawyer": bool(answers.get("has_lawyer")),
        "days_to_deadline": deadline.get("days"),
        "needs_preservation": bool(deadline.get("preservation")),
        "deadline_soon": bool(deadline.get("soon")),
    }
    if application_date is not None:
        case["application_date"] = application_date.isoformat()
    return case


def main() -> int:
    try:
        data = json.load(sys.stdin)
    except json.JSONDecodeError as exc:
        print(f"error: (input): not valid JSON: {exc}", file=sys.stderr)
        return 2
    try:
        case = parse_screening(data)
    except ScreeningInputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    json.dump(screen(case).to_dict(), sys.stdout, ensure_ascii=False, indent=2)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
