"""The statistics page: filters as the API's, masked cells shown as such, a chart and CSV."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from service.booking.bookings import Actor, change_status
from tests.test_statistics import book

SOFIA = ZoneInfo("Europe/Sofia")
MAY = datetime(2026, 5, 4, 10, 0, tzinfo=SOFIA)


@pytest.fixture
def counted(session, factory):
    """Six Arabic bookings in Sofia in May, one a no-show (masked), two Farsi ones in Burgas
    (masked, so their row is left out)."""
    interpreter = factory.interpreter("ar", offices=("sofia",))
    counsellor = factory.person("counsellor", offices=("burgas",))
    arabic, farsi = factory.beneficiary(language="ar"), factory.beneficiary(language="fa")
    missed = [
        book(session, factory, [interpreter], MAY + timedelta(days=day, hours=day % 3),
             beneficiary_ids=[arabic.id])
        for day in range(6)
    ]  # fmt: skip
    change_status(session, missed[0], "no_show", Actor("tests"))
    session.commit()
    for day in range(2):
        book(session, factory, [counsellor], MAY + timedelta(days=day, hours=5),
             office="burgas", beneficiary_ids=[farsi.id], type="counselling")  # fmt: skip


def _page(client, **query):
    return client.get(
        "/console/statistics", query_string={"from": "2026-01", "to": "2026-12"} | query
    )


def test_an_admin_sees_the_counts_the_chart_and_the_masked_cells(client, signed_in, counted):
    signed_in("admin")
    nav = client.get("/console/board").text
    assert 'href="/console/statistics"' in nav

    html = _page(client).text

    assert 'id="statistics-table"' in html
    row = re.search(r"<tr>\s*<th scope=\"row\">2026-05</th>\s*<td>sofia</td>.*?</tr>", html, re.S)
    assert row and "<td>6</td>" in row.group(0)
    assert '<span class="masked">&lt;5</span>' in row.group(0)  # the one no-show
    assert "burgas" not in html.split('id="statistics-table"')[1]  # two, masked: row dropped
    chart = html.split('id="bookings-chart"')[1].split("</figure>")[0]
    assert 'role="img"' in html and '<title id="chart-title">' in chart
    assert chart.count("<rect") == 1 and "2026-05, ar: 6" in chart
    assert ">fa<" not in chart and ", fa:" not in chart  # two Farsi bookings: left out


def test_the_csv_download_has_the_rows(client, signed_in, counted):
    signed_in("read_only")
    response = _page(client, format="csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert "2026-05,sofia,interpretation,,ar,6," in response.text


def test_a_coordinator_counts_their_offices_and_may_not_ask_for_another(
    client, signed_in, counted, app, monkeypatch
):
    monkeypatch.setitem(app.config, "STATISTICS_MIN_COUNT", 1)
    signed_in("coordinator", offices=["burgas"])
    html = _page(client).text
    table = html.split('id="statistics-table"')[1]
    assert "burgas" in table and "sofia" not in table
    assert '<option value="sofia"' not in html
    assert _page(client, office="sofia").status_code == 403


def test_staff_may_not_open_the_statistics(client, signed_in, factory):
    signed_in("staff", resource_id=factory.interpreter().id)
    assert client.get("/console/statistics").status_code == 403
    assert 'href="/console/statistics"' not in client.get("/console/calendar").text


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"from": "2026-13"}, "from"),
        ({"to": "May"}, "to"),
        ({"from": "2026-06", "to": "2026-05"}, "to"),
        ({"from": "2020-01", "to": "2026-12"}, "to"),
        ({"office": "nowhere"}, "office"),
    ],
)
def test_bad_filters_name_the_field(client, signed_in, query, field):
    signed_in("admin")
    response = _page(client, **query)
    assert response.status_code == 422
    ids = {"from": "month-from", "to": "month-to", "office": "office"}
    assert f'id="{ids[field]}-error"' in response.text
