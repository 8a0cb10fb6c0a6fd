"""Which response answers which intent, matter or follow-up: every name written out, so that a
test can check each one against the merged domain (responses are never named at run time).

Outside the forms, rules in data/ answer these intents with the same responses.
"""

from __future__ import annotations

from bot.safety import DANGER_NOW, FRAUD_NOW, SELF_HARM

# A matter's own answer: what to do first, where, time limits, evidence, the legal basis.
MATTER_ANSWERS: dict[str, str] = {
    "labor_wage": "utter_answer_labor_wage",
    "labor_relation": "utter_answer_labor_relation",
    "work_injury": "utter_answer_work_injury",
    "social_insurance": "utter_answer_social_insurance",
    "traffic_accident": "utter_answer_traffic_accident",
    "medical_dispute": "utter_answer_medical_dispute",
    "product_safety": "utter_answer_product_safety",
    "environment": "utter_answer_environment",
    "state_compensation": "utter_answer_state_compensation",
    "support_payment": "utter_answer_support_payment",
    "domestic_violence": "utter_answer_domestic_violence",
    "divorce": "utter_answer_divorce",
    "inheritance": "utter_answer_inheritance",
    "debt_loan": "utter_answer_debt_loan",
    "contract": "utter_answer_contract",
    "housing_land": "utter_answer_housing_land",
    "consumer": "utter_answer_consumer",
    "capacity": "utter_answer_capacity",
    "criminal_defense": "utter_answer_criminal_defense",
    "criminal_victim": "utter_answer_criminal_victim",
    "administrative": "utter_answer_administrative",
    "retrial": "utter_answer_retrial",
}

