# ruff: noqa: RUF001 - keywords in Cyrillic and Arabic script on purpose
"""Classify inbound SMS as opt-out, opt-in or help keywords (whole-message match)."""

from __future__ import annotations

import unicodedata
from typing import Literal

InboundKind = Literal["stop", "start", "help", "other"]

_STOP = (
    # Carrier/Twilio standard opt-out words.
    "STOP", "STOPALL", "STOP ALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT",
    "OPT OUT",
    "СТОП", "СПРИ", "ОТПИСВАНЕ",  # bg
    "ОТПИСАТЬСЯ", "ОТПИСКА",  # ru
    "ВІДПИСАТИСЯ", "ВІДПИСКА",  # uk
    "ARRÊT", "ARRETER", "DÉSABONNER", "DÉSINSCRIRE",  # fr
    "توقف", "إلغاء", "قف", "إلغاء الاشتراك",  # ar
    "لغو", "لغو عضویت", "لغو اشتراک",  # fa, prs
    "بند", "بند کریں",  # ps, ur
    "وەستان", "ڕاگرتن",  # ckb
    "RAWESTE", "RAWESTÎNE",  # kmr
    "JOOJI",  # so
    "ኣቁም", "ኣቋርጽ",  # ti
)  # fmt: skip
_START = ("START", "UNSTOP", "СТАРТ", "ابدأ", "شروع", "دەستپێکردن", "DEST PÊ BIKE", "BILOW")
_HELP = (
    "HELP", "INFO", "ПОМОЩ", "ПОМОЩЬ", "ДОПОМОГА", "AIDE", "مساعدة", "کمک", "مرسته", "مدد",
    "یارمەتی", "ALÎKARÎ", "CAAWIMO", "ሓገዝ",
)  # fmt: skip

# Arabic-script letters that differ only by keyboard layout (Arabic vs Persian/Urdu).
_FOLD = str.maketrans({"ي": "ی", "ى": "ی", "ك": "ک", "ۀ": "ه", "ة": "ه", "ـ": None})


def normalize_keyword(text: str) -> str:
    """Casefold, drop accents/harakat, punctuation, symbols, spaces and invisible marks."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    kept = (c for c in decomposed if unicodedata.category(c)[0] not in "MPZSC" and c != "\ufe0f")
    return unicodedata.normalize("NFC", "".join(kept)).translate(_FOLD)


_TABLE: dict[str, InboundKind] = {
    **{normalize_keyword(w): "help" for w in _HELP},
    **{normalize_keyword(w): "start" for w in _START},
    **{normalize_keyword(w): "stop" for w in _STOP},
}


def classify_inbound(text: str) -> InboundKind:
    key = normalize_keyword(text)
    return _TABLE.get(key, "other") if key else "other"
