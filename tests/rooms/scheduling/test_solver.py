"""Known instances: what the organiser sees in the schedule for each rule that binds."""

from __future__ import annotations

from rooms.scheduling import greedy, parse_instance, solve
from tests.rooms.scheduling.factories import checked, make_instance, parsed, people, slots_of

LIMIT = 5.0


def test_solver_removes_the_gap_greedy_leaves() -> None:
    # b cannot do s3, c cannot do s2: first-fit puts m1 in s1 and m2 in s3, leaving a idle in s2.
    instance = parsed(
        participants=people("a", "b", "c", b={"unavailable": ["s3"]}, c={"unavailable": ["s2"]})
    )
    base = checked(instance, greedy(instance))
    best = checked(instance, solve(instance, LIMIT))
    assert slots_of(base) == {"m1": "s1", "m2": "s3"}
    assert base["stats"]["idle_gaps"] == 1
    assert best["stats"]["placed"] == 2
    assert best["stats"]["idle_gaps"] == 0
    assert best["stats"]["status"] == "optimal"


def test_fixed_slot_is_honoured() -> None:
    instance = parsed(
        meetings=[
            {"id": "m1", "participants": ["a", "b"], "fixed_slot": "s3"},
            {"id": "m2", "participants": ["a", "c"]},
        ]
    )
    assert slots_of(checked(instance, solve(instance, LIMIT)))["m1"] == "s3"


def test_fixed_slot_that_cannot_be_held_is_unscheduled_with_reason() -> None:
    instance = parsed(
        participants=people("a", "b", "c", b={"unavailable": ["s2"]}),
        meetings=[
            {"id": "m1", "participants": ["a", "b"], "fixed_slot": "s2"},
            {"id": "m2", "participants": ["a", "c"]},
        ],
    )
    data = checked(instance, solve(instance, LIMIT))
    assert data["unscheduled"] == ["m1"]
    assert data["stats"]["unscheduled_reasons"] == {
        "m1": "participant b is unavailable in fixed slot s2"
    }


def test_session_preference_is_honoured() -> None:
    slots = [
        {"id": "am1", "session": "day1-morning"},
        {"id": "am2", "session": "day1-morning"},
        {"id": "pm1", "session": "day1-afternoon"},
        {"id": "pm2", "session": "day1-afternoon"},
    ]
    instance = parsed(
        slots=slots,
        meetings=[
            {"id": "m1", "participants": ["a", "b"], "session": "day1-afternoon"},
            {"id": "m2", "participants": ["a", "c"]},
            {"id": "m3", "participants": ["b", "c"], "session": "day1-afternoon"},
        ],
    )
    placed = slots_of(checked(instance, solve(instance, LIMIT)))
    assert placed["m1"].startswith("pm") and placed["m3"].startswith("pm")
    assert len(placed) == 3


def test_session_where_a_participant_is_never_there_gives_reason() -> None:
    slots = [{"id": "am1", "session": "day1-morning"}, {"id": "pm1", "session": "day1-afternoon"}]
    instance = parsed(
        slots=slots,
        participants=people("a", "b", "c", b={"unavailable": ["am1"]}),
        meetings=[{"id": "m1", "participants": ["a", "b"], "session": "day1-morning"}],
    )
    data = checked(instance, solve(instance, LIMIT))
    assert data["stats"]["unscheduled_reasons"] == {
        "m1": "participant b is unavailable in every slot of session day1-morning"
    }


def test_tables_binding_leaves_meetings_unscheduled_with_reason() -> None:
    # Four on-site pairs want the single slot's one table: one meeting fits.
    instance = parsed(
        slots=[{"id": "s1", "session": "day1-morning"}],
        tables=1,
        participants=people(*"abcdefgh"),
        meetings=[
            {"id": f"m{i}", "participants": [a, b]}
            for i, (a, b) in enumerate(["ab", "cd", "ef", "gh"], 1)
        ],
    )
    data = checked(instance, solve(instance, LIMIT))
    assert data["stats"]["placed"] == 1
    assert data["assignments"][0]["table"] == 1
    assert set(data["stats"]["unscheduled_reasons"].values()) == {
        "no free table in any slot all participants can do"
    }
    assert data["stats"]["upper_bound"] == 1


