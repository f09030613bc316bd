"""The `fiera` command as a newcomer runs it: help, migrate, seed, create-user."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from server.cli import main

FIERA = Path(sys.executable).parent / "fiera"
COMMANDS = ["serve", "migrate", "seed-demo", "demo", "create-user", "schedule"]


def run(*args: str, env: dict, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run(
        [FIERA, *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def env(tmp_path) -> dict:
    return {
        **os.environ,
        "FIERA_VAR_DIR": str(tmp_path / "var"),
        "FIERA_ARGON2_TIME_COST": "1",
        "FIERA_ARGON2_MEMORY_COST": "8",
        "FIERA_ARGON2_PARALLELISM": "1",
        "FIERA_DATABASE_URL": "",
    }


def test_every_command_has_help(capsys):
    for command in COMMANDS:
        with pytest.raises(SystemExit) as exit_info:
            main([command, "--help"])
        assert exit_info.value.code == 0
        assert f"usage: fiera {command}" in capsys.readouterr().out


def test_schedule_solve_prints_a_schedule(tmp_path, capsys):
    instance = tmp_path / "instance.json"
    instance.write_text(
        json.dumps(
            {
                "slots": [
                    {"id": "s1", "session": "day1-morning"},
                    {"id": "s2", "session": "day1-morning"},
                ],
                "tables": 1,
                "video_rooms": None,
                "participants": [{"id": p, "mode": "onsite", "unavailable": []} for p in "abc"],
                "meetings": [
                    {"id": "m1", "participants": ["a", "b"]},
                    {"id": "m2", "participants": ["a", "c"]},
                ],
            }
        )
    )
    assert main(["schedule", "solve", str(instance), "--time-limit", "5"]) == 0
    schedule = json.loads(capsys.readouterr().out)
    assert sorted(a["meeting"] for a in schedule["assignments"]) == ["m1", "m2"]
    assert {a["table"] for a in schedule["assignments"]} == {1}
    assert schedule["stats"]["placed"] == 2 and schedule["unscheduled"] == []


def test_help_lists_the_commands(env):
    result = run("--help", env=env)
    assert result.returncode == 0
    for command in COMMANDS:
        assert command in result.stdout


@pytest.mark.slow  # runs the command in subprocesses
def test_migrate_seed_and_create_an_organiser(env, tmp_path):
    assert run("migrate", env=env).returncode == 0
    assert (tmp_path / "var" / "fiera.sqlite3").exists()
    secret = tmp_path / "var" / "secret_key"
    assert secret.exists() and oct(secret.stat().st_mode & 0o777) == "0o600"
    assert run("seed-demo", env=env).returncode == 0
    result = run(
        "create-user",
        "--email",
        "Maria@Provincia.example",
        "--name",
        "Maria Rossi",
        "--organiser-of",
        "fiera-mediterranea-b2b",
        "--password-stdin",
        env=env,
        stdin="a good long password\n",
    )
    assert result.returncode == 0, result.stderr
    assert (
        "Created maria@provincia.example as organiser of fiera-mediterranea-b2b." in result.stdout
    )
    again = run(
        "create-user",
        "--email",
        "maria@provincia.example",
        "--name",
        "M",
        "--password-stdin",
        env=env,
        stdin="a good long password\n",
    )
    assert again.returncode == 2
    assert "already exists" in again.stderr
    weak = run(
        "create-user",
        "--email",
        "x@y.example",
        "--name",
        "X",
        "--password-stdin",
        env=env,
        stdin="short\n",
    )
    assert weak.returncode == 2 and "at least 10 characters" in weak.stderr
