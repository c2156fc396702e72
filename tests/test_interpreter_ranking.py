"""The ranking of interpreters who pass the hard rules: each criterion, their order, the ties."""

from __future__ import annotations

import inspect
from dataclasses import fields
from datetime import UTC, datetime

import pytest

from service.interpreters.interpreter_ranking import AWAY, HERE, NEARBY, Candidate, rank

NOV_12 = datetime(2026, 11, 12, 9, 0, tzinfo=UTC)
JAN_10 = datetime(2027, 1, 10, 9, 0, tzinfo=UTC)


def person(id_: int, name: str | None = None, **facts) -> Candidate:
    return Candidate(id=id_, name=name or f"Interpreter {id_:02d}", **facts)


CASES = {
    "dialect: the one asked for, then none listed, then another of the language": (
        [
            person(1, dialects=("ar-IQ",)),
            person(2),
            person(3, dialects=("ar-SY", "ar-IQ")),
            person(4, dialects=("fa-IR",)),
        ],
        ["ar-SY"],
        [3, 2, 4, 1],
    ),
    "dialect: more of the beneficiaries' dialects first": (
        [person(1, dialects=("ar-SY",)), person(2, dialects=("ar-SY", "ku-Latn"))],
        ["ar-SY", "ku-Latn"],
        [2, 1],
    ),
    "continuity: served before first, the latest first": (
        [person(1), person(2, last_served=NOV_12), person(3, last_served=JAN_10)],
        [],
        [3, 2, 1],
    ),
    "fairness: fewest hours this month first": (
        [person(1, month_minutes=600), person(2, month_minutes=90), person(3)],
        [],
        [3, 2, 1],
    ),
    "travel: already there, then working there, then coming from elsewhere": (
        [
            person(1, travel=AWAY, office="burgas"),
            person(2, travel=NEARBY),
            person(3, travel=HERE, office="sofia"),
        ],
        [],
        [3, 2, 1],
    ),
    "ties: by name, then by id": (
        [person(3, "Bilal"), person(2, "Amira"), person(1, "Bilal")],
        [],
        [2, 1, 3],
    ),
    "dialect before continuity": (
        [person(1, last_served=JAN_10), person(2, dialects=("ar-SY",))],
        ["ar-SY"],
        [2, 1],
    ),
    "continuity before fairness": (
        [person(1, month_minutes=0), person(2, month_minutes=1200, last_served=NOV_12)],
        [],
        [2, 1],
    ),
    "fairness before travel": (
        [person(1, month_minutes=60, travel=HERE, office="sofia"), person(2, travel=AWAY)],
        [],
        [2, 1],
    ),
    "no dialect asked: dialects do not count": (
        [person(1, dialects=("ar-SY",), month_minutes=60), person(2, dialects=("ar-IQ",))],
        [],
        [2, 1],
    ),
}


@pytest.mark.parametrize(("candidates", "wanted", "order"), CASES.values(), ids=CASES.keys())
def test_ranking(candidates, wanted, order):
    ranked = rank(candidates, wanted)
    assert [r.id for r in ranked] == order
    assert [r.rank for r in ranked] == list(range(1, len(order) + 1))


def test_the_order_does_not_depend_on_the_order_given():
    people = [
        person(n, month_minutes=60 * (n % 3), last_served=NOV_12 if n % 2 else None)
        for n in range(1, 8)
    ]
    assert [r.id for r in rank(people)] == [r.id for r in rank(list(reversed(people)))]


def test_each_interpreter_gets_the_reasons_for_their_place():
    ranked = rank(
        [
            person(
                1,
                dialects=("ar-SY",),
                last_served=NOV_12,
                month_minutes=750,
                travel=HERE,
                office="sofia",
            ),
            person(2, dialects=("ar-IQ",), travel=AWAY, office="burgas"),
        ],
        ["ar-SY"],
    )
    first, second = (r.reasons for r in ranked)
    assert [r.as_dict() for r in first] == [
        {"code": "dialect_match", "dialect": "ar-SY"},
        {"code": "served_before", "last": "2026-11-12T11:00:00+02:00"},
        {"code": "month_hours", "hours": 12.5},
        {"code": "same_office", "office": "sofia"},
    ]
    assert [r.as_dict() for r in second] == [
        {"code": "other_dialect", "dialect": "ar-IQ", "wanted": "ar-SY"},
        {"code": "month_hours", "hours": 0.0},
        {"code": "must_travel", "office": "burgas"},
    ]


def test_an_override_is_not_a_ranking_input():
    facts = {f.name for f in fields(Candidate)}
    assert not {name for name in facts if "override" in name}
    assert not {p for p in inspect.signature(rank).parameters if "override" in p}
    # Two interpreters who differ in nothing the ranking reads keep their name order.
    assert [r.id for r in rank([person(2, "Bilal"), person(1, "Amira")])] == [1, 2]
