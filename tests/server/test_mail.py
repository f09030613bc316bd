"""The outbox and its sender, through a real SMTP server: delivery, retries, leases."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from server.mail import transport
from server.mail.models import MailStatus, OutboxMessage
from server.mail.outbox import compose, enqueue
from server.mail.sender import Sender
from tests.support.smtp import bodies, smtp_server

START = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)


class Clock:
    """A clock the test moves."""

    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


def smtp_settings(settings, clock, port: int, **overrides):
    return replace(
        settings,
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_starttls=False,
        smtp_timeout_seconds=10,
        mail_from="Fiera <fiera@fiera.test>",
        clock=clock,
        **overrides,
    )


def make_sender(database, settings) -> Sender:
    return Sender(database, settings, transport.for_settings(settings))


async def queue(db, recipient="anna@sassi.example", language="en", now=START) -> OutboxMessage:
    mail = compose(
        "password-reset", language, name="Anna", link="http://fiera.test/r/abc", minutes=60
    )
    message = enqueue(db, recipient=recipient, mail=mail, kind="password-reset", now=now)
    await db.commit()
    return message


async def row(db, message: OutboxMessage) -> OutboxMessage:
    found = await db.scalar(
        select(OutboxMessage)
        .where(OutboxMessage.id == message.id)
        .execution_options(populate_existing=True)
    )
    assert found is not None
    return found


async def test_a_message_arrives_with_both_parts_in_the_recipients_language(
    database, db, settings, clock
):
    async with smtp_server() as inbox:
        sender = make_sender(database, smtp_settings(settings, clock, inbox.port))
        english = await queue(db, "anna@sassi.example", "en")
        italian = await queue(db, "vito@murgia.example", "it")
        assert await sender.send_due(clock()) == 2
        received = {m["To"]: m for m in inbox.taken()}
    assert received["anna@sassi.example"]["Subject"] == "Reset your Fiera password"
    assert received["vito@murgia.example"]["Subject"] == "Reimposta la tua password di Fiera"
    plain, html = bodies(received["vito@murgia.example"])
    assert "Ciao Anna," in plain and "http://fiera.test/r/abc" in plain
    assert 'href="http://fiera.test/r/abc"' in html and "Scegli una nuova password" in html
    assert received["anna@sassi.example"]["From"] == "Fiera <fiera@fiera.test>"
    for message in (english, italian):
        sent = await row(db, message)
        assert (sent.status, sent.attempts, sent.sent_at) == (MailStatus.SENT, 1, START)


async def test_a_refusing_server_is_retried_with_growing_waits_until_it_accepts(
    database, db, settings, clock
):
    async with smtp_server() as inbox:
        sender = make_sender(database, smtp_settings(settings, clock, inbox.port))
        message = await queue(db)
        inbox.refuse = "451 4.3.0 Try again later"
        assert await sender.send_due(clock()) == 0
        first = await row(db, message)
        assert (first.status, first.attempts) == (MailStatus.QUEUED, 1)
        assert "451" in first.last_error and "Try again later" in first.last_error
        assert first.next_attempt_at == START + timedelta(seconds=60)

        clock.now = START + timedelta(seconds=59)  # not yet due: left alone
        assert await sender.send_due(clock()) == 0
        assert (await row(db, message)).attempts == 1

        clock.now = START + timedelta(seconds=60)
        assert await sender.send_due(clock()) == 0
        second = await row(db, message)
        assert second.attempts == 2
        assert second.next_attempt_at == clock.now + timedelta(seconds=120)  # doubled

        inbox.refuse = None
        clock.now += timedelta(seconds=120)
        assert await sender.send_due(clock()) == 1
        assert [m["To"] for m in inbox.taken()] == ["anna@sassi.example"]
    sent = await row(db, message)
    assert (sent.status, sent.attempts) == (MailStatus.SENT, 3)


async def test_a_server_that_is_down_is_retried_until_it_comes_back(database, db, settings, clock):
    async with smtp_server() as probe:
        port = probe.port  # free once this server closes
    sender = make_sender(database, smtp_settings(settings, clock, port))
    message = await queue(db)
    assert await sender.send_due(clock()) == 0
    down = await row(db, message)
    assert (down.status, down.attempts) == (MailStatus.QUEUED, 1)
    assert down.last_error.startswith("SMTPConnect")

    async with smtp_server(port) as inbox:
        clock.now += timedelta(seconds=60)
        assert await sender.send_due(clock()) == 1
        assert [m["To"] for m in inbox.taken()] == ["anna@sassi.example"]
    assert (await row(db, message)).status == MailStatus.SENT


async def test_after_the_last_attempt_a_message_is_failed_with_its_error(
    database, db, settings, clock
):
    async with smtp_server() as inbox:
        inbox.refuse = "554 5.7.1 Rejected"
        sender = make_sender(
            database, smtp_settings(settings, clock, inbox.port, mail_max_attempts=2)
        )
        message = await queue(db)
        await sender.send_due(clock())
        clock.now += timedelta(seconds=60)
        await sender.send_due(clock())
        clock.now += timedelta(days=1)
        await sender.send_due(clock())  # nothing is tried any more
    failed = await row(db, message)
    assert (failed.status, failed.attempts) == (MailStatus.FAILED, 2)
    assert "554 5.7.1 Rejected" in failed.last_error


async def test_a_message_claimed_by_a_sender_that_died_is_sent_after_its_lease(
    database, db, settings, clock
):
    async with smtp_server() as inbox:
        mail_settings = smtp_settings(settings, clock, inbox.port, mail_lease_seconds=300)
        message = await queue(db)
        dead = make_sender(database, mail_settings)
        assert [m.id for m in await dead.claim(clock())] == [message.id]  # ... and then died

        restarted = make_sender(database, mail_settings)
        assert await restarted.send_due(clock()) == 0  # still leased to the dead sender
        assert inbox.taken() == []
        clock.now += timedelta(seconds=300)
        assert await restarted.send_due(clock()) == 1
        assert [m["To"] for m in inbox.taken()] == ["anna@sassi.example"]
    sent = await row(db, message)
    assert (sent.status, sent.attempts) == (MailStatus.SENT, 2)


async def test_a_late_outcome_of_a_sender_whose_lease_ended_is_not_written(
    database, db, settings, clock
):
    async with smtp_server() as inbox:
        mail_settings = smtp_settings(settings, clock, inbox.port, mail_lease_seconds=300)
        message = await queue(db)
        slow = make_sender(database, mail_settings)
        (claimed,) = await slow.claim(clock())
        clock.now += timedelta(seconds=300)
        assert await make_sender(database, mail_settings).send_due(clock()) == 1
        inbox.refuse = "451 4.3.0 Try again later"
        assert await slow._send_one(claimed) is False  # its failure comes after the other's send
    sent = await row(db, message)
    assert (sent.status, sent.last_error) == (MailStatus.SENT, "")


async def test_without_an_smtp_host_messages_go_to_the_log(database, db, settings, clock, caplog):
    sender = make_sender(database, replace(settings, clock=clock))
    message = await queue(db)
    with caplog.at_level("INFO", logger="fiera.mail"):
        assert await sender.send_due(clock()) == 1
    assert "mail to anna@sassi.example: Reset your Fiera password" in caplog.text
    assert "http://fiera.test/r/abc" in caplog.text
    assert (await row(db, message)).status == MailStatus.SENT
