"""Long Bulgarian and Arabic text survives folding byte-exact in every client."""

# ruff: noqa: RUF001  (Bulgarian text is meant to contain Cyrillic look-alikes)

from __future__ import annotations

import pytest
from icalendar import Calendar

from calendars import FeedCalendar, FeedEvent, assemble_feed, render_vevent
from tests.calendars.scenarios import STAMP, local

BULGARIAN = (
    "Консултация за достъп до здравеопазване и регистрация при личен лекар, "
    "с преводач от арабски; носете лична карта, разрешение за пребиваване "
    "и всички медицински документи, с които разполагате."
)
ARABIC = (
    "استشارة حول الوصول إلى الرعاية الصحية والتسجيل لدى طبيب عام، بحضور مترجم. "
    "يرجى إحضار بطاقة الهوية وتصريح الإقامة وجميع الوثائق الطبية المتوفرة لديكم."
)
MIXED = "Среща 👩‍👧 в офиса, Харманли — بحضور مترجم ✅\nВтори ред: „кавички“; точка, запетая\\"


def event(summary: str, description: str, location: str) -> FeedEvent:
    return FeedEvent(
        uid="folding@zapis.test",
        starts_at=local(2027, 3, 1, 10),
        ends_at=local(2027, 3, 1, 11),
        summary=summary,
        description=description,
        location=location,
        categories=("консултация", "превод, арабски"),
        created=STAMP,
        last_modified=STAMP,
    )


CASES = {
    "bulgarian": event(BULGARIAN, BULGARIAN * 3, BULGARIAN[:90]),
    "arabic": event(ARABIC, ARABIC * 3, ARABIC[:90]),
    "mixed": event(MIXED * 2, (MIXED + BULGARIAN + ARABIC) * 2, MIXED),
}
LONG_CALENDAR = FeedCalendar(name=BULGARIAN[:100], description=ARABIC + BULGARIAN, language="bg")


def feed(case: str) -> bytes:
    return assemble_feed(LONG_CALENDAR, [render_vevent(CASES[case])])


@pytest.mark.parametrize("case", sorted(CASES))
def test_physical_lines_are_short_crlf_and_whole_utf8(case: str) -> None:
    data = feed(case)
    assert data.endswith(b"END:VCALENDAR\r\n")
    lines = data.split(b"\r\n")[:-1]
    assert all(b"\r" not in line and b"\n" not in line for line in lines)
    assert max(len(line) for line in lines) <= 75
    for line in lines:
        line.decode("utf-8")  # a character split across lines would not decode
    assert sum(1 for line in lines if line.startswith(b" ")) > 3  # folding did happen


@pytest.mark.parametrize("case", sorted(CASES))
def test_unfolded_text_round_trips_exactly(case: str) -> None:
    source = CASES[case]
    parsed = Calendar.from_ical(feed(case))
    (vevent,) = parsed.walk("VEVENT")
    assert str(vevent["SUMMARY"]) == source.summary
    assert str(vevent["DESCRIPTION"]) == source.description
    assert str(vevent["LOCATION"]) == source.location
    assert list(vevent["CATEGORIES"].cats) == list(source.categories)
    assert str(parsed["X-WR-CALNAME"]) == LONG_CALENDAR.name
    assert str(parsed["NAME"]) == LONG_CALENDAR.name
    assert str(parsed["X-WR-CALDESC"]) == LONG_CALENDAR.description


def test_vevent_piece_is_a_complete_crlf_block() -> None:
    piece = render_vevent(CASES["mixed"])
    assert piece.startswith(b"BEGIN:VEVENT\r\n")
    assert piece.endswith(b"END:VEVENT\r\n")
    assert b"\n" not in piece.replace(b"\r\n", b"")
