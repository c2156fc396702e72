"""GSM-7 / UCS-2 detection and segment counting."""

from __future__ import annotations

from decimal import Decimal

import pytest

from service.notify.encoding import GSM_BASIC, GSM_EXTENSION, estimate_cost, sms_parts


@pytest.mark.parametrize(
    ("body", "encoding", "segments", "units"),
    [
        ("a" * 160, "GSM-7", 1, 160),
        ("a" * 161, "GSM-7", 2, 161),
        ("a" * 306, "GSM-7", 2, 306),
        ("a" * 307, "GSM-7", 3, 307),
        ("€", "GSM-7", 1, 2),
        ("€" * 80, "GSM-7", 1, 160),
        ("€" * 81, "GSM-7", 2, 162),
        ("a" * 159 + "€", "GSM-7", 2, 161),
        ("[]{}|~^\\", "GSM-7", 1, 16),
        ("Ça coûte 5 €", "UCS-2", 1, 12),  # û is not in GSM 03.38
        ("Café à 10:00 @ Øresund", "GSM-7", 1, 22),
        ("ж" * 70, "UCS-2", 1, 70),
        ("ж" * 71, "UCS-2", 2, 71),
        ("ж" * 134, "UCS-2", 2, 134),
        ("ж" * 135, "UCS-2", 3, 135),
        ("م" * 70, "UCS-2", 1, 70),
        ("a" * 69 + "😀", "UCS-2", 2, 71),
        ("😀" * 35, "UCS-2", 1, 70),
        ("😀" * 36, "UCS-2", 2, 72),
    ],
)
def test_known_cases(body: str, encoding: str, segments: int, units: int) -> None:
    parts = sms_parts(body)
    assert (parts.encoding, parts.segments, parts.units) == (encoding, segments, units)
    assert parts.characters == len(body)


def test_escape_pair_is_not_split_across_segments() -> None:
    # 152 septets then a 2-septet "€" would straddle the 153 boundary: it moves on whole.
    body = "a" * 152 + "€" + "a" * 10
    assert sms_parts(body).units == 164
    assert sms_parts(body).segments == 2
    # 152 + 2 + 152 = 306 septets but the "€" cannot start at 153, so three parts.
    assert sms_parts("a" * 152 + "€" + "a" * 152).segments == 3


def test_surrogate_pair_is_not_split_across_segments() -> None:
    body = "ж" * 66 + "😀" + "ж" * 66  # 134 code units, but the emoji straddles unit 67
    assert sms_parts(body).units == 134
    assert sms_parts(body).segments == 3


def test_every_basic_and_extension_character_is_gsm() -> None:
    assert len(GSM_BASIC) == 127  # 128 codes minus the escape
    assert len(GSM_EXTENSION) == 10
    assert sms_parts("".join(sorted(GSM_BASIC))).encoding == "GSM-7"
    assert sms_parts("".join(sorted(GSM_EXTENSION))).units == 20


@pytest.mark.parametrize("char", ["ç", "ê", "`", "\u200f", "\u202f", "ё"])
def test_single_non_gsm_character_switches_to_ucs2(char: str) -> None:
    assert sms_parts("Hello " + char).encoding == "UCS-2"


def test_estimate_cost() -> None:
    assert estimate_cost(3, Decimal("0.0725")) == Decimal("0.2175")
    assert estimate_cost(0, Decimal("0.05")) == Decimal("0")
    with pytest.raises(ValueError):
        estimate_cost(-1, Decimal("0.05"))
