"""What the referral page needs beside the desk's steps: colleagues a head may assign, and whether
the account the citizen gave is a real one."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from referral.desk import works_on
from referral.models import Referral, ReferralStatus, Role, StaffUser
from referral.rules.city import city_config


def colleagues(session: Session, user: StaffUser, referral: Referral) -> list[StaffUser]:
    """Whom a centre head (or an administrator) may give the referral to: the active staff of its
    station and of the agency that decides for it. Empty for anyone else."""
    if not (user.is_admin or (user.head and user.role == Role.staff)) or not works_on(user, referral):
        return []
    if referral.station is None or referral.status not in (ReferralStatus.new, ReferralStatus.transferred,
                                                           ReferralStatus.claimed, ReferralStatus.accepted):
        return []
    stations = {referral.station.id, referral.station.parent_id} - {None}
    return list(session.scalars(
        select(StaffUser).where(StaffUser.station_id.in_(stations), StaffUser.active.is_(True),
                                StaffUser.role == Role.staff).order_by(StaffUser.display_name, StaffUser.id)
    ).all())


def account_is_only_a_place(referral: Referral) -> bool:
    """The chat sometimes files a county's name as the account (「威信县」): then the page says so
    and shows what the citizen said in the conversation instead."""
    return city_config().names_only_a_place(referral.description)
