"""Referral service and the plain-Python rules shared with the bot.

Only ``matters``, ``city`` and (later) ``eligibility`` are imported by the bot
environment; they depend on nothing but the standard library and PyYAML.
Everything else here belongs to the referral service's own environment.
"""
