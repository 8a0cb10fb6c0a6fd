"""The referral service: the system of record for tickets handed to staff.

``referral.rules`` holds the plain-Python rules the bot environment imports too; everything
else here belongs to the referral service's own environment (FastAPI, SQLAlchemy).
"""
