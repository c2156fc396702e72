# ruff: noqa: RUF001 - non-Latin test data on purpose
"""Templates: every language, two-segment budget, discreet wording, Babel dates."""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from babel import localedata
from babel.dates import format_date

from service.notify.catalogue import CATALOGUE
from service.notify.encoding import sms_parts
from service.notify.texts import (
    KINDS,
    babel_locale,
    help_reply,
    render_sms,
    resolve_language,
    stop_confirmation,
)

REQUIRED = ["bg", "en", "ar", "fa", "prs", "ps", "ckb", "kmr", "uk", "ru", "fr", "ur", "ti", "so"]
LANGUAGES = sorted(CATALOGUE)
PLACE = "Burgas, ul. Aleksandrovska 12, room 3"
LONG_PLACE = "Harmanli, Registration and Reception Centre, block 2, room 14"
SENDER = "Zapis Harmanli"
# Wednesday 16 December 2026, 10:30 in Sofia (UTC+2).
DECEMBER = datetime(2026, 12, 16, 8, 30, tzinfo=UTC)
SOFIA = ZoneInfo("Europe/Sofia")

# Stems that would reveal the organisation, the place or the kind of help.
REVEALING = [
    "zapis",
    "iom",
    "unhcr",
    "mission",
    "harmanli",
    "burgas",
    "sofia",
    "aleksandrovska",
    "interpret",
    "asylum",
    "refugee",
    "counsel",
    "traffick",
    "migra",
    "legal",
    "lawyer",
    "asile",
    "réfugi",
    "interprète",
    "conseil",
    "avocat",
    "преводач",
    "убежищ",
    "бежан",
    "консулт",
    "трафик",
    "мигра",
    "адвокат",
    "перекладач",
    "притулок",
    "біженц",
    "مترجم",
    "لجوء",
    "لاجئ",
    "استشار",
    "پناه",
    "مشاور",
    "ترجمان",
    "وکیل",
    "محامي",
    "ተርጓሚ",
    "turjubaan",
    "wergêr",
]
# Words for "appointment"/"booking": fine in ordinary texts, absent from discreet ones.
APPOINTMENT = [
    "appointment", "rendez", "запис", "موعد", "نوبت", "ملاقات", "لیدنې", "اپائنٹمنٹ", "ژوان",
    "randevû", "ballan", "ቆጸራ",
]  # fmt: skip


def words(text: str) -> list[str]:
    """Split into words, dropping digits, punctuation and symbols."""
    cleaned = "".join(
        c if unicodedata.category(c)[0] in "LM" or c == "\u200c" else " " for c in text
    )
    return cleaned.split()


def test_required_languages_and_keys_are_complete() -> None:
    assert set(REQUIRED) <= set(CATALOGUE)
    keys = set(CATALOGUE["en"])
    assert set(KINDS) | {"discreet", "help", "stop"} <= keys
    for language, texts in CATALOGUE.items():
        assert set(texts) == keys, language
        for key, text in texts.items():
            fields = set(re.findall(r"{(\w+)}", text))
            if key.startswith("discreet"):
                assert fields == {"date", "time", "code"}, (language, key)
            elif key in KINDS:
                expected = (
                    {"date", "time"} if key.endswith("cancellation") else {"date", "time", "place"}
                )
                assert fields == expected, (language, key)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("discreet", [False, True])
