"""Calendar files: escaping, folding, UTC times, and the private feed token."""

from rooms import ics, operations, queries
from tests.rooms.conftest import NOW


def test_text_escapes_semicolons_commas_backslashes_and_newlines():
    assert ics.escape("Bari; Hall 2, Table 3\nBring\r\nsamples \\ prices") == (
        "Bari\\; Hall 2\\, Table 3\\nBring\\nsamples \\\\ prices"
    )


def test_long_lines_fold_at_75_octets_without_splitting_characters():
    line = "SUMMARY:" + "Ψηφιακή Αθήνα " * 10
    folded = ics.fold(line).split("\r\n")
    assert all(len(part.encode()) <= 75 for part in folded)
    assert all(part.startswith(" ") for part in folded[1:])
    assert "".join(part[1:] if i else part for i, part in enumerate(folded)) == line


def test_feed_tokens_differ_by_participant_and_secret():
    token = ics.feed_token("secret", 1, 2)
    assert ics.check_feed_token("secret", 1, 2, token)
    assert not ics.check_feed_token("secret", 1, 3, token)
    assert not ics.check_feed_token("other", 1, 2, token)


async def test_a_meeting_event_is_in_utc_and_escaped(db, world):
    message = "Prices; terms, and\nsamples"
    request = (
        await operations.send_request(
            db, world.fair, world.buyer, world.firms["Alpha Srl"].id, message, now=NOW
        )
    ).request
    meeting = (
        await operations.accept_request(db, world.fair, world.alpha, request.id, now=NOW)
    ).meeting
    await db.commit()
    [loaded] = await queries.feed_meetings(db, world.fair, world.buyer.id)
    assert loaded.id == meeting.id
    text = ics.calendar("Agenda", [ics.event(loaded, world.fair, world.buyer.id, NOW)])
    lines = text.split("\r\n")
    assert text.endswith("\r\n") and lines[0] == "BEGIN:VCALENDAR"
    # 09:30 in Rome on 17 March 2027 is 08:30 UTC
    assert "DTSTART:20270317T083000Z" in lines and "DTEND:20270317T085000Z" in lines
    assert "SUMMARY:Meeting with Alpha Srl" in lines
    assert "LOCATION:Table 1\\, Fiera del Levante\\, Bari" in lines
    unfolded = text.replace("\r\n ", "")
    assert "Prices\\; terms\\, and\\nsamples" in unfolded
    assert "STATUS:CONFIRMED" in lines
