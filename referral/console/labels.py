"""Chinese labels the console shows for codes (statuses, screening fields, channels)."""

from __future__ import annotations

from referral.labels import (  # noqa: F401 (templates)
    CHANNEL_LABELS,
    PRIORITY_LABELS,
    PRIORITY_REASON_LABELS,
    ROLE_LABELS,
    STATUS_LABELS,
)

STATUS_FILTERS: dict[str, str] = {"todo": "待办（未作决定，或已作决定待结案）", "open": "未作决定", **STATUS_LABELS,
                                  "transferred_out": "已转出（只能查看）", "all": "全部"}
# Screening input and decision (shared/domain/eligibility.md)
SCREENING_FIELDS: dict[str, str] = {
    "matter": "事项",
    "role": "申请人身份",
    "region": "县区",
    "household_size": "家庭人口（人）",
    "household_monthly_income": "家庭月收入（元）",
    "statuses": "特殊情况",
    "criminal_flags": "刑事案件情形",
    "has_lawyer": "已经有律师或代理人",
    "days_to_deadline": "距离时效或起诉期限（天）",
    "needs_preservation": "需要马上保全财产、证据或先予执行",
    "deadline_soon": "群众说期限或开庭快到了（没说几天）",
    "retrial_decided": "法院已决定再审或检察院已抗诉",
}
ROLES: dict[str, str] = {
    "claimant": "原告、申请人一方",
    "respondent": "被告、被申请人一方",
    "criminal_suspect": "犯罪嫌疑人、被告人",
    "criminal_victim": "刑事被害人、自诉人",
    "retrial_applicant": "申诉、再审申请人",
}
STATUSES: dict[str, str] = {
    "poverty_registered": "建档立卡贫困户（含脱贫户、监测对象）",
    "dibao": "低保对象",
    "tekun": "特困供养人员",
    "social_assistance": "其他社会救助对象",
    "judicial_aid": "司法救助对象",
    "special_care": "优抚对象",
    "minor_no_income": "无固定收入的未成年人",
    "elderly_no_income": "无固定收入的老年人",
    "disabled_no_income": "无固定收入的残疾人",
    "migrant_worker": "农民工（讨薪、工伤）",
    "martyr_relative": "英雄烈士近亲属",
    "good_samaritan": "见义勇为",
    "abuse_victim": "虐待、遗弃、家庭暴力受害人",
    "retrial_acquitted": "再审改判无罪后请求国家赔偿",
}
CRIMINAL_FLAGS: dict[str, str] = {
    "minor": "未成年人",
    "blind_deaf_mute": "盲、聋、哑人",
    "mental_incapacity": "尚未完全丧失辨认或控制能力的精神病人",
    "possible_life_or_death": "可能判处无期徒刑、死刑",
    "death_review": "死刑复核案件",
    "in_absentia": "缺席审判",
    "compulsory_medical": "强制医疗案件",
}
OUTCOMES: dict[str, str] = {
    "fast_track": "绿色通道：凭建档立卡证明直接受理",
    "eligible": "符合条件",
    "likely_eligible": "在援助范围内，经济困难还要核查",
    "mandatory_notification": "应当通知辩护（不需要申请）",
    "not_eligible": "不符合条件",
    "out_of_scope": "不在法律援助范围",
}
HARDSHIP_CHECKS: dict[str, str] = {
    "exempt": "免予核查",
    "not_required": "不需要核查",
    "passed": "已通过",
    "failed": "未通过",
    "pending": "待核查",
}


def in_words(words: dict[str, str], code: str | None) -> str | None:
    """A code's label, or the code itself when it has none; None stays None."""
    return None if code is None else words.get(code, code)


def yes_no(value: object) -> str:
    return "是" if value else "否"


def screening_rows(screening: dict | None) -> list[tuple[str, str]]:
    """The pre-screen answers as (label, readable value) pairs, in the contract's order."""
    from referral.rules.matters import MATTERS

    if not screening:
        return []
    rows: list[tuple[str, str]] = []
    for key, label in SCREENING_FIELDS.items():
        if key not in screening:
            continue
        value = screening[key]
        if key == "matter":
            text = MATTERS.get(value, value or "未填")
        elif key == "role":
            text = ROLES.get(value, value or "未填")
        elif key == "statuses":
            text = "、".join(STATUSES.get(v, v) for v in value or ()) or "无"
        elif key == "criminal_flags":
            text = "、".join(CRIMINAL_FLAGS.get(v, v) for v in value or ()) or "无"
        elif key in ("has_lawyer", "needs_preservation", "deadline_soon", "retrial_decided"):
            text = yes_no(value)
        elif value is None:
            text = "没有说"
        else:
            text = str(value)
        rows.append((label, text))
    return rows
