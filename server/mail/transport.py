"""How a message leaves: SMTP (aiosmtplib) when a host is set, else the log."""

from __future__ import annotations

import logging
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Protocol

import aiosmtplib

from server.mail.models import OutboxMessage
from server.settings import Settings

logger = logging.getLogger("fiera.mail")


class Transport(Protocol):
    """Delivers one message or raises; the sender retries what raised."""

    async def send(self, message: OutboxMessage) -> None: ...


def build(message: OutboxMessage, sender: str) -> EmailMessage:
    """The MIME message: plain text with an HTML alternative."""
    mime = EmailMessage()
    mime["From"] = sender
    mime["To"] = message.recipient
    mime["Subject"] = message.subject
    mime["Date"] = formatdate(localtime=False)
    mime["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2].strip("> ") or None)
    mime.set_content(message.text_body)
    mime.add_alternative(message.html_body, subtype="html")
    return mime


class SmtpTransport:
    """Sends through the SMTP server of the settings, one connection a message."""

    def __init__(self, settings: Settings):
        self.settings = settings

    async def send(self, message: OutboxMessage) -> None:
        s = self.settings
        await aiosmtplib.send(
            build(message, s.mail_from),
            hostname=s.smtp_host,
            port=s.smtp_port,
            username=s.smtp_username,
            password=s.smtp_password,
            start_tls=s.smtp_starttls,
            timeout=s.smtp_timeout_seconds,
        )


class LogTransport:
    """Development: the message is written to the log (and stays on the outbox page)."""

    async def send(self, message: OutboxMessage) -> None:
        logger.info(
            "mail to %s: %s\n%s", message.recipient, message.subject, message.text_body.rstrip()
        )


def for_settings(settings: Settings) -> Transport:
    """SMTP when FIERA_SMTP_HOST is set, else the log."""
    return SmtpTransport(settings) if settings.smtp_host else LogTransport()
