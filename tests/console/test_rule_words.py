"""A series' rule said in words, in Bulgarian and English."""

from __future__ import annotations

from datetime import datetime

import pytest

from service.console.rule_words import rule_in_words

MONDAY = datetime(2027, 3, 1, 10)  # Sofia wall time


@pytest.mark.parametrize(
    ("rule", "first", "bg", "en"),
    [
        (  # the planner's "12 weeks": UNTIL the Sunday before the 13th week, 23:59:59 Sofia
            "FREQ=WEEKLY;BYDAY=MO,WE;UNTIL=20270523T205959Z",
            MONDAY,
            "всеки понеделник и сряда, 12 седмици, до 19 май",
            "every Monday and Wednesday, 12 weeks, until 19 May",
        ),
        (
            "FREQ=WEEKLY;BYDAY=WE,MO,FR;COUNT=10",
            MONDAY,
            "всеки понеделник, сряда и петък, 10 дати",
            "every Monday, Wednesday, and Friday, 10 dates",
        ),
        (
            "FREQ=WEEKLY;BYDAY=MO;UNTIL=20270630",
            MONDAY,
            "всеки понеделник, до 28 юни",
            "every Monday, until 28 June",
        ),
        ("FREQ=WEEKLY;COUNT=1", MONDAY, "всеки понеделник, 1 дата", "every Monday, 1 date"),
        (
            "FREQ=WEEKLY;BYDAY=WE,SA;COUNT=5",
            datetime(2027, 3, 3, 10),
            "всяка сряда и събота, 5 дати",
            "every Wednesday and Saturday, 5 dates",
        ),
        ("FREQ=DAILY;COUNT=5", MONDAY, "всеки ден, 5 дати", "every day, 5 dates"),
    ],
)
def test_a_weekly_rule_is_said_in_words(rule, first, bg, en):
    assert rule_in_words(rule, first, "bg") == bg
    assert rule_in_words(rule, first, "en") == en


def test_a_rule_ending_in_another_year_names_the_year():
    rule = "FREQ=WEEKLY;BYDAY=MO;UNTIL=20271231"
    first = datetime(2027, 1, 4, 10)
    assert rule_in_words(rule, first, "en") == "every Monday, until 27 December"
    assert rule_in_words("FREQ=WEEKLY;COUNT=3", datetime(2026, 12, 28, 10), "en") == (
        "every Monday, 3 dates"
    )
    crossing = rule_in_words("FREQ=WEEKLY;UNTIL=20270111", datetime(2026, 12, 28, 10), "bg")
    assert crossing == "всеки понеделник, до 11 януари 2027"


@pytest.mark.parametrize(
    "rule", ["FREQ=MONTHLY;COUNT=5", "FREQ=WEEKLY;INTERVAL=2;COUNT=4", "FREQ=WEEKLY;BYDAY=XX"]
)
def test_a_rule_it_cannot_say_is_left_to_the_code(rule):
    assert rule_in_words(rule, MONDAY, "bg") is None
