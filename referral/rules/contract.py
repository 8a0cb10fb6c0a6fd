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

MAX_DESCRIPTION_CHARS = 20_000
MAX_NAME_CHARS = 100


def normalise_ticket_number(value: str) -> str:
    """A ticket number as people type or read it out: 「fy261128 - 4821」 → 「FY261128-4821」."""
    return re.sub(r"\s+", "", value).upper()
