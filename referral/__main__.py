"""`python -m referral migrate`: bring the referral database to the newest schema."""

from __future__ import annotations

import argparse
import os
import sys

from referral.db import normalise_database_url
from referral.settings import DEFAULT_DATABASE_URL


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m referral")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("migrate", help="upgrade the database named by DATABASE_URL to the newest schema")
    args = parser.parse_args(argv)
    if args.command == "migrate":
        from referral.migrate import upgrade

        upgrade(normalise_database_url(os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL)))
        return 0
    return 2


if __name__ == "__main__":
    sys.exit(main())
