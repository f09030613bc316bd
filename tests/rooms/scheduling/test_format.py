"""The instance format: malformed input is refused with the field named, at the API and CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from rooms.scheduling import (
    Assignment,
    Schedule,
    ValidationError,
    dump_schedule,
    load_instance,
    parse_instance,
    parse_schedule,
)
from rooms.scheduling.cli import main
from tests.rooms.scheduling.factories import make_instance, parsed, people

ROOT = Path(__file__).resolve().parents[3]


def _broken(change: str) -> dict[str, Any]:
    """Return a valid instance with one change applied, named by the test parameter."""
    data = make_instance()
    if change == "unknown participant":
        data["meetings"][1]["participants"][1] = "p99"
    elif change == "one participant":
        data["meetings"][0]["participants"] = ["a"]
    elif change == "seven participants":
        data["participants"] = [{"id": f"q{i}", "mode": "onsite"} for i in range(7)]
        data["meetings"] = [{"id": "m1", "participants": [f"q{i}" for i in range(7)]}]
    elif change == "repeated participant":
        data["meetings"][0]["participants"] = ["a", "a"]
    elif change == "negative tables":
        data["tables"] = -1
    elif change == "tables missing":
        del data["tables"]
    elif change == "tables a string":
        data["tables"] = "14"
    elif change == "duplicate slot":
        data["slots"][2]["id"] = "s1"
    elif change == "duplicate participant":
        data["participants"][2]["id"] = "a"
    elif change == "duplicate meeting":
        data["meetings"][1]["id"] = "m1"
    elif change == "unknown unavailable slot":
        data["participants"][0]["unavailable"] = ["s9"]
    elif change == "unknown fixed slot":
        data["meetings"][0]["fixed_slot"] = "s9"
    elif change == "non-contiguous session":
        data["slots"][1]["session"] = "day1-afternoon"
    elif change == "bad mode":
        data["participants"][1]["mode"] = "hybrid"
    elif change == "negative cap":
        data["participants"][1]["max_meetings"] = -2
    elif change == "unknown session":
        data["meetings"][1]["session"] = "day9-morning"
    elif change == "zero weight":
        data["meetings"][0]["weight"] = 0
    elif change == "bad start":
        data["slots"][0]["start"] = "nine o'clock"
    return data


CASES = [
    ("unknown participant", "meetings[1].participants[1]: unknown participant 'p99'"),
    ("one participant", "meetings[0].participants: a meeting has 2 to 6 participants, not 1"),
    ("seven participants", "meetings[0].participants: a meeting has 2 to 6 participants, not 7"),
    ("repeated participant", "meetings[0].participants[1]: participant 'a' is listed twice"),
    ("negative tables", "tables: must not be negative, not -1"),
    ("tables missing", "tables: missing"),
    ("tables a string", 'tables: must be an integer, not "14"'),
    ("duplicate slot", "slots[2].id: duplicate slot id 's1'"),
    ("duplicate participant", "participants[2].id: duplicate participant id 'a'"),
    ("duplicate meeting", "meetings[1].id: duplicate meeting id 'm1'"),
    ("unknown unavailable slot", "participants[0].unavailable[0]: unknown slot 's9'"),
    ("unknown fixed slot", "meetings[0].fixed_slot: unknown slot 's9'"),
    ("non-contiguous session", "slots[2].session: session 'day1-morning' is not contiguous"),
    ("bad mode", "participants[1].mode: must be 'onsite' or 'online', not 'hybrid'"),
    ("negative cap", "participants[1].max_meetings: must not be negative, not -2"),
    ("unknown session", "meetings[1].session: unknown session 'day9-morning'"),
    ("zero weight", "meetings[0].weight: must be a positive number, not 0"),
    ("bad start", 'slots[0].start: not an ISO 8601 time: "nine o\'clock"'),
]


@pytest.mark.parametrize(("change", "message"), CASES, ids=[c for c, _ in CASES])
def test_malformed_instance_names_the_field(change: str, message: str) -> None:
    with pytest.raises(ValidationError) as info:
        parse_instance(_broken(change))
    assert str(info.value).startswith(message)


def test_bad_json_is_refused() -> None:
    with pytest.raises(ValidationError, match="instance: not valid JSON"):
        load_instance('{"slots": [')


def test_unknown_keys_are_ignored() -> None:
    data = make_instance(colour="blue")
    data["meetings"][0]["topic"] = "3D printing"
    assert [m.id for m in parse_instance(data).meetings] == ["m1", "m2"]


def test_cli_exits_2_with_message_on_stderr_and_nothing_on_stdout(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "instance.json"
    data = make_instance()
    data["meetings"].extend(
        [{"id": "m3", "participants": ["b", "c"]}, {"id": "m4", "participants": ["b", "p99"]}]
    )
    path.write_text(json.dumps(data))
    assert main(["solve", str(path), "--time-limit", "1"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert "meetings[3].participants[1]: unknown participant 'p99'" in err


def test_cli_missing_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["solve", str(tmp_path / "nope.json")]) == 2
    out, err = capsys.readouterr()
    assert out == "" and "cannot read" in err


def test_cli_prints_a_schedule(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "instance.json"
    path.write_text(json.dumps(make_instance()))
    assert main(["solve", str(path), "--time-limit", "2", "--workers", "2"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert sorted(row["meeting"] for row in out["assignments"]) == ["m1", "m2"]
    assert out["unscheduled"] == []
    assert out["stats"]["placed"] == 2 and out["stats"]["idle_gaps"] == 0


def test_module_cli_refuses_bad_instance_in_a_subprocess(tmp_path: Path) -> None:
    path = tmp_path / "instance.json"
    path.write_text(json.dumps(_broken("negative tables")))
    run = subprocess.run(
        [sys.executable, "-m", "rooms.scheduling.cli", "solve", str(path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert run.returncode == 2
    assert run.stdout == ""
    assert "tables: must not be negative, not -1" in run.stderr


def test_a_schedule_reads_back_as_written() -> None:
    schedule = Schedule(
        [Assignment("m1", "s1", 2), Assignment("m2", "s3", None)],
        ["m3"],
        {"placed": 2, "status": "optimal"},
    )
    assert parse_schedule(json.loads(dump_schedule(schedule))) == schedule


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"assignments": [{"meeting": "m1", "slot": "s1", "table": "2"}]}, "assignments[0].table"),
        ({"assignments": [{"meeting": "m1", "table": None}]}, "assignments[0].slot: missing"),
        ({"unscheduled": ["m2", 3]}, "unscheduled[1]: must be a meeting id string"),
        ({"assignments": None}, "assignments: must be a list"),
    ],
)
def test_a_malformed_schedule_names_the_field(change: dict[str, Any], message: str) -> None:
    data = {"assignments": [], "unscheduled": [], "stats": {}} | change
    with pytest.raises(ValidationError) as info:
        parse_schedule(data)
    assert str(info.value).startswith(message)


def test_a_meeting_needs_a_table_only_when_everyone_is_on_site() -> None:
    instance = parsed(
        participants=people("a", "b", "c:online"),
    )
    assert instance.at_table("m1")  # a and b on site
    assert not instance.at_table("m2")  # c joins by video
    assert instance.meetings_by_id["m2"].participants == ("a", "c")
    assert instance.participants_by_id["c"].mode == "online"
