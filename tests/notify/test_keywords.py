# ruff: noqa: RUF001 - Cyrillic and Arabic-script keywords on purpose
"""Inbound keyword classification."""

from __future__ import annotations

import pytest

from service.notify.keywords import _HELP, _START, _STOP, normalize_keyword
from service.notify.texts import classify_inbound


@pytest.mark.parametrize(
    "text",
    [
        "STOP", "stop", " Stop! ", "STOP.", "stopall", "Stop all", "UNSUBSCRIBE", "cancel",
        "End", "QUIT", "revoke", "OPTOUT", "opt-out", "Opt out",
        "СТОП", "стоп", "Стоп!", "спри", "отписване", "ОТПИСАТЬСЯ", "відписатися",
        "Arrêt", "ARRET", "désabonner",
        "توقف", "الغاء", "إلغاء", "إلغاء الاشتراك", "لغو", "لغو عضويت", "توقف؟",
        "\u200fتوقف\u200f", "تـوقـف", "بند کریں", "JOOJI", "raweste", "ኣቁም", "STOP 🙏",
    ],
)  # fmt: skip
def test_stop_words(text: str) -> None:
    assert classify_inbound(text) == "stop"


@pytest.mark.parametrize("text", ["START", "start", "Unstop", "СТАРТ", "старт!", "شروع"])
def test_start_words(text: str) -> None:
    assert classify_inbound(text) == "start"


@pytest.mark.parametrize(
    "text", ["HELP", "help?", "Info", "ПОМОЩ", "помощь", "допомога", "aide", "مساعدة", "كمك"]
)
def test_help_words(text: str) -> None:
    assert classify_inbound(text) == "help"


@pytest.mark.parametrize(
    "text",
    [
        "", "   ", "?!", "Please stop", "stop sending me this", "I will come", "OK", "YES",
        "Can I cancel my appointment tomorrow?", "стоп стоп", "helpful", "starting",
        "Здравейте, ще дойда", "شكرا",
    ],
)  # fmt: skip
def test_other_messages(text: str) -> None:
    assert classify_inbound(text) == "other"


def test_keyword_lists_do_not_overlap() -> None:
    stop = {normalize_keyword(w) for w in _STOP}
    start = {normalize_keyword(w) for w in _START}
    help_ = {normalize_keyword(w) for w in _HELP}
    assert not (stop & start or stop & help_ or start & help_)
    assert "" not in stop | start | help_
