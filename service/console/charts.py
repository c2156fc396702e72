"""A stacked bar chart of bookings by month and language, laid out on the server for an SVG."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from service.reporting.statistics import MonthLanguage

# Okabe and Ito's colours, told apart with the common colour blindnesses, and four of Paul
# Tol's; languages beyond them are drawn together, in grey, as OTHER.
PALETTE = (
    "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00",
    "#F0E442", "#000000", "#882255", "#44AA99", "#999933",
)  # fmt: skip
OTHER, OTHER_COLOUR = "other", "#BBBBBB"  # no ISO 639 code is five letters long
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 12, 40
PLOT_HEIGHT = 240
MONTH_WIDTH = 48
BAR_WIDTH = 32


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    colour: str
    month: str
    language: str | None
    bookings: int


@dataclass(frozen=True)
class BookingsChart:
    width: int
    height: int
    baseline: int
    bars: list[Bar]
    ticks: list[tuple[float, int]]  # (y, value) of the horizontal grid lines
    months: list[tuple[float, str]]  # (x of the label's centre, YYYY-MM)
    languages: list[tuple[str | None, str]]  # (language, colour), the legend
    table: list[tuple[str, list[int | None]]]  # per month, the count of each language

    @property
    def empty(self) -> bool:
        return not self.bars


def _step(top: int) -> int:
    """A round step (1, 2 or 5 times a power of ten) giving at most five grid lines."""
    if top <= 5:
        return 1
    power = int(10 ** math.floor(math.log10(top / 5)))
    return next(power * m for m in (1, 2, 5, 10) if top / (power * m) <= 5)


def _with_other(counts: Sequence[MonthLanguage]) -> list[MonthLanguage]:
    """Merge the least booked languages into OTHER when there are more than colours."""
    totals: dict[str | None, int] = {}
    for c in counts:
        totals[c.language] = totals.get(c.language, 0) + c.bookings
    if len(totals) <= len(PALETTE):
        return list(counts)
    ranked = sorted(totals, key=lambda code: (-totals[code], code or ""))
    kept = set(ranked[: len(PALETTE) - 1])
    merged: dict[tuple[str, str | None], int] = {}
    for c in counts:
        key = (c.month, c.language if c.language in kept else OTHER)
        merged[key] = merged.get(key, 0) + c.bookings
    return [MonthLanguage(month, code, n) for (month, code), n in merged.items()]


def month_labels(first: str, last: str) -> list[str]:
    year, month = int(first[:4]), int(first[5:])
    labels = []
    while f"{year:04d}-{month:02d}" <= last:
        labels.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return labels


def bookings_chart(counts: Sequence[MonthLanguage], months: Sequence[str]) -> BookingsChart:
    """Lay out one stacked bar per month, a segment per language, languages in a fixed order.

    The most booked languages get a colour each; any beyond the palette count as OTHER.
    """
    counts = _with_other(counts)
    languages = sorted({c.language for c in counts}, key=lambda code: (code == OTHER, code or "~"))
    colours = {code: PALETTE[i] for i, code in enumerate(languages) if code != OTHER}
    colours[OTHER] = OTHER_COLOUR
    cell = {(c.month, c.language): c.bookings for c in counts}
    totals = [sum(cell.get((m, code), 0) for code in languages) for m in months]
    step = _step(max(totals, default=0))
    top = max(step, math.ceil(max(totals, default=0) / step) * step)
    scale = PLOT_HEIGHT / top
    baseline = TOP + PLOT_HEIGHT
    bars = []
    for index, month in enumerate(months):
        x = LEFT + index * MONTH_WIDTH + (MONTH_WIDTH - BAR_WIDTH) / 2
        y = float(baseline)
        for code in languages:
            count = cell.get((month, code), 0)
            if count:
                height = count * scale
                y -= height
                bars.append(Bar(x, y, BAR_WIDTH, height, colours[code], month, code, count))
    return BookingsChart(
        width=LEFT + len(months) * MONTH_WIDTH + RIGHT,
        height=baseline + BOTTOM,
        baseline=baseline,
        bars=bars,
        ticks=[(baseline - v * scale, v) for v in range(0, top + 1, step)],
        months=[(LEFT + (i + 0.5) * MONTH_WIDTH, m) for i, m in enumerate(months)],
        languages=[(code, colours[code]) for code in languages],
        table=[(m, [cell.get((m, code)) for code in languages]) for m in months],
    )
