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
ROLE_LABELS: dict[str, str] = {Role.staff.value: "工作人员", Role.admin.value: "管理员"}
PRIORITY_LABELS: dict[str, str] = {
    Priority.fast_track.value: "绿色通道",
    Priority.urgent.value: "紧急",
    Priority.normal.value: "普通",
}
# Channels are free text from the bot and API clients; an unknown channel is shown as its code.
CHANNEL_LABELS: dict[str, str] = {
    "wechat": "微信公众号",
    "webchat": "网页聊天",
    "socketio": "网页聊天",
    "rest": "网页或接口",
    "hotline": "热线电话",
    "operator": "热线电话",
    "cmdline": "命令行（测试）",
    "unknown": "未知",
}
