"""The request that hands an application to the referral service, and its idempotency key."""

from __future__ import annotations

from actions.referral_request import idempotency_key, referral_payload
from tests.support.referral_application import FILLED, FORM_OPENED
from tests.support.trackers import make_tracker, slot_event, user_message

FORM_OPENED_AT_50 = {**FORM_OPENED, "timestamp": 50.0}


def test_idempotency_key_is_stable_per_application():
    first = make_tracker(events=[FORM_OPENED])
    again = make_tracker(events=[FORM_OPENED, {"event": "slot", "name": "x", "value": 1, "timestamp": 5.0}])
    later = make_tracker(events=[FORM_OPENED, {**FORM_OPENED, "timestamp": 1_700_000_500.0}])
    other_sender = make_tracker(events=[FORM_OPENED], sender_id="citizen-2")
    assert idempotency_key(first) == idempotency_key(again)
    assert idempotency_key(first) != idempotency_key(later)
    assert idempotency_key(first) != idempotency_key(other_sender)
    assert idempotency_key(first).startswith("rasa-") and len(idempotency_key(first)) == 45


def test_payload_uses_latest_input_channel():
    assert referral_payload(make_tracker(slots=FILLED, channel="wechat"))["channel"] == "wechat"


def test_payload_carries_conversation_and_township():
    slots = {"referral_consent": True, "referral_confirmed": True, "applicant_name": "张三",
             "applicant_phone": "13812345678", "region": "镇雄县", "description": "老板拖欠我三个月工资",
             "matter": "labor_wage"}
    events = [user_message("老板拖欠我三个月工资怎么办", 1.0), user_message("我要申请法律援助", 2.0), FORM_OPENED_AT_50,
              slot_event("requested_slot", "region", 60.0), user_message("镇雄县泼机镇", 61.0),
              slot_event("region", "镇雄县", 61.5)]
    payload = referral_payload(make_tracker(events=events, slots=slots))
    assert payload["conversation"] == ["老板拖欠我三个月工资怎么办", "我要申请法律援助"]
    assert payload["township"] == "泼机镇"


def test_payload_names_the_danger_the_citizen_spoke_of_so_staff_call_first():
    said = [
        user_message("我不想活了", 1.0),  # read as inform here: the words decide, not only the intent
        user_message("他说今晚回来要打死我", 2.0),
        {"event": "user", "text": "那个客服", "timestamp": 3.0, "parse_data": {"intent": {"name": "safety_fraud_now"}}},
    ]
    payload = referral_payload(make_tracker(slots=FILLED, events=[*said, FORM_OPENED_AT_50]))
    assert payload["dangers"] == ["self_harm", "violence", "fraud"]


def test_no_danger_no_field_and_a_new_session_forgets_the_old_one():
    said = [user_message("他说要杀了我", 1.0), {"event": "session_started", "timestamp": 2.0},
            user_message("老板欠我三个月工资", 3.0)]
    assert "dangers" not in referral_payload(make_tracker(slots=FILLED, events=[*said, FORM_OPENED_AT_50]))
    calm = [user_message("他以前打过我", 1.0)]  # violence in the past is the matter, not a danger now
    assert "dangers" not in referral_payload(make_tracker(slots=FILLED, events=[*calm, FORM_OPENED_AT_50]))


def test_a_wechat_application_gives_the_openid_for_the_decision_and_others_give_none():
    wechat = referral_payload(make_tracker(slots=FILLED, channel="wechat", sender_id="oAbc123openid"))
    assert wechat["reply_to"] == "oAbc123openid"
    assert "reply_to" not in referral_payload(make_tracker(slots=FILLED, channel="rest"))
