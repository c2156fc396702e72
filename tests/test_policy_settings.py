"""Interpreters' limit settings that cannot be meant stop the app from starting."""

from __future__ import annotations

import pytest

from service import create_app


@pytest.mark.parametrize(
    ("overrides", "named"),
    [
        ({"INTERPRETER_LIMITED_TYPES": frozenset({"counseling"})}, "INTERPRETER_LIMITED_TYPES"),
        ({"INTERPRETER_MAX_HOURS_DAY": 0}, "INTERPRETER_MAX_HOURS_DAY"),
        ({"INTERPRETER_MAX_HOURS_WEEK": -1}, "INTERPRETER_MAX_HOURS_WEEK"),
    ],
)
def test_a_limit_setting_that_cannot_be_meant_stops_the_start(tmp_path, overrides, named):
    settings = {"DATABASE_URL": f"sqlite:///{tmp_path / 'z.sqlite3'}", **overrides}
    with pytest.raises(ValueError, match=named):
        create_app(settings)


def test_the_environment_spelling_is_read_and_checked(tmp_path, monkeypatch):
    monkeypatch.setenv("INTERPRETER_LIMITED_TYPES", "counselling, interpretation")
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'z.sqlite3'}"})
    assert app.config["INTERPRETER_LIMITED_TYPES"] == {"counselling", "interpretation"}
    monkeypatch.setenv("INTERPRETER_LIMITED_TYPES", "counselling,legal")
    with pytest.raises(ValueError, match="legal"):
        create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'z.sqlite3'}"})
