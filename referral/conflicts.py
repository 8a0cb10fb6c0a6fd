"""The opposing party and the conflict and duplicate check (issue 17 item 5).

Before deciding, staff should know whether the centre already helps, or helped, the other side
(a conflict of interest), and whether the same person applied already (a duplicate). The check
compares this referral with the other referrals the user may see (referral.desk.visible_referrals)
and only advises: staff verify and decide.

Names and phone numbers are written in many ways: 「張 三」 is 张三, 「+86-138 0013 8000」 and
「１３８００１３８０００」 are 13800138000. Both sides are compared through a key: NFKC (full-width
forms to half-width), traditional characters to simplified (OpenCC t2s), case folded, and only
letters and digits kept (spaces, the middle dot of 「阿依·木呷」, brackets and dashes go).

Cost: one SELECT of eight light columns per check, not whole rows. The database filters first on
what it can compare without the key: the other referral is visible to the user, is not this one,
and either (within ``DUPLICATE_WINDOW`` of this one, an index range on ``created_at``) its phone
ends with the same last four digits or its name contains this name's characters with the same
matter, or (any time) its applicant or opposing party contains the characters of this referral's
opposing party, or its opposing party contains this applicant's characters. At most
``CANDIDATE_LIMIT`` candidates, newest first, are then compared exactly by their keys in Python.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import opencc
from sqlalchemy import ColumnElement, and_, or_
from sqlalchemy.orm import Session

from referral import desk
from referral.db import as_utc
from referral.desk import DeskError, _event, _held, audit, visible_referrals
from referral.models import OPEN_STATUSES, Referral, ReferralStatus, StaffUser

MAX_OPPOSING_PARTY_CHARS = 200  # Referral.opposing_party is String(200)
DUPLICATE_WINDOW = timedelta(days=90)  # same phone, or same name and matter, this close in time: a duplicate
CANDIDATE_LIMIT = 200  # rows the database hands over for the exact comparison
PREFILTER_CHARS = 3  # characters of a name the database looks for (each in its written variants)

# What matched, in the words staff read. Conflicts first: the centre may be helping the other side.
SAME_PHONE = "same_phone"
SAME_NAME = "same_name"
OPPOSING_IS_APPLICANT = "opposing_is_applicant"
APPLICANT_IS_OPPOSING = "applicant_is_opposing"
SAME_OPPOSING = "same_opposing"
REASONS: dict[str, str] = {
    OPPOSING_IS_APPLICANT: "本单的对方当事人是那张单的申请人",
    APPLICANT_IS_OPPOSING: "本单的申请人是那张单的对方当事人",
    SAME_PHONE: "电话号码相同",
    SAME_NAME: "申请人姓名相同，事项也相同",
    SAME_OPPOSING: "对方当事人相同",
}
CONFLICTS = frozenset({OPPOSING_IS_APPLICANT, APPLICANT_IS_OPPOSING})
DUPLICATES = frozenset({SAME_PHONE, SAME_NAME})

# Words staff or applicants write for the other side that name nobody: they would match every
# other referral that says the same, so the check ignores them (the page asks for a real name).
GENERIC_PARTIES = frozenset({
    "老板", "包工头", "工头", "老板娘", "公司", "单位", "厂里", "工厂", "工地", "项目部", "老公", "丈夫", "妻子",
    "老婆", "前夫", "前妻", "对方", "对方司机", "司机", "肇事司机", "房东", "邻居", "村委会", "不知道", "不清楚",
    "无", "没有", "未知", "不详",
})
# Characters too common in company names to narrow the database's first filter.
_COMMON_CHARS = frozenset("有限责任公司集团股份分省市县区镇乡村街道")

_T2S = opencc.OpenCC("t2s")
_S2T = [opencc.OpenCC(config) for config in ("s2t", "s2tw", "s2hk")]


def to_simplified(text: str) -> str:
    """Traditional characters as simplified ones (「張三」 → 张三)."""
    return _T2S.convert(text)


def name_key(value: str | None) -> str:
    """A name as compared: 「張 三」, 「张三」 and 「ＺＨＡＮＧ三」 … each to one key (empty for nothing)."""
    if not value:
        return ""
    text = _T2S.convert(unicodedata.normalize("NFKC", value)).casefold()
    return "".join(c for c in text if unicodedata.category(c)[0] in "LN")


def phone_key(value: str | None) -> str:
    """A phone number as compared: digits only, without the country code (+86, 0086, 86 before a mobile).

    「138 0013 8000」, 「+86-13800138000」 and 「１３８００１３８０００」 are 13800138000; a landline
    given with +86 gets its trunk 0 back (「+86 870 2123456」 is 08702123456).
    """
    if not value:
        return ""
    text = unicodedata.normalize("NFKC", value).strip()
    digits = "".join(c for c in text if c.isdigit())
    international = text.startswith("+") or digits.startswith("00")
    if digits.startswith("0086"):
        digits = digits[4:]
    elif digits.startswith("86") and (international or (len(digits) == 13 and digits[2] == "1")):
        digits = digits[2:]
    else:
        return digits
    return digits if digits.startswith(("0", "1")) else "0" + digits


def is_specific(name: str | None) -> bool:
    """Whether a written opposing party names someone (「老板」 or 「公司」 alone does not)."""
    key = name_key(name)
    return len(key) >= 2 and key not in GENERIC_PARTIES


@dataclass
class Match:
    """Another referral the check found, and why."""

    ticket_number: str
    status: ReferralStatus
    created_at: datetime
    reasons: list[str] = field(default_factory=list)  # REASONS codes, conflicts first

    @property
    def conflict(self) -> bool:
        """The centre may be helping, or have helped, the other side: a warning."""
        return any(reason in CONFLICTS for reason in self.reasons)

    @property
    def labels(self) -> list[str]:
        return [REASONS[reason] for reason in self.reasons]


def _variants(char: str) -> set[str]:
    """How one character of a key may be written in a stored name: traditional forms, full-width, case."""
    forms = {char, char.upper()}
    forms |= {converter.convert(char) for converter in _S2T}
    forms |= {chr(ord(c) + 0xFEE0) for c in list(forms) if "!" <= c <= "~"}  # full-width ASCII
    return {form for form in forms if len(form) == 1}


def _contains_name(column: Any, key: str) -> ColumnElement[bool]:
    """A first filter the database can run: the column holds a few of the key's characters, each in any
    of its written forms. Characters written the same in both scripts (「三」) are preferred: they
    cannot be missed; characters common in company names (「公司」) narrow nothing and are skipped."""
    chars = sorted(dict.fromkeys(key), key=lambda c: (c in _COMMON_CHARS, len(_variants(c)) > 1))
    chosen = [c for c in chars if c not in _COMMON_CHARS][:PREFILTER_CHARS] or chars[:PREFILTER_CHARS]
    return and_(*(or_(*(column.contains(form, autoescape=True) for form in sorted(_variants(c))))
                  for c in chosen))


def _ends_with_digits(column: Any, digits: str) -> ColumnElement[bool]:
    wide = "".join(chr(ord(d) + 0xFEE0) for d in digits)  # full-width digits as some old rows may hold
    return or_(column.endswith(digits, autoescape=True), column.endswith(wide, autoescape=True))


def find_conflicts(session: Session, user: StaffUser, referral: Referral) -> list[Match]:
    """Other referrals ``user`` may see that match this one: conflicts of interest first, then the rest,
    newest first within each. Referrals the user may not see are never looked at."""
    phone, name = phone_key(referral.applicant_phone), name_key(referral.applicant_name)
    opposing = name_key(referral.opposing_party) if is_specific(referral.opposing_party) else ""
    created = as_utc(referral.created_at)
    within = and_(Referral.created_at >= created - DUPLICATE_WINDOW, Referral.created_at <= created + DUPLICATE_WINDOW)
    duplicate: list[ColumnElement[bool]] = []
    if len(phone) >= 4:
        duplicate.append(_ends_with_digits(Referral.applicant_phone, phone[-4:]))
    if name:
        duplicate.append(and_(Referral.matter == referral.matter, _contains_name(Referral.applicant_name, name)))
    wanted: list[ColumnElement[bool]] = []
    if duplicate:
        wanted.append(and_(within, or_(*duplicate)))
    if opposing:
        wanted.append(_contains_name(Referral.applicant_name, opposing))
        wanted.append(_contains_name(Referral.opposing_party, opposing))
    if name:
        wanted.append(_contains_name(Referral.opposing_party, name))
    if not wanted:
        return []
    rows = session.execute(
        visible_referrals(user)
        .with_only_columns(Referral.ticket_number, Referral.status, Referral.created_at, Referral.matter,
                           Referral.applicant_name, Referral.applicant_phone, Referral.opposing_party)
        .where(Referral.id != referral.id, or_(*wanted))
        .order_by(Referral.created_at.desc(), Referral.id.desc())
        .limit(CANDIDATE_LIMIT)
    ).all()
    matches: list[Match] = []
    for ticket, status, stored_at, matter, other_name, other_phone, other_opposing in rows:
        other_created = as_utc(stored_at)
        close_in_time = abs(other_created - created) <= DUPLICATE_WINDOW
        other_name_key = name_key(other_name)
        other_opposing_key = name_key(other_opposing) if is_specific(other_opposing) else ""
        reasons = [code for code, hit in (
            (OPPOSING_IS_APPLICANT, bool(opposing) and opposing == other_name_key),
            (APPLICANT_IS_OPPOSING, bool(name) and name == other_opposing_key),
            (SAME_PHONE, close_in_time and len(phone) >= 4 and phone == phone_key(other_phone)),
            (SAME_NAME, close_in_time and bool(name) and name == other_name_key and matter == referral.matter),
            (SAME_OPPOSING, bool(opposing) and opposing == other_opposing_key),
        ) if hit]
        if reasons:
            matches.append(Match(ticket, ReferralStatus(status), other_created, reasons))
    return sorted(matches, key=lambda m: not m.conflict)  # stable: newest first within each group


def checks_before_decision(referral: Referral) -> bool:
    """The page shows the check while the referral has no decision (new, transferred or claimed)."""
    return referral.status in OPEN_STATUSES


def conflict_matches(session: Session, user: StaffUser, referral: Referral) -> list[Match]:
    """The matches the referral page shows: the check before a decision, nothing after it.

    Computed once per request and referral (the session's ``info`` keeps it), so the warning
    block and a count beside the decision button cost one query together.
    """
    if not checks_before_decision(referral):
        return []
    key = ("conflict_matches", user.id, referral.id, referral.status, referral.applicant_name,
           referral.applicant_phone, referral.opposing_party)
    cache = session.info.setdefault("conflict_matches", {})
    if key not in cache:
        cache[key] = find_conflicts(session, user, referral)
    return cache[key]


def accept_unless_unchecked(session: Session, user: StaffUser, ticket_number: str, note: str, *,
                            conflicts_checked: bool, client: str | None = None) -> Referral:
    """Give legal aid, but not past a conflict warning nobody said they checked (the console's tick box)."""
    referral = desk.get_for(session, user, ticket_number, record_view=False)
    if not conflicts_checked and any(m.conflict for m in conflict_matches(session, user, referral)):
        raise desk.DeskError("有可能的利益冲突：请先核实，再勾选“我已核实利益冲突提醒”，然后给予法律援助", 409)
    return desk.accept(session, user, ticket_number, note, client=client)


def record_opposing_party(session: Session, user: StaffUser, ticket_number: str, name: str, *,
                          client: str | None = None) -> Referral:
    """Record (or correct, or with an empty name remove) the other side of the dispute.

    Only the referral's holder or an administrator; not after closing. The history keeps the name
    (staff only); the audit trail says only that it was recorded, changed or removed.
    """
    name = " ".join(name.split())  # one space between words, none at the ends
    if len(name) > MAX_OPPOSING_PARTY_CHARS:
        raise DeskError(f"对方当事人的名称太长了（最多 {MAX_OPPOSING_PARTY_CHARS} 个字）", 422)
    referral = _held(session, user, ticket_number)
    if referral.status == ReferralStatus.closed:
        raise DeskError("已结案的转介单不能再改对方当事人")
    previous = referral.opposing_party
    if (previous or "") == name:
        return referral  # nothing changed: nothing to record
    if not name:
        referral.opposing_party, note, detail = None, f"删除了对方当事人（原来写的是：{previous}）", "删除"
    else:
        referral.opposing_party, note, detail = name, name, ("修改" if previous else "记录")
    _event(session, referral, user, "opposing_party", referral.status, note=note)
    audit(session, user, "opposing_party", referral, detail=detail, client=client)
    session.commit()
    return referral
