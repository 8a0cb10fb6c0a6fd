"""What the referral API accepts, shared with the bot so both check the same way (plain Python)."""

import re

# A mainland mobile number: 11 digits starting with 1.
MOBILE_NUMBER = re.compile(r"^1\d{10}$")

MAX_DESCRIPTION_CHARS = 20_000
MAX_NAME_CHARS = 100
