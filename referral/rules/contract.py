"""What the referral API accepts, shared with the bot so both check the same way (plain Python)."""

import datetime as dt
import re

# The city's local time: ticket numbers, application dates and deadlines use the China date,
# whatever time zone the server runs in.
CHINA_TZ = dt.timezone(dt.timedelta(hours=8))


def china_today() -> dt.date:
    return dt.datetime.now(CHINA_TZ).date()


# A mainland mobile number: 11 digits starting with 1.
MOBILE_NUMBER = re.compile(r"^1\d{10}$")
# A mainland landline with its area code, digits only: 010 and 02x have three digits, the other
# codes four (Zhaotong: 0870); the local number has 7 or 8 digits, e.g. 08702123456.
# Only applications staff take at the counter or by phone may give one (referral.schemas).
LANDLINE_NUMBER = re.compile(r"^(?:010|02\d|0[3-9]\d{2})[2-9]\d{6,7}$")
LANDLINE_CHANNELS = frozenset({"counter", "phone"})

MAX_DESCRIPTION_CHARS = 20_000
MAX_NAME_CHARS = 100


def normalise_ticket_number(value: str) -> str:
    """A ticket number as people type or read it out: 「fy261128 - 4821」 → 「FY261128-4821」."""
    return re.sub(r"\s+", "", value).upper()
