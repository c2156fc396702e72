"""Which console sections a role may open, for the views (403) and the navigation alike."""

from __future__ import annotations

from flask import g

from service.auth import require_role
from service.console.web import bp, principal

SECTIONS = {
    "beneficiaries": ("admin", "coordinator"),
    "users": ("admin",),
}


def require_section(section: str) -> None:
    """Refuse (403) unless the signed-in user's role may open `section`."""
    require_role(principal(), *SECTIONS[section])


@bp.app_template_global()
def may_open(section: str) -> bool:
    """Tell a template whether to offer `section` to the signed-in user."""
    who = g.get("console_principal")
    return who is not None and who.role in SECTIONS[section]


def landing_endpoint(role: str) -> str:
    """The page a user starts on: staff their calendar, everyone else the week board."""
    return "console.calendar" if role == "staff" else "console.board"
