"""Passwords: stored hashed, checked, set from the command line; and the session key."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from apiary.cli import main
from apiary.identity import IdentityError, set_password, verify_password
from apiary.settings import Settings
from apiary.storage import connect
from apiary.web import secret_key
from tests.cli.test_people import migrated


def test_only_a_hash_is_stored_and_only_the_password_matches(tmp_path: Path) -> None:
    url = migrated(tmp_path)
    runner = CliRunner()
    result = runner.invoke(main, ["users", "add", "ana@example.com", "--app", "helpdesk",
                                  "--role", "agent", "--db", url, "--password"],
                           input="s3cret-enough\ns3cret-enough\n")
    assert result.exit_code == 0, result.output
    assert "s3cret-enough" not in result.output
    engine = connect(url)
    try:
        stored = engine.connect().execute(sa.text(
            "SELECT password_hash FROM apiary_users")).scalar_one()
        assert stored.startswith("$argon2id$") and "s3cret" not in stored
        assert verify_password(engine, "ANA@example.com", "s3cret-enough") is not None
        assert verify_password(engine, "ana@example.com", "s3cret-enougH") is None
        assert verify_password(engine, "bob@example.com", "s3cret-enough") is None
        with pytest.raises(IdentityError, match="at least 8"):
            set_password(engine, "ana@example.com", "short")
        with pytest.raises(IdentityError, match="no user"):
            set_password(engine, "bob@example.com", "long enough")
    finally:
        engine.dispose()


def test_password_given_on_the_command_line(tmp_path: Path) -> None:
    url = migrated(tmp_path)
    result = CliRunner().invoke(main, ["users", "add", "ana@example.com", "--app", "helpdesk",
                                       "--role", "agent", "--db", url, "--password",
                                       "another secret"])
    assert result.exit_code == 0, result.output
    engine = connect(url)
    try:
        assert verify_password(engine, "ana@example.com", "another secret") is not None
    finally:
        engine.dispose()


def test_the_session_key_comes_from_the_setting_or_is_generated_once(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "secret_key"
    configured = Settings.from_environment({"APIARY_SECRET_KEY": "from-the-environment"})
    assert secret_key(configured) == "from-the-environment"
    generated = Settings.from_environment({"APIARY_SECRET_KEY_FILE": str(path)})
    first = secret_key(generated)
    assert len(first) >= 40 and secret_key(generated) == first
    assert path.stat().st_mode & 0o777 == 0o600
