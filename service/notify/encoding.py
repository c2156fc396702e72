"""Work out SMS encoding and segment count the way carriers split messages."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

# GSM 03.38 default alphabet (the escape code 0x1B itself is not a text character).
GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# Extension table: each costs two septets (escape + character).
GSM_EXTENSION = frozenset("\f^{}\\[~]|€")

GSM_SINGLE, GSM_MULTI = 160, 153
UCS2_SINGLE, UCS2_MULTI = 70, 67

Encoding = Literal["GSM-7", "UCS-2"]


@dataclass(frozen=True)
class SmsParts:
    encoding: Encoding
    segments: int
    characters: int
    units: int  # septets for GSM-7, UTF-16 code units for UCS-2


def is_gsm7(text: str) -> bool:
    return all(c in GSM_BASIC or c in GSM_EXTENSION for c in text)


def _unit_sizes(body: str, encoding: Encoding) -> list[int]:
    if encoding == "GSM-7":
        return [2 if c in GSM_EXTENSION else 1 for c in body]
    return [2 if ord(c) > 0xFFFF else 1 for c in body]


def _count_segments(sizes: list[int], multi_limit: int) -> int:
    """Fill segments greedily; an escape pair or surrogate pair is never split across two."""
    segments, used = 1, 0
    for size in sizes:
        if used + size > multi_limit:
            segments += 1
            used = 0
        used += size
    return segments


def sms_parts(body: str) -> SmsParts:
    encoding: Encoding = "GSM-7" if is_gsm7(body) else "UCS-2"
    single, multi = (GSM_SINGLE, GSM_MULTI) if encoding == "GSM-7" else (UCS2_SINGLE, UCS2_MULTI)
    sizes = _unit_sizes(body, encoding)
    units = sum(sizes)
    segments = 1 if units <= single else _count_segments(sizes, multi)
    return SmsParts(encoding=encoding, segments=segments, characters=len(body), units=units)


def estimate_cost(segments: int, per_segment: Decimal) -> Decimal:
    if segments < 0:
        raise ValueError("segments cannot be negative")
    return per_segment * segments