def test_fits_two_segments_with_realistic_data(language: str, kind: str, discreet: bool) -> None:
    for place, sender in ((PLACE, SENDER), (LONG_PLACE, None)):
        sms = render_sms(kind, language, DECEMBER, place, "H14", discreet, sender=sender)
        assert sms.language_used == language
        assert sms.segments <= 2, sms.body
        assert (sms.encoding, sms.segments) == (
            sms_parts(sms.body).encoding,
            sms_parts(sms.body).segments,
        )
        assert "{" not in sms.body


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", KINDS)
def test_discreet_reveals_only_time_and_place_code(language: str, kind: str) -> None:
    sms = render_sms(kind, language, DECEMBER, PLACE, "B3", True, sender=SENDER)
    full = render_sms(kind, language, DECEMBER, PLACE, "B3", False, sender=SENDER)

    assert "B3" in sms.body
    assert "10:30" in sms.body
    assert PLACE not in sms.body
    assert SENDER not in sms.body
    lowered = sms.body.casefold()
    leaked = [stem for stem in REVEALING + APPOINTMENT if stem in lowered]
    assert leaked == [], sms.body
    # Beyond the localized date and time, at most a "new time"/"cancelled (from)" label remains.
    locale = babel_locale(language)
    date_words = words(format_date(DECEMBER.astimezone(SOFIA), "full", locale=locale))
    extra = [w for w in words(sms.body) if w not in date_words and w not in ("B",)]
    if kind in ("reschedule", "cancellation", "series_cancellation"):
        assert 1 <= len(extra) <= 3, sms.body
    else:
        assert extra == [] or extra == ["ч"], sms.body  # bg writes "10:30 ч."
    assert len(sms.body) < len(full.body)
    assert not [
        stem
        for stem in REVEALING
        if stem in full.body.casefold().replace(PLACE.casefold(), "").replace(SENDER.casefold(), "")
    ]


@pytest.mark.parametrize("language", LANGUAGES)
def test_non_discreet_names_the_sender_and_the_place(language: str) -> None:
    sms = render_sms("reminder", language, DECEMBER, PLACE, "B3", False, sender=SENDER)
    assert sms.body.startswith(f"{SENDER}: ")
    assert PLACE in sms.body
    assert "B3" not in sms.body


@pytest.mark.parametrize(
    ("tag", "expected"),
    [
        ("xx", "en"),
        ("de", "en"),
        ("", "en"),
        ("RU", "ru"),
        ("fr-BE", "fr"),
        ("fa-AF", "prs"),
        ("fa_IR", "fa"),
        ("ku", "kmr"),
        ("ckb-IQ", "ckb"),
        ("ar_SY", "ar"),
    ],
)
def test_language_resolution_and_fallback(tag: str, expected: str) -> None:
    assert resolve_language(tag) == expected
    sms = render_sms("confirmation", tag, DECEMBER, PLACE, "B3", False)
    assert sms.language_used == expected


def test_unknown_language_renders_english() -> None:
    sms = render_sms("reminder", "xx", DECEMBER, PLACE, "B3", False)
    assert (
        sms.body
        == f"Reminder: your appointment is on Wednesday, December 16, 2026 at 10:30, {PLACE}."
    )


@pytest.mark.parametrize(
    ("language", "locale"),
    [("prs", "fa_AF"), ("kmr", "ku"), ("ckb", "ckb"), ("ti", "ti"), ("so", "so"), ("bg", "bg")],
)
def test_babel_locale_mapping(language: str, locale: str) -> None:
    assert babel_locale(language) == locale


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_language_has_a_babel_locale(language: str) -> None:
    assert localedata.exists(babel_locale(language))
    if language not in ("en",):
        assert babel_locale(language) != "en"


@pytest.mark.parametrize(
    ("language", "month"),
    [("bg", "декември"), ("ru", "декабря"), ("uk", "грудня"), ("fr", "décembre"),
     ("ar", "ديسمبر"), ("prs", "دسمبر"), ("so", "Diseembar"), ("kmr", "berfanbar")],
)  # fmt: skip
def test_date_is_in_the_recipients_language(language: str, month: str) -> None:
    assert month in render_sms("confirmation", language, DECEMBER, PLACE, "B3", False).body


