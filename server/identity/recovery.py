"""Pages of password reset: ask for a link by e-mail, open it, choose a new password."""

from __future__ import annotations

from datetime import timedelta

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from server.features import platform
from server.forms import Form
from server.i18n import gettext as _
from server.i18n import ngettext
from server.identity import resets, sessions, validation
from server.identity.operations import Throttled
from server.identity.routes import client_ip, logged_in_redirect
from server.mail.sender import SERVICE, Sender
from server.templating import render

# where the token goes in the link pattern request_reset fills in
TOKEN_PLACEHOLDER = "{token}"  # noqa: S105 (a placeholder, not a secret)


def _link_pattern(request: Request) -> str:
    """The reset page's address with "{token}" for the token, on the configured site address.

    Without FIERA_BASE_URL it is built from the request (development): a deployment sets it, so
    that a forged Host header cannot make the mail point elsewhere.
    """
    path = request.app.url_path_for("reset_password", token="TOKEN")  # noqa: S106 (a marker)
    base = platform(request).settings.base_url or str(request.base_url).rstrip("/")
    return base + str(path).replace("TOKEN", TOKEN_PLACEHOLDER)


async def forgot_password(request: Request) -> Response:
    if request.method == "GET":
        return render(request, "identity/forgot.html", {"errors": {}, "email": ""})
    form = await Form.read(request)
    email = form.clean("email", validation.clean_email)
    status = 400
    if form.ok:
        state = platform(request)
        try:
            async with state.database.session() as db:
                queued = await resets.request_reset(
                    db,
                    state.settings,
                    email=email,
                    ip=client_ip(request),
                    link=_link_pattern(request),
                    now=state.settings.clock(),
                )
                await db.commit()
        except Throttled as throttled:
            minutes = max(1, round(throttled.retry_after / timedelta(minutes=1)))
            form.refuse(
                "form",
                ngettext(
                    "Too many requests for a link. Try again in %(num)d minute.",
                    "Too many requests for a link. Try again in %(num)d minutes.",
                    minutes,
                ),
            )
            status = 429
        else:
            if queued:
                state.service(SERVICE, Sender).nudge()
            # the same answer whether an account exists or not
            return render(request, "identity/forgot_sent.html", {"email": email})
    shown = email if len(email) <= 254 else ""
    return render(
        request, "identity/forgot.html", {"errors": form.errors, "email": shown}, status=status
    )


def _refused(request: Request, why: resets.Refusal) -> Response:
    messages = {
        resets.Refusal.UNKNOWN: _("This link to reset a password is not valid."),
        resets.Refusal.USED: _("This link has already been used to set a new password."),
        resets.Refusal.EXPIRED: _("This link has expired."),
    }
    return render(request, "identity/reset_refused.html", {"message": messages[why]}, status=400)


async def reset_password(request: Request) -> Response:
    token = request.path_params["token"]
    state = platform(request)
    if request.method == "GET":
        async with state.database.read_session() as db:
            try:
                await resets.check_link(db, token, state.settings.clock())
            except resets.LinkRefused as refused:
                return _refused(request, refused.why)
        return render(request, "identity/reset.html", {"errors": {}, "token": token})
    form = await Form.read(request)
    password = form.check("password", validation.check_password)
    if not form.ok:
        return render(
            request, "identity/reset.html", {"errors": form.errors, "token": token}, status=400
        )
    password_hash = await state.passwords.hash(password)  # slow: before taking the writer
    try:
        user = await resets.reset_password(
            state.database, token, password_hash, state.settings.clock()
        )
    except resets.LinkRefused as refused:
        return _refused(request, refused.why)
    # whoever had the old password may be connected: every live connection of the user ends
    await state.hub.disconnect_user(user.id)
    async with state.database.session() as db:
        login_token = await sessions.start(
            db,
            state.settings,
            user,
            ip=client_ip(request),
            user_agent=request.headers.get("user-agent", ""),
            now=state.settings.clock(),
        )
        await db.commit()
    response = logged_in_redirect(request, login_token, "/account?saved=reset")
    return response


routes = [
    Route("/password/forgot", forgot_password, methods=["GET", "POST"], name="forgot_password"),
    Route(
        "/password/reset/{token}", reset_password, methods=["GET", "POST"], name="reset_password"
    ),
]
