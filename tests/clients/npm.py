"""The node clients the tests run (ical.js, axe-core), installed with `npm ci` when missing.

A missing node or npm, or a failed install, fails the test loudly; it is never skipped.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

CLIENTS = Path(__file__).resolve().parent
ICALJS_SCRIPT = CLIENTS / "icaljs_expand.mjs"
ICALJS_PACKAGE = CLIENTS / "node_modules" / "ical.js" / "package.json"


def install_client_packages(marker: Path) -> None:
    """Run `npm ci` in tests/clients unless `marker` (a file of the package needed) exists."""
    if marker.exists():
        return
    npm = shutil.which("npm")
    if npm is None:
        pytest.fail("npm is required to install the test clients (npm ci --prefix tests/clients)")
    result = subprocess.run(
        [npm, "ci", "--prefix", str(CLIENTS), "--no-audit", "--no-fund"],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0 or not marker.exists():
        pytest.fail(f"npm ci failed:\n{result.stdout}\n{result.stderr}")


def node_with_icaljs() -> str:
    """Return node's path, with ical.js installed for tests/clients/icaljs_expand.mjs."""
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is required for the ical.js client tests (install Node 20+)")
    install_client_packages(ICALJS_PACKAGE)
    return node
