"""Compress calendar answers (feeds, .ics downloads, free/busy) with gzip, using flask-compress.

Only views decorated with ``compressed`` are compressed (COMPRESS_REGISTER is off), so JSON and
console pages stay as they are; flask-compress adds ``Vary: Accept-Encoding`` to their answers.
The feed answers conditional requests itself, before reading any piece, with a weak ETag that
the gzip and identity bodies share (RFC 9110 8.8.1: they are equivalent), which flask-compress
leaves alone; it must not evaluate the request again (COMPRESS_EVALUATE_CONDITIONAL_REQUEST),
as it would compare the Last-Modified header, which may be clamped to the clock.
"""

from __future__ import annotations

from flask import Flask
from flask_compress import Compress

SETTINGS = {
    "COMPRESS_REGISTER": False,
    "COMPRESS_MIMETYPES": ["text/calendar"],
    "COMPRESS_ALGORITHM": ["gzip"],
    "COMPRESS_STREAMS": False,
    "COMPRESS_EVALUATE_CONDITIONAL_REQUEST": False,
}

compressor = Compress()
compressed = compressor.compressed()


def init_app(app: Flask) -> None:
    for name, value in SETTINGS.items():
        app.config.setdefault(name, value)
    compressor.init_app(app)