def test_caps_binding_leaves_meetings_unscheduled_with_reason() -> None:
    instance = parsed(
        participants=people("a", "b", "c", "d", a={"max_meetings": 2}),
        meetings=[{"id": f"m{i}", "participants": ["a", p]} for i, p in enumerate("bcd", 1)],
    )
    data = checked(instance, solve(instance, LIMIT))
    assert data["stats"]["placed"] == 2
    assert list(data["stats"]["unscheduled_reasons"].values()) == [
        "participant a reached max_meetings 2"
    ]
    assert data["stats"]["idle_gaps"] == 0


def test_weights_decide_which_meeting_gets_the_last_table() -> None:
    instance = parsed(
        slots=[{"id": "s1", "session": "day1-morning"}],
        tables=1,
        participants=people(*"abcd"),
        meetings=[
            {"id": "light", "participants": ["a", "b"]},
            {"id": "heavy", "participants": ["c", "d"], "weight": 3},
        ],
    )
    data = checked(instance, solve(instance, LIMIT))
    assert slots_of(data) == {"heavy": "s1"}
    assert data["stats"]["weight"] == 3


def test_mixed_onsite_online_meetings_use_video_rooms() -> None:
    instance = parsed(
        slots=[{"id": "s1", "session": "day1-morning"}, {"id": "s2", "session": "day1-morning"}],
        tables=1,
        video_rooms=1,
        participants=people("a", "b", "c:online", "d"),
        meetings=[
            {"id": "table", "participants": ["a", "b"]},
            {"id": "video1", "participants": ["c", "d"]},
            {"id": "video2", "participants": ["a", "c"]},
        ],
    )
    data = checked(instance, solve(instance, LIMIT))
    tables = {row["meeting"]: row["table"] for row in data["assignments"]}
    assert tables == {"table": 1, "video1": None, "video2": None}
    placed = slots_of(data)
    # One video room per slot: the two video meetings fall in different slots.
    assert placed["video1"] != placed["video2"]


def test_video_rooms_binding_gives_reason() -> None:
    instance = parsed(
        slots=[{"id": "s1", "session": "day1-morning"}],
        video_rooms=1,
        participants=people("a:online", "b", "c:online", "d"),
        meetings=[
            {"id": "v1", "participants": ["a", "b"]},
            {"id": "v2", "participants": ["c", "d"]},
        ],
    )
    data = checked(instance, solve(instance, LIMIT))
    assert list(data["stats"]["unscheduled_reasons"].values()) == [
        "no free video room in any slot all participants can do"
    ]


def test_session_across_daylight_saving_change_keeps_list_order() -> None:
    # Europe/Rome falls back on 2026-10-25 at 03:00 CEST: local 02:00-03:00 happens twice.
    times = [
        ("01:30+02:00", "02:00+02:00"),
        ("02:00+02:00", "02:30+02:00"),
        ("02:30+02:00", "02:00+01:00"),
        ("02:00+01:00", "02:30+01:00"),
        ("02:30+01:00", "03:00+01:00"),
        ("03:00+01:00", "03:30+01:00"),
    ]
    slots = [
        {"id": f"n{i}", "session": "night", "start": f"2026-10-25T{a}", "end": f"2026-10-25T{b}"}
        for i, (a, b) in enumerate(times, 1)
    ]
    data = make_instance(
        slots=slots,
        participants=people(*"abcd"),
        meetings=[
            {"id": f"m{i}", "participants": list(pair)}
            for i, pair in enumerate(["ab", "ac", "ad", "bc", "bd", "cd"], 1)
        ],
    )
    instance = parse_instance(data)
    assert [s.id for s in instance.slots] == [f"n{i}" for i in range(1, 7)]
    result = checked(instance, solve(instance, LIMIT))
    assert result["stats"]["placed"] == 6
    assert result["stats"]["idle_gaps"] == 0


def test_empty_instance_gives_empty_schedule() -> None:
    instance = parsed(meetings=[])
    data = checked(instance, solve(instance, LIMIT))
    assert data["assignments"] == [] and data["stats"]["status"] == "optimal"
