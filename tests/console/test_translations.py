"""Every word the console can show has a Bulgarian translation in the committed catalogue."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo

import service

SOURCE = Path(service.__file__).parent
TRANSLATIONS = SOURCE / "console" / "translations"


def console_messages() -> set[str | tuple[str, ...]]:
    """Extract the messages as `pybabel extract -F babel.cfg -k _l` would."""
    with (SOURCE / "console" / "babel.cfg").open() as config:
        methods, options = parse_mapping_cfg(config)
    keywords = {**DEFAULT_KEYWORDS, "_l": None}
    return {
        message
        for _file, _line, message, _comments, _context in extract_from_dir(
            SOURCE, methods, options, keywords
        )
    }


def test_every_console_message_has_a_bulgarian_translation() -> None:
    with (TRANSLATIONS / "bg" / "LC_MESSAGES" / "messages.mo").open("rb") as compiled:
        catalogue = read_mo(compiled)
    missing = []
    for message in console_messages():
        msgid = message if isinstance(message, str) else message[0]
        entry = catalogue.get(msgid) if msgid else None
        if msgid and (entry is None or not entry.string or not all(entry.string)):
            missing.append(msgid)
    assert not missing, f"no Bulgarian translation (add it to bg messages.po, compile): {missing}"
