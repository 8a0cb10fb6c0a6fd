"""HTTP API of the referral service."""
