"""`python -m referral`: database and account commands for the referral service.

  migrate        bring the database named by DATABASE_URL to the newest schema
  create-admin   add an administrator (password from --password-stdin or asked twice)
  create-user    add a station's staff member (same password handling, --station CODE)
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys

from referral.db import normalise_database_url
from referral.settings import DEFAULT_DATABASE_URL


def _database_url() -> str:
    return normalise_database_url(os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL))


def _read_password(from_stdin: bool) -> str:
    """The password: the first line of standard input (``--password-stdin``, e.g. from a pipe), else typed twice."""
    if from_stdin:
        if sys.stdin.isatty():
            print("请输入密码后按回车 (type the password, then Enter):", file=sys.stderr)
        line = sys.stdin.readline()
        password = line.rstrip("\r\n")
        if not password:
            raise ValueError("标准输入里没有密码：请这样传入 printf '%s\\n' '密码' | "
                             "python -m referral create-admin ... --password-stdin (no password on standard input)")
        return password
    if not sys.stdin.isatty():
        raise ValueError("没有终端可以输入密码：请用 --password-stdin 从管道传入密码 "
                         "(no terminal: pipe the password with --password-stdin)")
    first = getpass.getpass("密码 password: ")
    second = getpass.getpass("再输一次 again: ")
    if first != second:
        raise ValueError("两次输入的密码不一样 (the two passwords differ)")
    return first


def _check_password(password: str) -> None:
    """A short password is refused before the database is touched, saying what was read."""
    from referral.staff_auth import MIN_PASSWORD_CHARS

    if len(password) < MIN_PASSWORD_CHARS:
        raise ValueError(f"密码至少要 {MIN_PASSWORD_CHARS} 个字符，读到的只有 {len(password)} 个 "
                         f"(the password needs at least {MIN_PASSWORD_CHARS} characters)")


def _create(args: argparse.Namespace, role: str) -> int:
    from sqlalchemy import inspect

    from referral import admin
    from referral.db import make_engine, make_session_factory
    from referral.routing import seed_stations

    try:
        password = _read_password(args.password_stdin)
        _check_password(password)
    except (ValueError, EOFError, KeyboardInterrupt) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    engine = make_engine(_database_url())
    try:
        if not inspect(engine).has_table("staff_users"):
            print("error: 数据库还没有建表，请先运行 `python -m referral migrate` "
                  "(the database has no tables: run `python -m referral migrate` first)", file=sys.stderr)
            return 1
        with make_session_factory(engine)() as session:
            seed_stations(session)  # a fresh database: the stations of city.yaml, so --station works
            try:
                user = admin.create_user(session, None, username=args.username, display_name=args.display_name,
                                         password=password, role=role, station_code=getattr(args, "station", None))
            except admin.AdminError as exc:
                print(f"error: {exc.message}", file=sys.stderr)
                return 1
            where = f"，站点 {user.station.name}" if user.station else ""
            print(f"已创建{'管理员' if role == 'admin' else '工作人员'} {user.username}（{user.display_name}{where}）")
    finally:
        engine.dispose()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m referral")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("migrate", help="upgrade the database named by DATABASE_URL to the newest schema")
    for name, helptext in (("create-admin", "add a city administrator to the database named by DATABASE_URL"),
                           ("create-user", "add a station's staff member to the database named by DATABASE_URL")):
        cmd = sub.add_parser(name, help=helptext)
        cmd.add_argument("--username", required=True, help="login name")
        cmd.add_argument("--display-name", required=True, help="name shown in the console, e.g. 张三")
        cmd.add_argument("--password-stdin", action="store_true",
                         help="read the password from the first line of standard input, e.g. "
                              "printf '%%s\\n' \"$PASSWORD\" | python -m referral create-admin ... --password-stdin "
                              "(else asked twice)")
        if name == "create-user":
            cmd.add_argument("--station", required=True, help="station code from city.yaml, e.g. zhenxiong")
    args = parser.parse_args(argv)
    if args.command == "migrate":
        from referral.migrate import upgrade

        upgrade(_database_url())
        return 0
    if args.command == "create-admin":
        return _create(args, "admin")
    if args.command == "create-user":
        return _create(args, "staff")
    return 2


if __name__ == "__main__":
    sys.exit(main())
