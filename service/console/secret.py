"""The key that signs console session cookies: configured, or persisted in the instance folder.

Every gunicorn worker must sign with the same key, so the development default is written once
to instance/secret_key (created atomically) and read by every process after that.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import tempfile
from pathlib import Path

from flask import Flask

KEY_FILE = "secret_key"


class MissingSecretKey(RuntimeError):
    pass


def _persisted_key(instance_path: str) -> str:
    folder = Path(instance_path)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / KEY_FILE
    if not path.exists():
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".secret_key.")
        try:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_hex(32))
            with contextlib.suppress(FileExistsError):
                os.link(tmp, path)  # atomic: the first process wins, the others read its key
        finally:
            os.unlink(tmp)
    key = path.read_text().strip()
    if len(key) < 32:
        raise MissingSecretKey(f"{path} holds no usable key; delete it to make a new one.")
    return key


def configure_secret_key(app: Flask) -> None:
    """Set SECRET_KEY, refusing to start in production without a configured one."""
    if app.config.get("SECRET_KEY"):
        return
    if app.config.get("ZAPIS_ENV") == "production":
        raise MissingSecretKey("ZAPIS_ENV=production needs SECRET_KEY in the environment.")
    try:
        app.config["SECRET_KEY"] = _persisted_key(app.instance_path)
    except OSError as exc:
        raise MissingSecretKey(
            f"Set SECRET_KEY: no key could be kept in {app.instance_path} ({exc})."
        ) from exc