# Questions on one topic: 「工伤认定要多久」 → its short answer.
QUESTION_ANSWERS: dict[str, str] = {
    "question_contract_deposit": "utter_answer_contract_deposit",
    "question_criminal_defense_apply_aid": "utter_answer_criminal_defense_apply_aid",
    "question_criminal_defense_bail": "utter_answer_criminal_defense_bail",
    "question_criminal_defense_duty_lawyer": "utter_answer_criminal_defense_duty_lawyer",
    "question_criminal_defense_family_hire_lawyer": "utter_answer_criminal_defense_family_hire_lawyer",
    "question_criminal_defense_family_visit": "utter_answer_criminal_defense_family_visit",
    "question_criminal_defense_lawyer_meeting": "utter_answer_criminal_defense_lawyer_meeting",
    "question_criminal_defense_mandatory_aid": "utter_answer_criminal_defense_mandatory_aid",
    "question_debt_loan_no_iou": "utter_answer_debt_loan_no_iou",
    "question_divorce_bride_price": "utter_answer_divorce_bride_price",
    "question_divorce_child_custody": "utter_answer_divorce_child_custody",
    "question_divorce_how_to": "utter_answer_divorce_how_to",
    "question_divorce_property": "utter_answer_divorce_property",
    "question_divorce_spouse_refuses": "utter_answer_divorce_spouse_refuses",
    "question_divorce_visitation": "utter_answer_divorce_visitation",
    "question_domestic_violence_divorce": "utter_answer_domestic_violence_divorce",
    "question_domestic_violence_evidence": "utter_answer_domestic_violence_evidence",
    "question_domestic_violence_police": "utter_answer_domestic_violence_police",
    "question_domestic_violence_protection_order_apply": "utter_answer_domestic_violence_protection_order_apply",
    "question_domestic_violence_protection_order_time": "utter_answer_domestic_violence_protection_order_time",
    "question_domestic_violence_shelter": "utter_answer_domestic_violence_shelter",
    "question_enforce_judgment": "utter_answer_enforce_judgment",
    "question_labor_wage_arbitration_cost": "utter_answer_labor_wage_arbitration_cost",
    "question_labor_wage_arbitration_process": "utter_answer_labor_wage_arbitration_process",
    "question_labor_wage_contractor_fled": "utter_answer_labor_wage_contractor_fled",
    "question_labor_wage_evidence": "utter_answer_labor_wage_evidence",
    "question_labor_wage_time_limit": "utter_answer_labor_wage_time_limit",
    "question_labor_wage_where_complain": "utter_answer_labor_wage_where_complain",
    "question_inheritance_lifetime_gift": "utter_answer_inheritance_lifetime_gift",
    "question_labor_relation_probation": "utter_answer_labor_relation_probation",
    "question_labor_relation_quit_compensation": "utter_answer_labor_relation_quit_compensation",
    "question_legal_aid_cost": "utter_answer_legal_aid_cost",
    "question_legal_aid_court_fees": "utter_answer_legal_aid_court_fees",
    "question_legal_aid_how_to_apply": "utter_answer_legal_aid_how_to_apply",
    "question_legal_aid_materials": "utter_answer_legal_aid_materials",
    "question_legal_aid_office_location": "utter_answer_legal_aid_office_location",
    "question_legal_aid_processing_time": "utter_answer_legal_aid_processing_time",
    "question_legal_aid_refused_objection": "utter_answer_legal_aid_refused_objection",
    "question_social_insurance_back_pay": "utter_answer_social_insurance_back_pay",
    "question_support_payment_child_support_amount": "utter_answer_support_payment_child_support_amount",
    "question_support_payment_elderly_duty": "utter_answer_support_payment_elderly_duty",
    "question_support_payment_increase": "utter_answer_support_payment_increase",
    "question_support_payment_refuses_after_judgment": "utter_answer_support_payment_refuses_after_judgment",
    "question_support_payment_time_limit": "utter_answer_support_payment_time_limit",
    "question_support_payment_until_age": "utter_answer_support_payment_until_age",
    "question_traffic_accident_compensation_items": "utter_answer_traffic_accident_compensation_items",
    "question_traffic_accident_hit_and_run": "utter_answer_traffic_accident_hit_and_run",
    "question_traffic_accident_liability_dispute": "utter_answer_traffic_accident_liability_dispute",
    "question_traffic_accident_mediation": "utter_answer_traffic_accident_mediation",
    "question_traffic_accident_medical_bills": "utter_answer_traffic_accident_medical_bills",
    "question_traffic_accident_time_limit": "utter_answer_traffic_accident_time_limit",
    "question_work_injury_commute": "utter_answer_work_injury_commute",
    "question_work_injury_compensation_items": "utter_answer_work_injury_compensation_items",
    "question_work_injury_employer_refuses": "utter_answer_work_injury_employer_refuses",
    "question_work_injury_no_contract": "utter_answer_work_injury_no_contract",
    "question_work_injury_no_insurance": "utter_answer_work_injury_no_insurance",
    "question_work_injury_occupational_disease": "utter_answer_work_injury_occupational_disease",
    "question_work_injury_recognition_deadline": "utter_answer_work_injury_recognition_deadline",
}

