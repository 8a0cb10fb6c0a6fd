"""Staff accounts: argon2id password hashes, server-side sessions, lock-out after wrong passwords."""

from __future__ import annotations

import contextlib
import hashlib
import secrets
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from referral.db import as_utc
from referral.models import AuditEntry, Role, StaffSession, StaffUser, Station, utcnow

SESSION_LIFETIME = timedelta(hours=10)  # one working day; then sign in again
MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)
MIN_PASSWORD_CHARS = 10

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
# Verified when the user name is unknown, so a wrong name takes as long as a wrong password.
_DUMMY_HASH = _hasher.hash("not-a-real-password")


class LoginError(Exception):
    """Wrong user name or password, or a locked or disabled account (message for the login page)."""


class PasswordPolicyError(ValueError):
    pass


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_CHARS:
        raise PasswordPolicyError(f"密码至少要 {MIN_PASSWORD_CHARS} 个字符")
    return _hasher.hash(password)


def normalise_username(username: str) -> str:
    """User names are case-insensitive: `Wang` and `wang` are one account."""
    return username.strip().lower()


def create_user(session: Session, *, username: str, display_name: str, password: str, role: Role,
                station: Station | None) -> StaffUser:
    username = normalise_username(username)
    if not username or not display_name.strip():
        raise ValueError("用户名和姓名都要填写")
    if role == Role.staff and station is None:
        raise ValueError("工作人员要属于一个站点")
    if session.scalar(select(StaffUser).where(StaffUser.username == username)) is not None:
        raise ValueError(f"用户名 {username} 已经有人用了")
    user = StaffUser(username=username, display_name=display_name.strip(), password_hash=hash_password(password),
                     role=role, station_id=station.id if station else None, active=True, failed_logins=0)
    session.add(user)
    session.commit()
    return user


def set_password(session: Session, user: StaffUser, password: str) -> None:
    user.password_hash = hash_password(password)
    user.failed_logins = 0
    user.locked_until = None
    session.execute(delete(StaffSession).where(StaffSession.user_id == user.id))  # sign out everywhere
    session.commit()


def _record(session: Session, user: StaffUser | None, action: str, detail: str | None, client: str | None) -> None:
    session.add(AuditEntry(at=utcnow(), user_id=user.id if user else None, action=action, detail=detail,
                           client=client))
    session.commit()


def authenticate(session: Session, username: str, password: str, *, client: str | None = None) -> StaffUser:
    """Return the user for a correct name and password, or raise LoginError (one message for every case).

    Every attempt is recorded in the audit trail (never the password).
    """
    name = normalise_username(username)
    user = session.scalar(select(StaffUser).where(StaffUser.username == name))
    now = utcnow()
    if user is None:
        with contextlib.suppress(VerificationError):
            _hasher.verify(_DUMMY_HASH, password)
        _record(session, None, "login_failed", "unknown user", client)  # never what was typed: it may be a password
        raise LoginError("用户名或密码不对")
    locked_until = as_utc(user.locked_until) if user.locked_until else None
    if locked_until is not None and locked_until > now:
        _record(session, user, "login_locked", None, client)
        raise LoginError("密码错了太多次，账号暂时锁定，请 15 分钟后再试，或请管理员重设密码")
    try:
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        user.failed_logins += 1
        locked = user.failed_logins >= MAX_FAILED_LOGINS
        if locked:
            user.locked_until = now + LOCKOUT
            user.failed_logins = 0
        _record(session, user, "login_failed", "locked for 15 minutes" if locked else None, client)
        raise LoginError("用户名或密码不对") from None
    if not user.active:
        _record(session, user, "login_failed", "account disabled", client)
        raise LoginError("这个账号已停用，请找管理员")
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    _record(session, user, "login", None, client)
    return user


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(session: Session, user: StaffUser) -> tuple[str, StaffSession]:
    """Open a session; return the token for the cookie (only its hash is stored) and the row."""
    token = secrets.token_urlsafe(32)
    row = StaffSession(token_hash=_token_hash(token), user_id=user.id, csrf_token=secrets.token_urlsafe(32),
                       created_at=utcnow(), expires_at=utcnow() + SESSION_LIFETIME)
    session.add(row)
    session.execute(delete(StaffSession).where(StaffSession.expires_at < utcnow()))  # tidy expired ones
    session.commit()
    return token, row


def find_session(session: Session, token: str | None) -> StaffSession | None:
    """The live session for a cookie token, or None (unknown, expired, or the account was disabled)."""
    if not token:
        return None
    row = session.scalar(select(StaffSession).where(StaffSession.token_hash == _token_hash(token)))
    if row is None or as_utc(row.expires_at) <= utcnow() or not row.user.active:
        return None
    return row


def end_session(session: Session, token: str | None) -> None:
    if token:
        session.execute(delete(StaffSession).where(StaffSession.token_hash == _token_hash(token)))
        session.commit()
