"""The one access policy: who may list, read and change each kind of object.

Every API operation and console page asks this module; no handler decides on its own. It is
pure: it is given the caller (`Principal`) and what the caller's code loaded about one object
(`Facts`: the offices it belongs to, the people it holds, how many beneficiaries it concerns,
who owns it) and answers yes or no. A kind or a role it does not name is refused.

* **admin**: everything.
* **coordinator** (one or more offices): offices, rooms and people of every office to read; the
  objects *of their offices* to list, read and change: bookings and series at the office,
  enrolments, attendance and SMS of those, time off of people working there, feeds of the
  office or its people, and the beneficiaries who *belong* to the office (registered there or
  shared with it). Statistics of their offices; the interpreters' month of the interpreters
  working at their offices. Export of their beneficiaries. The interpreter needs and avoided
  interpreters of their beneficiaries (protection data: nobody else but admins, and answered
  *not found* to everyone else). Never tokens, other users, erasure. Being on, making or
  cancelling a booking grants nothing by itself.
* **staff** (bound to one person): their own schedule: bookings and series that hold them,
  read without notes or beneficiaries; change only of what holds them alone (rooms aside) and
  concerns no beneficiary; the register of their own classes; their own time off and feeds;
  their own interpreters' month (hours for payment), when they are an interpreter.
* **read_only**: offices, resources, bookings and series without notes or beneficiaries, and
  statistics; nothing personal, no changes.
* Everyone: their own console account.

An object outside the caller's scope answers *not found* (never confirming that it exists);
an object the caller may read but not change answers *forbidden*.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum

from service.access.auth import Principal
from service.plumbing.errors import Forbidden, NotFound


class Action(StrEnum):
    LIST = "list"
    READ = "read"
    CHANGE = "change"


class Kind(StrEnum):
    OFFICE = "office"
    RESOURCE = "resource"
    TIME_OFF = "time_off"
    BENEFICIARY = "beneficiary"
    NEEDS = "needs"  # a beneficiary's needs of an interpreter and whom they avoid
    BOOKING = "booking"
    SERIES = "series"
    ENROLMENT = "enrolment"
    ATTENDANCE = "attendance"
    FEED = "feed"
    TOKEN = "token"  # noqa: S105 (the kind of object, not a secret)
    NOTIFICATION = "notification"
    REPLY = "reply"
    STATISTICS = "statistics"
    INTERPRETER_MONTH = "interpreter_month"
    EXPORT = "export"
    ERASURE = "erasure"
    USER = "user"


@dataclass(frozen=True)
class Facts:
    """What the policy needs to know about one object (or about a request to create one)."""

    offices: frozenset[str] = frozenset()
    people: frozenset[int] = frozenset()
    beneficiaries: int = 0
    owner: str | None = None
    public: bool = False

    @classmethod
    def of(
        cls,
        offices: Iterable[str | None] = (),
        people: Iterable[int] = (),
        beneficiaries: int = 0,
        owner: str | None = None,
        public: bool = False,
    ) -> Facts:
        return cls(
            frozenset(code for code in offices if code is not None),
            frozenset(people),
            beneficiaries,
            owner,
            public,
        )


@dataclass(frozen=True)
class Scope:
    """Which objects of a kind a caller may list: all, those of some offices or of one person."""

    everything: bool = False
    offices: frozenset[str] = frozenset()
    person: int | None = None


# A rule answers for one role and kind; `facts` None asks "any object of this kind at all?".
Rule = Callable[[Principal, Action, Facts | None], bool]


def _reading(_p: Principal, action: Action, _f: Facts | None) -> bool:
    return action is not Action.CHANGE


def _own_offices(p: Principal, _a: Action, f: Facts | None) -> bool:
    return f is None or bool(f.offices & p.offices)


def _read_all_change_own_offices(p: Principal, action: Action, f: Facts | None) -> bool:
    return action is not Action.CHANGE or _own_offices(p, action, f)


def _own_offices_or_public(p: Principal, action: Action, f: Facts | None) -> bool:
    return f is None or f.public or _own_offices(p, action, f)


def _own_account(p: Principal, action: Action, f: Facts | None) -> bool:
    return action is not Action.LIST and (f is None or f.owner == p.name)


def _own_person(p: Principal, _a: Action, f: Facts | None) -> bool:
    return p.resource_id is not None and (f is None or p.resource_id in f.people)


def _own_schedule(p: Principal, action: Action, f: Facts | None) -> bool:
    """Read what holds them; change only what holds them alone and concerns no beneficiary."""
    if p.resource_id is None:
        return False
    if f is None:
        return True
    if action is not Action.CHANGE:
        return p.resource_id in f.people
    return f.people == {p.resource_id} and f.beneficiaries == 0


def _own_person_or_public(p: Principal, action: Action, f: Facts | None) -> bool:
    return (f is not None and f.public) or _own_person(p, action, f)


def _reading_own_person(p: Principal, action: Action, f: Facts | None) -> bool:
    return action is not Action.CHANGE and _own_person(p, action, f)


RULES: dict[Kind, dict[str, Rule]] = {
    Kind.OFFICE: {
        "coordinator": _read_all_change_own_offices,
        "staff": _reading,
        "read_only": _reading,
    },
    Kind.RESOURCE: {"coordinator": _reading, "staff": _reading, "read_only": _reading},
    Kind.TIME_OFF: {"coordinator": _own_offices, "staff": _own_person},
    Kind.BENEFICIARY: {"coordinator": _own_offices},
    Kind.NEEDS: {"coordinator": _own_offices},
    Kind.BOOKING: {"coordinator": _own_offices, "staff": _own_schedule, "read_only": _reading},
    Kind.SERIES: {"coordinator": _own_offices, "staff": _own_schedule, "read_only": _reading},
    Kind.ENROLMENT: {"coordinator": _own_offices, "staff": _reading_own_person},
    Kind.ATTENDANCE: {"coordinator": _own_offices, "staff": _own_person},
    Kind.FEED: {"coordinator": _own_offices_or_public, "staff": _own_person_or_public},
    Kind.TOKEN: {},
    Kind.NOTIFICATION: {"coordinator": _own_offices},
    Kind.REPLY: {"coordinator": _own_offices},
    Kind.STATISTICS: {"coordinator": _own_offices, "read_only": _reading},
    Kind.INTERPRETER_MONTH: {"coordinator": _own_offices, "staff": _own_person},
    Kind.EXPORT: {"coordinator": _own_offices},
    Kind.ERASURE: {},
    Kind.USER: {"coordinator": _own_account, "staff": _own_account, "read_only": _own_account},
}

# Kinds whose objects are answered "not found" outside the caller's scope, so that an id or a
# case reference is never confirmed to exist.
_HIDDEN = frozenset(Kind) - {Kind.OFFICE, Kind.RESOURCE, Kind.STATISTICS, Kind.INTERPRETER_MONTH}


def allows(principal: Principal, action: Action, kind: Kind, facts: Facts | None = None) -> bool:
    """Tell whether `principal` may do `action` on `kind` (on the object `facts` describe)."""
    if principal.role == "admin":
        return True
    rule = RULES.get(kind, {}).get(principal.role)
    return rule is not None and rule(principal, action, facts)


def require(
    principal: Principal,
    action: Action,
    kind: Kind,
    facts: Facts | None = None,
    *,
    missing: str | None = None,
) -> None:
    """Refuse unless allowed.

    For an existing object (`missing` is its not-found message) that the caller may not even
    read: NotFound, so that its existence is not confirmed. Otherwise Forbidden.
    """
    if allows(principal, action, kind, facts):
        return
    if missing is not None and kind in _HIDDEN and not allows(principal, Action.READ, kind, facts):
        raise NotFound(missing)
    raise Forbidden(
        f"The {principal.role} role may not {action.value} this {kind_label(kind)}."
    ).coded("forbidden", role=principal.role)


def kind_label(kind: Kind) -> str:
    return kind.value.replace("_", " ")


def list_scope(principal: Principal, kind: Kind) -> Scope:
    """Return which objects of `kind` the principal may list; Forbidden if none at all."""
    require(principal, Action.LIST, kind)
    if principal.role == "admin":
        return Scope(everything=True)
    rule = RULES[kind][principal.role]
    if rule in (_reading, _read_all_change_own_offices):
        return Scope(everything=True)
    if principal.role == "coordinator":
        return Scope(offices=principal.offices)
    return Scope(person=principal.resource_id)


def require_office_changes(
    principal: Principal, before: Iterable[str], after: Iterable[str]
) -> None:
    """Allow sharing a beneficiary with any office (the caller may change them already); taking
    them out of an office only to who may change beneficiaries of that office."""
    for code in sorted(set(before) - set(after)):
        require(principal, Action.CHANGE, Kind.BENEFICIARY, Facts.of(offices=[code]))


def sees_details(principal: Principal, facts: Facts) -> bool:
    """Tell whether a booking's notes and beneficiaries may be shown: only to who may change
    its beneficiaries' data (admins, coordinators of its office)."""
    return principal.role == "admin" or (
        principal.role == "coordinator" and bool(facts.offices & principal.offices)
    )
