"""The interpreters' month page: the table, the month picker, the CSV download, in two languages."""

from __future__ import annotations

import re

from tests.test_interpreter_month import at, book

URL = "/console/interpreters/month"


def _row(html: str, name: str) -> str:
    found = re.search(rf'<th scope="row">{name}</th>.*?</tr>', html, re.S)
    assert found, f"no row for {name}"
    return found.group(0)


def test_a_coordinator_sees_their_interpreters_hours_and_can_download_them(
    client, session, factory, signed_in
):
    amira = factory.interpreter("ar", offices=("burgas",))
    elsewhere = factory.interpreter("ar", offices=("sofia",))
    book(session, factory, [amira], at(3, 2, 10), office="burgas")
    book(session, factory, [amira], at(3, 3, 10), minutes=90, office="burgas", type="counselling")
    book(session, factory, [elsewhere], at(3, 2, 12))
    signed_in("coordinator", offices=["burgas"])
    assert f'href="{URL}"' in client.get("/console/board").text

    html = client.get(URL, query_string={"month": "2027-03"}).text

    row = _row(html, amira.name)
    cells = re.findall(r"<td>(.*?)</td>", row, re.S)
    assert cells[:6] == ["2", "0", "2.5", "1.5", "100%", "1.0"]
    assert "counselling: 1.5 h, sessions: 1" in cells[6]
    assert elsewhere.name not in html
    assert 'type="month"' in html and 'value="2027-03"' in html
    download = client.get(URL, query_string={"month": "2027-03", "format": "csv"})
    assert download.mimetype == "text/csv"
    assert "interpreters-2027-03.csv" in download.headers["Content-Disposition"]
    assert amira.name in download.text and elsewhere.name not in download.text


def test_the_page_speaks_bulgarian(client, session, factory, signed_in):
    amira = factory.interpreter("ar", offices=("burgas",))
    book(session, factory, [amira], at(3, 3, 10), minutes=90, office="burgas", type="counselling")
    signed_in("coordinator", offices=["burgas"], locale="bg")

    html = client.get(URL, query_string={"month": "2027-03"}).text

    assert "Месецът на преводачите" in html and "Дял от ограничените часове" in html
    assert "1.5 ч, сесии: 1" in _row(html, amira.name)


def test_a_wrong_month_is_shown_by_its_field_and_another_office_is_refused(
    client, factory, signed_in
):
    factory.office("sofia")
    signed_in("coordinator", offices=["burgas"])

    wrong = client.get(URL, query_string={"month": "2027-13"})
    outside = client.get(URL, query_string={"month": "2027-03", "office": "sofia"})

    assert wrong.status_code == 422
    assert 'id="month-error"' in wrong.text and "YYYY-MM" in wrong.text
    assert outside.status_code == 403
