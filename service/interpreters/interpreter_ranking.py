"""The order in which interpreters who pass the hard rules are offered, with the reasons why.

Pure: it is given plain facts about each interpreter and returns them ranked. The criteria, in
this order (each breaks the ties of the one before):

1. **dialect**: for each dialect the beneficiaries need, an interpreter who lists it comes
   first; one who lists no dialect of that language comes next (we do not know, and many
   interpreters never recorded one); one who lists only other dialects of it comes last.
2. **continuity**: one who served one of the beneficiaries before (a past or upcoming booking
   holding both, not cancelled) comes before one who did not, the latest such booking first,
   so that a course keeps its interpreter and nobody retells their story to a stranger.
3. **fairness**: fewer booked hours in the Europe/Sofia month of the search first, so that
   freelance work is shared.
4. **travel**: one already at the office on the day of the search, then one who works there
   without another booking that day, then one booked at another office that day.
5. name, then id, so that equal interpreters always come in the same order.

An override of the matching rules is not an input: it lets a booking through the hard rules
and says nothing about who fits best.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from service.directory.languages import dialect_language
from service.plumbing.clock import to_sofia

HERE = "here"  # already booked at the office that day
NEARBY = "nearby"  # works there, nowhere else that day (or travel does not matter)
AWAY = "away"  # booked at another office that day
_TRAVEL_ORDER = (HERE, NEARBY, AWAY)


@dataclass(frozen=True)
class Candidate:
    """What the ranking knows of one interpreter who passed the hard rules."""

    id: int
    name: str
    dialects: tuple[str, ...] = ()
    last_served: datetime | None = None  # the latest booking with one of the beneficiaries
    month_minutes: int = 0
    travel: str = NEARBY
    office: str | None = None  # the office searched (HERE) or the other one (AWAY)


@dataclass(frozen=True)
class Reason:
    code: str
    params: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, **self.params}


@dataclass(frozen=True)
class Ranked:
    id: int
    rank: int
    reasons: list[Reason]


def _dialects(candidate: Candidate, wanted: Sequence[str]) -> tuple[int, int, list[Reason]]:
    """How many wanted dialects the candidate lists, how many they speak otherwise, why."""
    matches, others, reasons = 0, 0, []
    for dialect in wanted:
        if dialect in candidate.dialects:
            matches += 1
            reasons.append(Reason("dialect_match", {"dialect": dialect}))
            continue
        language = dialect_language(dialect)
        spoken = [d for d in candidate.dialects if dialect_language(d) == language]
        if spoken:
            others += 1
            reasons.append(Reason("other_dialect", {"dialect": spoken[0], "wanted": dialect}))
    return matches, others, reasons


def _reasons_and_key(
    candidate: Candidate, wanted: Sequence[str]
) -> tuple[tuple[Any, ...], list[Reason]]:
    matches, others, reasons = _dialects(candidate, wanted)
    served = candidate.last_served
    if served is not None:
        reasons.append(Reason("served_before", {"last": to_sofia(served).isoformat()}))
    reasons.append(Reason("month_hours", {"hours": round(candidate.month_minutes / 60, 2)}))
    if candidate.travel == HERE:
        reasons.append(Reason("same_office", {"office": candidate.office}))
    elif candidate.travel == AWAY:
        reasons.append(Reason("must_travel", {"office": candidate.office}))
    key = (
        -matches,
        others,
        served is None,
        -served.timestamp() if served is not None else 0.0,
        candidate.month_minutes,
        _TRAVEL_ORDER.index(candidate.travel),
        candidate.name,
        candidate.id,
    )
    return key, reasons


def rank(candidates: Sequence[Candidate], wanted_dialects: Sequence[str] = ()) -> list[Ranked]:
    """Order the candidates best first; each gets its place (from 1) and the reasons for it."""
    wanted = list(dict.fromkeys(wanted_dialects))
    keyed = [(*_reasons_and_key(c, wanted), c) for c in candidates]
    keyed.sort(key=lambda item: item[0])
    return [
        Ranked(candidate.id, place, reasons)
        for place, (_key, reasons, candidate) in enumerate(keyed, start=1)
    ]
