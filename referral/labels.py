"""Chinese labels for the referral codes staff see: statuses, priorities, channels (one copy for
the console, the statistics and the exports)."""

from __future__ import annotations

from referral.models import Priority, ReferralStatus, Role

STATUS_LABELS: dict[str, str] = {
    ReferralStatus.new.value: "待认领",
    ReferralStatus.claimed.value: "已认领，待决定",
    ReferralStatus.accepted.value: "已决定给予法律援助",
    ReferralStatus.refused.value: "已决定不予法律援助",
    ReferralStatus.transferred.value: "转交来的，待认领",
    ReferralStatus.closed.value: "已结案",
}
ROLE_LABELS: dict[str, str] = {
    Role.staff.value: "工作人员", Role.admin.value: "管理员", Role.operator.value: "热线话务员",
}
PRIORITY_LABELS: dict[str, str] = {
    Priority.fast_track.value: "绿色通道",
    Priority.urgent.value: "紧急",
    Priority.normal.value: "普通",
}
# Why a ticket has its priority (referral/rules/priority.py): what staff do first.
PRIORITY_REASON_LABELS: dict[str, str] = {
    "self_harm": "申请人说过想轻生：尽快打电话，先问安全（120、心理援助热线12356）",
    "violence": "申请人说过正在挨打或有人扬言要打死、杀害他：尽快联系，先问安全（110、人身安全保护令）",
    "fraud": "申请人说过正在被骗转账：尽快联系（110、96110、银行止付）",
    "mandatory_notification": "应当通知辩护（《法律援助法》第二十五条）：核实是否已由办案机关通知指派",
    "deadline_soon": "时效或期限不到7天，或急需保全（《法律援助法》第四十四条）：可以先行提供法律援助",
    "fast_track": "脱贫户绿色通道：核实登记证明",
}
# Channels are free text from the bot and API clients; an unknown channel is shown as its code.
CHANNEL_LABELS: dict[str, str] = {
    "wechat": "微信公众号",
    "web": "网页聊天",
    "webchat": "网页聊天",
    "socketio": "网页聊天",
    "rest": "网页或接口",
    "hotline": "热线电话",
    "counter": "窗口来访",  # counter intake in the console (referral/intake.py)
    "phone": "电话申请",  # an application taken by staff over the phone
    "operator": "热线电话",
    "cmdline": "命令行（测试）",
    "unknown": "未知",
}
