"""The papers a citizen brings for their own matter (eligibility.md, "Materials").

One list per matter code, in plain words and in the order staff most need them. The eligibility
decision and the message after an application both use it, so a violence victim is never asked
for an IOU and a wage claimant never for a police record.
"""

from __future__ import annotations

CASE_PAPERS: dict[str, tuple[str, ...]] = {
    "labor_wage": ("欠条或工资条", "考勤或干活的记录", "和老板、包工头的聊天记录", "工友的联系方式"),
    "labor_relation": ("劳动合同", "工资转账记录", "工作证、工服或考勤记录", "辞退的通知或聊天记录"),
    "work_injury": ("病历和诊断证明", "医药费发票", "在那里干活的证明（工资记录、工作证、工友证言）",
                    "工伤认定或鉴定的材料"),
    "social_insurance": ("社保缴费记录", "社保或民政部门的决定、回复", "劳动合同或工资记录", "身份证明和户口本"),
    "traffic_accident": ("交警的事故认定书", "病历和医药费发票", "误工和收入的证明", "对方的车牌和保险信息"),
    "medical_dispute": ("病历（可以要求复印，并当面封存）", "医药费发票", "诊断证明", "和医院沟通的记录"),
    "product_safety": ("购买凭证（小票、发票、网购订单）", "出问题的产品和包装", "病历和医药费发票", "损失的照片"),
    "environment": ("污染和损失的照片、视频", "损失的清单和证明", "环保部门的检测或处理记录", "病历"),
    "state_compensation": ("撤案、不起诉、无罪判决或撤销处罚的文书", "被羁押或处罚的证明", "损失的证明"),
    "support_payment": ("户口本或出生证明（证明亲属关系）", "以前的判决书或协议", "花费的票据",
                        "对方收入的线索"),
    "domestic_violence": ("报警回执、告诫书", "验伤报告和病历", "伤情照片、聊天记录、录音",
                          "证人（邻居、亲友）的联系方式"),
    "divorce": ("结婚证", "户口本和孩子的出生证明", "房子、存款等财产的材料", "对方有过错（比如出轨、家暴）的证据"),
    "inheritance": ("去世的人的死亡证明", "亲属关系证明（户口本等）", "遗嘱（有的话）", "遗产的证明（房产证、存折等）"),
    "debt_loan": ("借条或欠条", "转账记录", "催款的聊天记录或录音", "对方的身份信息"),
    "contract": ("合同或协议", "付款记录、收据、发票", "聊天记录", "对方违约的证据"),
    "housing_land": ("承包合同或经营权证、宅基地证、房产证", "村委会或政府的文件、决定", "四至、面积的证明", "照片"),
    "consumer": ("发票或购物凭证", "商品和问题的照片", "和商家的聊天记录", "付款记录"),
    "capacity": ("医院的诊断证明或鉴定意见", "户口本和亲属关系证明", "老人或病人现在的情况说明"),
    "criminal_defense": ("被抓的人的姓名、关押地点", "案号和办案机关", "拘留或逮捕通知书、起诉书（有的话）"),
    "criminal_victim": ("报警回执或立案、不立案的通知书", "验伤报告和病历", "损失的证明", "证人的联系方式"),
    "administrative": ("行政机关的决定书、处罚单", "申请、回复和送达的材料", "复议决定（有的话）"),
    "retrial": ("生效的判决书或裁定书", "新的证据", "法院决定再审或检察院抗诉的文书（有的话）"),
    "other": ("和这件事有关的材料：合同、票据、聊天记录、照片等",),
}


def case_papers(matter: str | None) -> tuple[str, ...]:
    """The papers for ``matter``; the general list for an unknown or missing code."""
    return CASE_PAPERS.get(matter or "other", CASE_PAPERS["other"])


def case_papers_text(matter: str | None) -> str:
    """The papers as one phrase: 「借条或欠条、转账记录、……」."""
    return "、".join(case_papers(matter))