# A follow-up without a topic (「多久之内要去告」: actions/bot_answers.FOLLOWUPS) once the matter is
# known: (what it asks, matter) → the short answer, or the points of the matter's answer on that
# question (`utter_answer_<matter>_<what>`, in the topic's answers.yml). A pair not here gets
# FOLLOWUP_NO_ANSWER: said honestly, never the whole answer again.
FOLLOWUP_ANSWERS: dict[tuple[str, str], str] = {
    ("time_limit", "labor_wage"): "utter_answer_labor_wage_time_limit",
    ("time_limit", "labor_relation"): "utter_answer_labor_relation_time_limit",
    ("time_limit", "work_injury"): "utter_answer_work_injury_recognition_deadline",
    ("time_limit", "social_insurance"): "utter_answer_social_insurance_time_limit",
    ("time_limit", "traffic_accident"): "utter_answer_traffic_accident_time_limit",
    ("time_limit", "medical_dispute"): "utter_answer_medical_dispute_time_limit",
    ("time_limit", "product_safety"): "utter_answer_product_safety_time_limit",
    ("time_limit", "environment"): "utter_answer_environment_time_limit",
    ("time_limit", "state_compensation"): "utter_answer_state_compensation_time_limit",
    ("time_limit", "support_payment"): "utter_answer_support_payment_time_limit",
    ("time_limit", "domestic_violence"): "utter_answer_domestic_violence_time_limit",
    ("time_limit", "divorce"): "utter_answer_divorce_time_limit",
    ("time_limit", "inheritance"): "utter_answer_inheritance_time_limit",
    ("time_limit", "debt_loan"): "utter_answer_debt_loan_time_limit",
    ("time_limit", "contract"): "utter_answer_contract_time_limit",
    ("time_limit", "housing_land"): "utter_answer_housing_land_time_limit",
    ("time_limit", "consumer"): "utter_answer_consumer_time_limit",
    ("time_limit", "capacity"): "utter_answer_capacity_time_limit",
    ("time_limit", "criminal_defense"): "utter_answer_criminal_defense_time_limit",
    ("time_limit", "criminal_victim"): "utter_answer_criminal_victim_time_limit",
    ("time_limit", "administrative"): "utter_answer_administrative_time_limit",
    ("time_limit", "retrial"): "utter_answer_retrial_time_limit",
    ("where", "labor_wage"): "utter_answer_labor_wage_where_complain",
    ("where", "labor_relation"): "utter_answer_labor_relation_where",
    ("where", "traffic_accident"): "utter_answer_traffic_accident_where",
    ("where", "domestic_violence"): "utter_answer_domestic_violence_where",
    ("where", "divorce"): "utter_answer_divorce_where",
    ("where", "inheritance"): "utter_answer_inheritance_where",
    ("where", "debt_loan"): "utter_answer_debt_loan_where",
    ("where", "housing_land"): "utter_answer_housing_land_where",
    ("evidence", "labor_wage"): "utter_answer_labor_wage_evidence",
    ("evidence", "domestic_violence"): "utter_answer_domestic_violence_evidence",
    ("how_much", "work_injury"): "utter_answer_work_injury_compensation_items",
    ("how_much", "traffic_accident"): "utter_answer_traffic_accident_compensation_items",
    ("how_much", "support_payment"): "utter_answer_support_payment_child_support_amount",
    ("refuses", "work_injury"): "utter_answer_work_injury_employer_refuses",
    ("refuses", "divorce"): "utter_answer_divorce_spouse_refuses",
    ("where", "work_injury"): "utter_answer_work_injury_where",
    ("where", "social_insurance"): "utter_answer_social_insurance_where",
    ("where", "medical_dispute"): "utter_answer_medical_dispute_where",
    ("where", "product_safety"): "utter_answer_product_safety_where",
    ("where", "environment"): "utter_answer_environment_where",
    ("where", "state_compensation"): "utter_answer_state_compensation_where",
    ("where", "support_payment"): "utter_answer_support_payment_where",
    ("where", "contract"): "utter_answer_contract_where",
    ("where", "consumer"): "utter_answer_consumer_where",
    ("where", "capacity"): "utter_answer_capacity_where",
    ("where", "criminal_defense"): "utter_answer_criminal_defense_where",
    ("where", "criminal_victim"): "utter_answer_criminal_victim_where",
    ("where", "administrative"): "utter_answer_administrative_where",
    ("where", "retrial"): "utter_answer_retrial_where",
    ("evidence", "labor_relation"): "utter_answer_labor_relation_evidence",
    ("evidence", "work_injury"): "utter_answer_work_injury_evidence",
    ("evidence", "social_insurance"): "utter_answer_social_insurance_evidence",
    ("evidence", "traffic_accident"): "utter_answer_traffic_accident_evidence",
    ("evidence", "medical_dispute"): "utter_answer_medical_dispute_evidence",
    ("evidence", "product_safety"): "utter_answer_product_safety_evidence",
    ("evidence", "environment"): "utter_answer_environment_evidence",
    ("evidence", "state_compensation"): "utter_answer_state_compensation_evidence",
    ("evidence", "support_payment"): "utter_answer_support_payment_evidence",
    ("evidence", "divorce"): "utter_answer_divorce_evidence",
    ("evidence", "inheritance"): "utter_answer_inheritance_evidence",
    ("evidence", "debt_loan"): "utter_answer_debt_loan_evidence",
    ("evidence", "contract"): "utter_answer_contract_evidence",
    ("evidence", "housing_land"): "utter_answer_housing_land_evidence",
    ("evidence", "consumer"): "utter_answer_consumer_evidence",
    ("evidence", "capacity"): "utter_answer_capacity_evidence",
    ("evidence", "criminal_victim"): "utter_answer_criminal_victim_evidence",
    ("evidence", "administrative"): "utter_answer_administrative_evidence",
    ("evidence", "retrial"): "utter_answer_retrial_evidence",
    ("how_much", "labor_wage"): "utter_answer_labor_wage_how_much",
    ("how_much", "labor_relation"): "utter_answer_labor_relation_how_much",
    ("how_much", "social_insurance"): "utter_answer_social_insurance_how_much",
    ("how_much", "medical_dispute"): "utter_answer_medical_dispute_how_much",
    ("how_much", "product_safety"): "utter_answer_product_safety_how_much",
    ("how_much", "environment"): "utter_answer_environment_how_much",
    ("how_much", "state_compensation"): "utter_answer_state_compensation_how_much",
    ("how_much", "divorce"): "utter_answer_divorce_how_much",
    ("how_much", "inheritance"): "utter_answer_inheritance_how_much",
    ("how_much", "debt_loan"): "utter_answer_debt_loan_how_much",
    ("how_much", "contract"): "utter_answer_contract_how_much",
    ("how_much", "housing_land"): "utter_answer_housing_land_how_much",
    ("how_much", "consumer"): "utter_answer_consumer_how_much",
    ("how_much", "capacity"): "utter_answer_capacity_how_much",
    ("how_much", "criminal_defense"): "utter_answer_criminal_defense_how_much",
    ("how_much", "criminal_victim"): "utter_answer_criminal_victim_how_much",
    ("how_much", "administrative"): "utter_answer_administrative_how_much",
    ("how_much", "retrial"): "utter_answer_retrial_how_much",
    ("refuses", "labor_wage"): "utter_answer_labor_wage_refuses",
    ("refuses", "labor_relation"): "utter_answer_labor_relation_refuses",
    ("refuses", "social_insurance"): "utter_answer_social_insurance_refuses",
    ("refuses", "traffic_accident"): "utter_answer_traffic_accident_refuses",
    ("refuses", "medical_dispute"): "utter_answer_medical_dispute_refuses",
    ("refuses", "product_safety"): "utter_answer_product_safety_refuses",
    ("refuses", "environment"): "utter_answer_environment_refuses",
    ("refuses", "state_compensation"): "utter_answer_state_compensation_refuses",
    ("refuses", "support_payment"): "utter_answer_support_payment_refuses",
    ("refuses", "domestic_violence"): "utter_answer_domestic_violence_refuses",
    ("refuses", "inheritance"): "utter_answer_inheritance_refuses",
    ("refuses", "debt_loan"): "utter_answer_debt_loan_refuses",
    ("refuses", "contract"): "utter_answer_contract_refuses",
    ("refuses", "housing_land"): "utter_answer_housing_land_refuses",
    ("refuses", "consumer"): "utter_answer_consumer_refuses",
    ("refuses", "capacity"): "utter_answer_capacity_refuses",
    ("refuses", "criminal_defense"): "utter_answer_criminal_defense_refuses",
    ("refuses", "criminal_victim"): "utter_answer_criminal_victim_refuses",
    ("refuses", "administrative"): "utter_answer_administrative_refuses",
    ("refuses", "retrial"): "utter_answer_retrial_refuses",
}

