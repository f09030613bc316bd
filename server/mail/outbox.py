"""Putting e-mail in the outbox: rendered in the recipient's language, committed with the action.

A message is added to the caller's unit of work and is written only when that commits, so an
action and the mail it causes are saved together or not at all; the sender (server/mail/sender.py)
delivers it later, as often as it takes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy.ext.asyncio import AsyncSession

from server import i18n
from server.mail.models import MailStatus, OutboxMessage
from server.settings import WEB_DIR


@dataclass(frozen=True)
class Mail:
    """A rendered message: its subject and its plain text and HTML bodies."""

    subject: str
    text: str
    html: str


@cache
def _environment() -> Environment:
    """Templates under web/templates/mail: the .html escaped, the .txt left as written."""
    env = Environment(
        loader=FileSystemLoader(WEB_DIR / "templates" / "mail"),
        autoescape=select_autoescape(["html"], default=False, default_for_string=False),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.install_gettext_callables(  # type: ignore[attr-defined]
        i18n.gettext, i18n.ngettext, newstyle=True
    )
    return env


def compose(kind: str, language: str, **context: object) -> Mail:
    """Render web/templates/mail/<kind>.{subject,txt,html} in `language`."""
    env = _environment()
    language = language if language in i18n.LANGUAGES else i18n.DEFAULT_LANGUAGE
    with i18n.speaking(language):
        values = {"language": language, **context}
        subject = env.get_template(f"{kind}.subject").render(values)
        text = env.get_template(f"{kind}.txt").render(values)
        html = env.get_template(f"{kind}.html").render(values)
    return Mail(subject=" ".join(subject.split()), text=text, html=html)


def enqueue(
    db: AsyncSession, *, recipient: str, mail: Mail, kind: str, now: datetime
) -> OutboxMessage:
    """Add a message to the caller's unit of work; it is sent once that commits."""
    message = OutboxMessage(
        recipient=recipient,
        subject=mail.subject[:300],
        text_body=mail.text,
        html_body=mail.html,
        kind=kind,
        status=MailStatus.QUEUED,
        attempts=0,
        next_attempt_at=now,
        last_error="",
        created_at=now,
    )
    db.add(message)
    return message
