"""Console accounts from the command line: create-user, and the demo coordinator of `make run`.

A password is never an argument (it would sit in the shell history and the process list): it
is read as one line from standard input, or prompted for twice on a terminal.
"""

from __future__ import annotations

import secrets
import sys

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from service.access import accounts
from service.access.auth import Principal
from service.models import User
from service.models.access import ROLES
from service.plumbing.db import session_scope
from service.plumbing.errors import DomainError

DEMO_EMAIL = "coordinator@example.org"
DEMO_OFFICES = ("burgas", "harmanli", "sofia")
OPERATOR = Principal(0, "command line", "admin", frozenset(), None)  # who runs these commands


def _stdin_is_terminal() -> bool:
    return sys.stdin.isatty()


def _read_password() -> str:
    if _stdin_is_terminal():
        value: str = click.prompt("Password", hide_input=True, confirmation_prompt=True)
        return value
    line = sys.stdin.readline()
    return line.rstrip("\r\n")


@click.command("create-user")
@with_appcontext
@click.option("--email", required=True)
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option("--office", "offices", multiple=True, help="Office code (repeatable).")
@click.option("--resource-id", type=int, default=None, help="The person a staff account is.")
@click.option("--locale", type=click.Choice(["bg", "en"]), default=None)
def create_user_command(
    email: str, role: str, offices: tuple[str, ...], resource_id: int | None, locale: str | None
) -> None:
    """Create a console account; the password comes from standard input or a prompt."""
    password = _read_password()
    try:
        with session_scope(current_app) as session:
            user = accounts.create_user(
                session,
                email=email,
                password=password,
                role=role,
                offices=offices,
                resource_id=resource_id,
                locale=locale,
            )
            click.echo(f"User {user.id} {user.email} ({role}) created.")
    except DomainError as exc:
        raise click.ClickException(exc.message) from exc


@click.command("create-demo-user")
@with_appcontext
@click.option("--email", default=DEMO_EMAIL, show_default=True)
def create_demo_user_command(email: str) -> None:
    """Create the demo coordinator, or give it a new password: printed here, and only here."""
    password = secrets.token_urlsafe(12)
    with session_scope(current_app) as session:
        existing = session.scalar(select(User).where(User.email == email))
        if existing is None:
            accounts.create_user(
                session, email=email, password=password, role="coordinator", offices=DEMO_OFFICES
            )
        else:  # a new password for each demo run: the one printed before is gone
            accounts.reset_password(session, OPERATOR, existing.id, password)
    click.echo(f"Sign in as {email} with password {password}")


def init_app(app: Flask) -> None:
    app.cli.add_command(create_user_command)
    app.cli.add_command(create_demo_user_command)
