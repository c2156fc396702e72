"""E.164 checks and masking."""

from __future__ import annotations

import pytest

from service.notify.phone import is_e164, mask_numbers_in, mask_phone


@pytest.mark.parametrize(
    ("number", "masked"),
    [
        ("+35988812678", "+359*****678"),
        ("+359888123678", "+359******678"),
        ("+447700900123", "+447******123"),
        ("12345", "***45"),
    ],
)
def test_mask_phone(number: str, masked: str) -> None:
    assert mask_phone(number) == masked


def test_mask_numbers_in_free_text() -> None:
    text = "The 'To' number +359888123678 is not valid; call 0888 123 456 at 10:30 in 2026."
    masked = mask_numbers_in(text)
    assert "+359888123678" not in masked and "+359******678" in masked
    assert "0888 123 456" not in masked
    assert "10:30" in masked and "2026" in masked


@pytest.mark.parametrize(
    ("number", "ok"),
    [("+359888123678", True), ("+12025550123", True), ("0888123678", False),
     ("+0888123678", False), ("+359 888 123", False), ("+1234567890123456", False)],
)  # fmt: skip
def test_is_e164(number: str, ok: bool) -> None:
    assert is_e164(number) is ok
