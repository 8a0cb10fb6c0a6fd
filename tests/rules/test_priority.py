"""A ticket's priority and its reasons: danger and a mandatory defence raise it, staff see why."""

from __future__ import annotations

import pytest

from referral.rules.eligibility import parse_screening, screen
from referral.rules.priority import ticket_priority


def decision(**screening) -> dict:
    return screen(parse_screening({"region": "镇雄县", **screening})).to_dict()


@pytest.mark.parametrize(
    ("screening", "dangers", "priority", "reasons"),
    [
        (None, (), "normal", []),
        (None, ("violence",), "urgent", ["violence"]),
        (None, ("fraud", "self_harm"), "urgent", ["self_harm", "fraud"]),  # most urgent first
        ({"matter": "labor_wage"}, (), "normal", []),
        ({"matter": "labor_wage", "days_to_deadline": 3}, (), "urgent", ["deadline_soon"]),
        # a detained 16-year-old: the authorities must appoint a defender (Art. 25)
        ({"matter": "criminal_defense", "role": "criminal_suspect", "criminal_flags": ["minor"]}, (), "urgent",
         ["mandatory_notification"]),
        # the green channel stays first in the queue; the danger is still shown
        ({"matter": "debt_loan", "statuses": ["poverty_registered"]}, ("self_harm",), "fast_track",
         ["self_harm", "fast_track"]),
        ({"matter": "domestic_violence"}, ("violence",), "urgent", ["violence"]),
    ],
)
def test_ticket_priority(screening, dangers, priority, reasons):
    assert ticket_priority(decision(**screening) if screening else None, dangers) == (priority, reasons)
