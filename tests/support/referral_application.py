"""A filled-in application as the tracker holds it when the citizen has checked the summary."""

from __future__ import annotations

FORM_OPENED = {"event": "active_loop", "name": "referral_form", "timestamp": 1_700_000_000.0}
CONSENTED = {"event": "slot", "name": "referral_consent", "value": True, "timestamp": 1_700_000_010.5}
FILLED = {
    "referral_consent": True,
    "referral_confirmed": True,
    "applicant_name": "张三",
    "applicant_phone": "13812345678",
    "region": "镇雄县",
    "description": "老板拖欠我三个月工资",
    "matter": "labor_wage",
}
