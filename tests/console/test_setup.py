"""Console set-up: the secret key, cookie flags, the CLI for accounts, compiled catalogs."""

from __future__ import annotations

import io
import os
import stat
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from sqlalchemy import select

from service import create_app
from service.access import accounts
from service.console import cli
from service.console.i18n import TRANSLATIONS
from service.console.secret import MissingSecretKey, _persisted_key
from service.models import User


def test_production_refuses_to_start_without_a_secret_key(database_url):
    with pytest.raises(MissingSecretKey):
        create_app({"DATABASE_URL": database_url, "ZAPIS_ENV": "production", "SECRET_KEY": None})


def test_the_development_key_is_made_once_and_shared_by_every_process(tmp_path):
    first = _persisted_key(str(tmp_path))
    assert len(first) >= 32
    assert _persisted_key(str(tmp_path)) == first
    mode = stat.S_IMODE(os.stat(tmp_path / "secret_key").st_mode)
    assert mode == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["secret_key"]


def test_a_configured_key_is_kept_and_cookies_are_secure_when_asked(database_url):
    app = create_app(
        {"DATABASE_URL": database_url, "SECRET_KEY": "s" * 40, "CONSOLE_SECURE_COOKIES": True}
    )
    try:
        assert app.config["SECRET_KEY"] == "s" * 40
        assert app.config["SESSION_COOKIE_SECURE"] is True
        assert app.config["SESSION_COOKIE_HTTPONLY"] is True
        assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    finally:
        app.extensions["zapis.engine"].dispose()


def test_cookies_are_secure_behind_https(database_url):
    app = create_app(
        {
            "DATABASE_URL": database_url,
            "PREFERRED_URL_SCHEME": "https",
            "CONSOLE_SECURE_COOKIES": False,
        }
    )
    try:
        assert app.config["SESSION_COOKIE_SECURE"] is True
    finally:
        app.extensions["zapis.engine"].dispose()


def test_create_user_reads_the_password_from_standard_input(app, session, factory):
    factory.offices()
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=[
            "create-user",
            "--email",
            "Maria@example.org",
            "--role",
            "coordinator",
            "--office",
            "burgas",
            "--office",
            "harmanli",
        ],
        input="a long enough password\n",
    )
    assert result.exit_code == 0, result.output
    assert "a long enough password" not in result.output
    user = session.scalar(select(User).where(User.email == "maria@example.org"))
    assert user is not None and user.offices == ["burgas", "harmanli"]
    assert accounts.authenticate_user(session, "maria@example.org", "a long enough password")


def test_create_user_prompts_twice_on_a_terminal(app, session, factory, monkeypatch):
    person = factory.interpreter(offices=("burgas",))
    monkeypatch.setattr(cli, "_stdin_is_terminal", lambda: True)
    runner = app.test_cli_runner()
    args = ["create-user", "--email", "s@example.org", "--role", "staff"]
    args += ["--resource-id", str(person.id)]
    result = runner.invoke(args=args, input="first password!\nother password!\n")
    assert result.exit_code != 0  # the confirmation differs, and input runs out
    result = runner.invoke(args=args, input="the same password\nthe same password\n")
    assert result.exit_code == 0, result.output
    assert "Password: " in result.output and "Repeat for confirmation" in result.output
    assert accounts.authenticate_user(session, "s@example.org", "the same password")


def test_create_user_reports_a_bad_scope(app, session, factory):
    factory.offices()
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["create-user", "--email", "c@example.org", "--role", "coordinator"],
        input="a long enough password\n",
    )
    assert result.exit_code == 1
    assert "at least one office" in result.output


def test_the_password_is_never_an_option():
    assert "password" not in {p.name for p in cli.create_user_command.params}


def test_each_demo_run_prints_a_password_that_signs_in(app, session, factory):
    factory.offices()
    runner = app.test_cli_runner()
    first = runner.invoke(args=["create-demo-user"])
    assert first.exit_code == 0, first.output
    password = first.output.strip().rsplit(" ", 1)[1]
    assert accounts.authenticate_user(session, cli.DEMO_EMAIL, password) is not None
    second = runner.invoke(args=["create-demo-user"])
    assert second.exit_code == 0 and password not in second.output
    again = second.output.strip().rsplit(" ", 1)[1]
    session.expire_all()
    assert accounts.authenticate_user(session, cli.DEMO_EMAIL, again) is not None
    assert accounts.authenticate_user(session, cli.DEMO_EMAIL, password) is None
    assert session.query(User).filter_by(email=cli.DEMO_EMAIL).count() == 1


@pytest.mark.parametrize("locale", ["bg", "en"])
def test_the_committed_mo_files_match_their_po_files(locale):
    folder = Path(TRANSLATIONS) / locale / "LC_MESSAGES"
    with open(folder / "messages.po", "rb") as handle:
        po = {m.id: m.string for m in read_po(handle) if m.id and not m.fuzzy}
    with open(folder / "messages.mo", "rb") as handle:
        mo = {m.id: m.string for m in read_mo(handle) if m.id}
    assert {k: v for k, v in po.items() if v} == mo, "run: pybabel compile -d " + str(TRANSLATIONS)


def test_every_bulgarian_message_is_translated():
    with open(Path(TRANSLATIONS) / "bg" / "LC_MESSAGES" / "messages.po", "rb") as handle:
        untranslated = [m.id for m in read_po(io.BytesIO(handle.read())) if m.id and not m.string]
    assert untranslated == []


def test_an_unwritable_instance_folder_asks_for_a_secret_key(tmp_path, monkeypatch):
    from flask import Flask

    from service.console import secret

    def refuse(_path: str) -> str:
        raise PermissionError("read-only file system")

    monkeypatch.setattr(secret, "_persisted_key", refuse)
    app = Flask("probe", instance_path=str(tmp_path))
    app.config.update(SECRET_KEY=None, ZAPIS_ENV="development")
    with pytest.raises(MissingSecretKey, match="Set SECRET_KEY"):
        secret.configure_secret_key(app)
