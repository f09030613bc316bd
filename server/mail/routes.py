"""The development outbox page: what the platform sent, or tried to, for organisers to see."""

from __future__ import annotations

from sqlalchemy import select
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from server.fairs.models import Participant, Role
from server.features import platform
from server.i18n import gettext as _
from server.identity.access import require_user
from server.mail.models import OutboxMessage
from server.refusals import Forbidden, NotFound
from server.templating import render

SHOWN = 200


async def outbox(request: Request) -> Response:
    user = require_user(request)
    state = platform(request)
    if state.settings.smtp_host:
        # with real mail, links in the bodies belong to their recipients alone
        raise NotFound(_("The outbox is shown only in development, when no SMTP server is set."))
    async with state.database.read_session() as db:
        organiser = await db.scalar(
            select(Participant.id)
            .where(Participant.user_id == user.id, Participant.role == Role.ORGANISER)
            .limit(1)
        )
        if organiser is None:
            raise Forbidden(_("Only organisers see the outbox."))
        messages = list(
            await db.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(SHOWN))
        )
    return render(request, "mail_outbox.html", {"messages": messages})


routes = [Route("/outbox", outbox, name="outbox")]
