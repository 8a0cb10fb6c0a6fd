"""Limits of the referral API that the bot must respect too (plain Python, both environments)."""

MAX_DESCRIPTION_CHARS = 20_000
MAX_NAME_CHARS = 100
