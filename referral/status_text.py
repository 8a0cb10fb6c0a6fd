"""What the citizen hears when they check their application: plain Simplified Chinese.

Pure: reads a Referral (and its station) and returns one short paragraph. Never names staff.
"""

from __future__ import annotations

from referral.models import Referral, ReferralStatus

HOTLINE = "12348"


def _station_name(referral: Referral) -> str:
    return referral.station.name if referral.station is not None else "法律援助中心"


def _bureau(referral: Referral) -> str:
    agency = referral.station.agency if referral.station is not None else None
    if agency is not None and agency.justice_bureau:
        return agency.justice_bureau
    return "设立法律援助机构的司法局"


def status_text(referral: Referral) -> str:
    """One paragraph for the referral's current status, for a farmer or an elderly person."""
    status = referral.status
    if status == ReferralStatus.new:
        # Art. 43 counts from a complete application, not from this referral: no date is promised.
        return ("已经收到，正在等工作人员处理，工作人员会打电话联系您。"
                "申请材料齐全后，法律援助机构会在7个工作日内决定给不给您法律援助。")
    if status == ReferralStatus.claimed:
        return f"{_station_name(referral)}的工作人员已经在办理，会打电话联系您。"
    if status == ReferralStatus.accepted:
        return "已经决定给您法律援助，工作人员会在3个工作日内安排律师或法律援助人员联系您。"
    if status == ReferralStatus.refused:
        return ("已经决定不给您法律援助。您会收到一份书面通知，上面写着原因。"
                f"如果不同意这个决定，可以向{_bureau(referral)}提出异议（《法律援助法》第四十九条）。")
    if status == ReferralStatus.transferred:
        return f"已经转给{_station_name(referral)}，由他们办理。"
    if status == ReferralStatus.closed:
        return "这件事已经办结。"
    return f"正在办理。有问题请打{HOTLINE}。"
