"""Matter codes (事项代码): the one vocabulary from shared/domain/matters.md."""

from __future__ import annotations

# code -> short Chinese label, in the order of matters.md
MATTERS: dict[str, str] = {
    "labor_wage": "拖欠劳动报酬（讨薪）",
    "labor_relation": "劳动关系、劳动合同",
    "work_injury": "工伤",
    "social_insurance": "社会保险待遇、社会救助",
    "traffic_accident": "交通事故人身损害",
    "medical_dispute": "医疗事故人身损害",
    "product_safety": "食品药品、产品质量",
    "environment": "环境污染、生态破坏",
    "state_compensation": "国家赔偿",
    "support_payment": "赡养费、抚养费、扶养费",
    "domestic_violence": "家庭暴力、虐待、遗弃",
    "divorce": "婚姻家庭",
    "inheritance": "继承",
    "debt_loan": "借贷、欠款",
    "contract": "合同纠纷",
    "housing_land": "房屋、宅基地、土地",
    "consumer": "消费维权",
    "capacity": "认定民事行为能力",
    "criminal_defense": "刑事辩护",
    "criminal_victim": "刑事被害人",
    "administrative": "行政争议",
    "retrial": "申诉、再审",
    "other": "其他或无法判断",
}

MATTER_CODES: frozenset[str] = frozenset(MATTERS)


def is_matter_code(code: str) -> bool:
    """Return True when ``code`` is one of the matter codes."""
    return code in MATTER_CODES
