"""GNOME Calendar's and Evolution's parser (libical, through libical-glib), run as a subprocess.

libical-glib's Python bindings come from Debian (gir1.2-ical-3.0 and python3-gi, installed by
.ci/run) and load only in Debian's own /usr/bin/python3, not in the project's virtualenv.
A missing interpreter or library fails the test; it is never skipped.
"""

from __future__ import annotations

import json
import subprocess
from datetime import datetime
from pathlib import Path

import pytest

LIBICAL_SCRIPT = Path(__file__).resolve().parent / "libical_expand.py"
DEBIAN_PYTHON = Path("/usr/bin/python3")
_PROBE = "import gi; gi.require_version('ICalGLib', '3.0'); from gi.repository import ICalGLib"


def debian_python_with_libical() -> str:
    """Return Debian's python3 once it has shown it can load libical-glib."""
    if not DEBIAN_PYTHON.exists():
        pytest.fail(f"{DEBIAN_PYTHON} is required for the libical client tests (apt python3-gi)")
    probe = subprocess.run(
        [str(DEBIAN_PYTHON), "-c", _PROBE], capture_output=True, text=True, check=False
    )
    if probe.returncode != 0:
        pytest.fail(
            "libical-glib does not load in /usr/bin/python3; run "
            f"`apt-get install -y gir1.2-ical-3.0 python3-gi`:\n{probe.stderr}"
        )
    return str(DEBIAN_PYTHON)


def libical_expand(
    python: str, ics: bytes, tmp_path: Path, start: datetime, until: datetime
) -> list[dict[str, str]]:
    """Expand ics with libical; return {uid, start, end} in UTC ISO, by start then uid."""
    path = tmp_path / "libical.ics"
    path.write_bytes(ics)
    window = ["--from", start.isoformat(), "--until", until.isoformat()]
    result = subprocess.run(
        [python, str(LIBICAL_SCRIPT), str(path), *window],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    occurrences: list[dict[str, str]] = json.loads(result.stdout)
    return [{k: o[k] for k in ("uid", "start", "end")} for o in occurrences]