@pytest.mark.parametrize(
    ("starts_at", "shown"),
    [
        (datetime(2027, 3, 26, 8, 0, tzinfo=UTC), "10:00"),  # EET, UTC+2
        (datetime(2027, 3, 29, 7, 0, tzinfo=UTC), "10:00"),  # EEST from 28 March, UTC+3
        (datetime(2027, 3, 29, 10, 0, tzinfo=SOFIA), "10:00"),
        (datetime(2026, 10, 26, 8, 0, tzinfo=UTC), "10:00"),  # back to UTC+2 on 25 October
    ],
)
@pytest.mark.parametrize("language", ["en", "bg", "ar", "fa"])
def test_local_time_across_dst(starts_at: datetime, shown: str, language: str) -> None:
    sms = render_sms("reminder", language, starts_at, PLACE, "B3", False)
    assert shown in sms.body
    assert "07:00" not in sms.body and "08:00" not in sms.body


def test_local_date_not_utc_date() -> None:
    new_year = datetime(2026, 12, 31, 22, 30, tzinfo=UTC)  # 00:30 on 1 January in Sofia
    sms = render_sms("reminder", "en", new_year, PLACE, "B3", False)
    assert "Friday, January 1, 2027 at 00:30" in sms.body
    other_zone = render_sms("reminder", "en", new_year, PLACE, "B3", False, tz="UTC")
    assert "Thursday, December 31, 2026 at 22:30" in other_zone.body


def test_right_to_left_text_is_kept_in_logical_order_with_its_marks() -> None:
    tuesday = datetime(2026, 12, 15, 8, 0, tzinfo=UTC)
    sms = render_sms("enrolment", "fa", tuesday, PLACE, "B3", False)
    assert sms.body.startswith("ثبت\u200cنام شما")
    assert "سه\u200cشنبه" in sms.body  # Babel's weekday keeps its zero-width non-joiner
    assert sms.body.endswith(PLACE)
    arabic = render_sms("confirmation", "ar", tuesday, PLACE, "B3", False)
    assert arabic.body.startswith("تم تأكيد موعدك: الثلاثاء")
    assert arabic.encoding == "UCS-2"


def test_rejects_naive_datetime_and_unknown_kind() -> None:
    with pytest.raises(ValueError):
        render_sms("reminder", "en", datetime(2026, 12, 16, 10, 0), PLACE, "B3", False)
    with pytest.raises(ValueError):
        render_sms("asylum_interview", "en", DECEMBER, PLACE, "B3", False)


@pytest.mark.parametrize("language", LANGUAGES)
def test_help_and_stop_replies(language: str) -> None:
    for text in (help_reply(language), stop_confirmation(language)):
        assert "START" in text
        assert sms_parts(text).segments <= 2
        lowered = text.casefold()
        assert not [stem for stem in REVEALING if stem in lowered]
    assert "STOP" in help_reply(language)
    assert help_reply(language) != stop_confirmation(language)


def test_help_and_stop_fall_back_to_english() -> None:
    assert help_reply("xx") == help_reply("en")
    assert stop_confirmation("zz-ZZ") == stop_confirmation("en")
    assert help_reply("bg") != help_reply("en")


def test_full_date_when_it_fits_shorter_date_only_when_needed() -> None:
    fits = render_sms("enrolment", "ckb", DECEMBER, PLACE, "B3", False)
    assert "2026" in fits.body
    squeezed = render_sms("enrolment", "ckb", DECEMBER, LONG_PLACE, "B3", False)
    assert "2026" not in squeezed.body
    assert "10:30" in squeezed.body and LONG_PLACE in squeezed.body
    assert squeezed.segments == 2


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("discreet", [False, True])
def test_a_change_notice_names_the_old_time_within_three_segments(
    language: str, discreet: bool
) -> None:
    before = DECEMBER - timedelta(days=1, hours=2)  # 06:30 UTC, 08:30 in Sofia
    for place, sender in ((PLACE, SENDER), (LONG_PLACE, None)):
        sms = render_sms(
            "reschedule", language, DECEMBER, place, "H14", discreet, sender=sender, previous=before
        )
        assert "8:30" in sms.body and "10:30" in sms.body, sms.body
        # The old time may cost a third segment in non-Latin scripts with a long address.
        assert sms.segments <= (2 if discreet or sms.encoding == "GSM-7" else 3), sms.body
        assert "{" not in sms.body
        if discreet:
            assert place not in sms.body