# Danger first, inside a form too (bot/safety.py recognises these by rule).
SAFETY_REPLIES: dict[str, str] = {
    SELF_HARM: "utter_safety_self_harm",
    DANGER_NOW: "utter_safety_danger_now",
    FRAUD_NOW: "utter_safety_fraud_now",
}

# A question on the fraud right after its reply: how to get the money back, what to take to the police.
FRAUD_FOLLOWUP = "utter_safety_fraud_followup"

# After the reply to violence happening now, when the city configured its SMS alarm number
# (city.yaml `sms_alarm`: 12110 usually needs a local suffix, so no number is guessed).
SMS_ALARM = "utter_safety_sms_alarm"

# The offer to check eligibility or apply, sent after a matter's answer outside the forms (by the
# rules in data/topics/*/answers.yml, and after a crisis reply by action_answer_underlying_problem).
OFFER_HELP = "utter_offer_help"
# The yes/no offer to pass the screening's answers on to staff (actions/screening.py), and the
# same offer asked again; while it is the bot's last message, 「要」 means "yes, apply".
OFFER_APPLICATION = "utter_offer_application"
OFFER_APPLICATION_ANYWAY = "utter_offer_application_anyway"
OFFER_AGAIN = "utter_offer_again"
OFFERS_TO_APPLY = frozenset({OFFER_APPLICATION, OFFER_APPLICATION_ANYWAY, OFFER_AGAIN})
# A problem no matter code covers, or too vague to tell: what happened? (matter `other`)
ASK_WHAT_HAPPENED = "utter_answer_other"
# A follow-up the matter has no answer for.
FOLLOWUP_NO_ANSWER = "utter_followup_no_answer"
# How much support a child's parent can claim (抚养费) and how much a parent can claim from grown
# children (赡养费): one matter code, two answers (actions/citizen_replies.supports_parents).
CHILD_SUPPORT_AMOUNT = "utter_answer_support_payment_child_support_amount"
PARENT_SUPPORT_AMOUNT = "utter_answer_support_payment_elderly_amount"
# The support matter's answer, and its versions for one side (citizen_replies.support_side).
SUPPORT = "utter_answer_support_payment"
SUPPORT_FOR = {"parents": "utter_answer_support_payment_parents", "child": "utter_answer_support_payment_child"}
# What to do about a debt: the lender's answer (the matter's) and the borrower's
# (actions/citizen_replies.owes_the_money).
DEBT_LENDER = "utter_answer_debt_loan"
DEBT_BORROWER = "utter_answer_debt_loan_borrower"
# The land and house matter's answer, and its versions for one kind of problem
# (citizen_replies.housing_kind).
HOUSING = "utter_answer_housing_land"
HOUSING_FOR = {
    "expropriation": "utter_answer_housing_land_expropriation", "neighbour": "utter_answer_housing_land_neighbour",
    "contract": "utter_answer_housing_land_contract", "purchase": "utter_answer_housing_land_purchase",
}
# How long it takes, and the same question once the citizen has applied in this conversation.
PROCESSING_TIME = "utter_answer_legal_aid_processing_time"
AFTER_SUBMISSION = "utter_answer_legal_aid_after_submission"
# A crime victim's answer, and the version for someone beaten up (citizen_replies.was_beaten).
CRIME_VICTIM = "utter_answer_criminal_victim"
ASSAULT_VICTIM = "utter_answer_criminal_victim_assault"
# 「俺不识字 这事咋弄」: what can be done by word of mouth, whatever the matter.
CANNOT_WRITE = "utter_answer_cannot_write"
# A decision the other side does not carry out: how to apply for enforcement.
ENFORCE_JUDGMENT = "utter_answer_enforce_judgment"
# A follow-up before any matter is known: which matter is it?
WHICH_MATTER = "utter_followup_which_matter"
# An answer the citizen was given already in this conversation: pointed to, never sent twice.
ANSWERED_ABOVE = "utter_answered_above"
