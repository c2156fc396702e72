"""Which console sections a user may open, asked of the access policy, for the views (403) and
the navigation alike."""

from __future__ import annotations

from flask import g

from service.access.access_policy import Action, Kind, allows, require
from service.console.web import bp, principal

SECTIONS = {
    "beneficiaries": Kind.BENEFICIARY,
    "users": Kind.USER,  # only admins list accounts; everyone else has their own
    "reminders": Kind.NOTIFICATION,
    "statistics": Kind.STATISTICS,
    "interpreter_month": Kind.INTERPRETER_MONTH,
}


def require_section(section: str) -> None:
    """Refuse (403) unless the signed-in user may list the section's objects."""
    require(principal(), Action.LIST, SECTIONS[section])


@bp.app_template_global()
def may_open(section: str) -> bool:
    """Tell a template whether to offer `section` to the signed-in user."""
    who = g.get("console_principal")
    return who is not None and allows(who, Action.LIST, SECTIONS[section])


def landing_endpoint(role: str) -> str:
    """The page a user starts on: staff their calendar, everyone else the week board."""
    return "console.calendar" if role == "staff" else "console.board"
