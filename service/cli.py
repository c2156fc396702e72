"""Command-line tools: migrate, create-token, seed-demo, rebuild-feeds, scheduler."""

from __future__ import annotations

import click
from flask import Flask, current_app

from service.access import auth
from service.plumbing import migrate
from service.plumbing.db import session_scope


@click.command("migrate")
def migrate_command() -> None:
    """Upgrade the database schema to the newest migration."""
    migrate.upgrade(current_app.extensions["zapis.engine"])
    click.echo("Database schema is current.")


@click.command("create-token")
@click.option(
    "--role", required=True, type=click.Choice(["admin", "coordinator", "staff", "read_only"])
)
@click.option("--name", required=True)
@click.option("--office", "offices", multiple=True, help="Office code (repeatable).")
@click.option("--resource-id", type=int, default=None, help="The person a staff token is.")
def create_token_command(
    role: str, name: str, offices: tuple[str, ...], resource_id: int | None
) -> None:
    """Create an API token and print it alone on the last line."""
    from service.plumbing.errors import DomainError

    try:
        with session_scope(current_app) as session:
            token, secret = auth.issue_token(
                session, name=name, role=role, offices=offices, resource_id=resource_id
            )
            click.echo(f"Token {token.id} for {name} ({role}); it is shown only once:")
    except DomainError as exc:
        raise click.ClickException(exc.message) from exc
    click.echo(secret)


@click.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Do nothing when offices exist already.")
def seed_demo_command(if_empty: bool) -> None:
    """Fill the database with realistic demo data (no real names: case references)."""
    from service.demo.demo import seed_demo

    with session_scope(current_app) as session:
        summary = seed_demo(session, only_if_empty=if_empty)
    click.echo(summary)


@click.command("rebuild-feeds")
def rebuild_feeds_command() -> None:
    """Re-render every booking's calendar-feed pieces (after an upgrade changes rendering)."""
    from service.feeds import rebuild_all

    with session_scope(current_app) as session:
        count = rebuild_all(session)
    click.echo(f"Re-rendered the feed pieces of {count} bookings.")


@click.command("scheduler")
@click.option("--once", is_flag=True, help="Recover leases, send what is due once, and exit.")
@click.option("--interval", type=float, default=5.0, show_default=True, help="Seconds.")
def scheduler_command(once: bool, interval: float) -> None:
    """Send due SMS every few seconds, recover stale leases each minute, purge daily."""
    from service.notify.jobs import run_once, run_scheduler

    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    if once:
        click.echo(run_once(app))
        return
    run_scheduler(app, interval)


def init_app(app: Flask) -> None:
    for command in (
        migrate_command,
        create_token_command,
        seed_demo_command,
        rebuild_feeds_command,
        scheduler_command,
    ):
        app.cli.add_command(command)
