"""docker-compose.yml stays consistent with the settings the README documents."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def _documented() -> set[str]:
    readme = (ROOT / "README.md").read_text()
    table = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"`([A-Z][A-Z0-9_]+)`", table))


def test_every_setting_the_services_pass_is_documented_and_the_limits_are_passed() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    documented = _documented()
    for name in ("web", "dispatcher", "migrate"):
        environment = {**compose["x-app"]["environment"], **services[name].get("environment", {})}
        assert set(environment) - {"PROMETHEUS_MULTIPROC_DIR"} <= documented, name
    assert {"FEED_RATE_LIMIT", "WEBHOOK_RATE_LIMIT", "RATELIMIT_STORAGE_URI"} <= set(
        compose["x-app"]["environment"]
    )
    assert services["dispatcher"]["command"][:2] == ["flask", "scheduler"]
    assert services["web"]["depends_on"]["migrate"]["condition"] == (
        "service_completed_successfully"
    )
