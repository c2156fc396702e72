"""The bookings chart's layout: stacked bars to scale, a colour per language, the rest merged."""

from __future__ import annotations

from service.console.charts import OTHER, PALETTE, bookings_chart, month_labels
from service.reporting.statistics import MonthLanguage


def test_bars_stack_to_scale_on_round_grid_lines():
    counts = [MonthLanguage("2026-05", "ar", 30), MonthLanguage("2026-05", "fa", 10)]
    counts.append(MonthLanguage("2026-06", "fa", 20))

    chart = bookings_chart(counts, month_labels("2026-04", "2026-06"))

    assert [month for _x, month in chart.months] == ["2026-04", "2026-05", "2026-06"]
    assert [value for _y, value in chart.ticks] == [0, 10, 20, 30, 40]
    may = [bar for bar in chart.bars if bar.month == "2026-05"]
    assert [(b.language, b.bookings) for b in may] == [("ar", 30), ("fa", 10)]
    assert may[0].height == 3 * may[1].height
    assert may[0].y + may[0].height == chart.baseline  # ar at the bottom, fa on top
    assert may[1].y + may[1].height == may[0].y
    assert chart.table == [
        ("2026-04", [None, None]),
        ("2026-05", [30, 10]),
        ("2026-06", [None, 20]),
    ]


def test_languages_beyond_the_palette_are_drawn_together_as_other():
    codes = [f"l{n:02d}" for n in range(len(PALETTE) + 2)]
    counts = [MonthLanguage("2026-05", code, 100 - n) for n, code in enumerate(codes)]

    chart = bookings_chart(counts, ["2026-05"])

    shown = [code for code, _colour in chart.languages]
    assert shown == [*codes[: len(PALETTE) - 1], OTHER]
    assert len({colour for _code, colour in chart.languages}) == len(shown)
    other = next(bar for bar in chart.bars if bar.language == OTHER)
    assert other.bookings == sum(100 - n for n in range(len(PALETTE) - 1, len(codes)))


def test_no_bookings_make_an_empty_chart():
    assert bookings_chart([], ["2026-05"]).empty
