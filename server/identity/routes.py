"""Account pages: log in, sign up, log out, profile, language."""

from __future__ import annotations

from datetime import timedelta

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from server.features import platform
from server.forms import Form, FormError
from server.i18n import LANGUAGE_COOKIE, LANGUAGES, ngettext
from server.i18n import gettext as _
from server.identity import operations, sessions, validation
from server.identity.access import current_user, require_user, safe_next
from server.middleware import is_secure
from server.templating import render


def client_ip(request: Request) -> str:
    """The address a request came from, as the throttles count it."""
    return request.client.host if request.client else ""


def logged_in_redirect(request: Request, token: str, target: str) -> Response:
    """Go to `target` with the new login session's cookie set."""
    response = RedirectResponse(target, status_code=303)
    settings = platform(request).settings
    response.set_cookie(
        sessions.SESSION_COOKIE,
        token,
        max_age=settings.session_absolute_seconds,
        httponly=True,
        samesite="lax",
        secure=is_secure(request.scope, settings.base_url),
    )
    return response


def _password_given(value: str) -> str | None:
    if not value:
        return _("Enter your password.")
    # no password is that long: the same answer as a wrong one, without hashing 20 kB
    if len(value) > validation.PASSWORD_MAX:
        return _("E-mail address or password is not right.")
    return None


async def login(request: Request) -> Response:
    next_url = safe_next(request.query_params.get("next"))
    if request.method == "GET":
        if current_user(request) is not None:
            return RedirectResponse(next_url, status_code=303)
        return render(request, "identity/login.html", {"next": next_url, "errors": {}, "email": ""})

    form = await Form.read(request)
    next_url = safe_next(form.text("next"))
    email = form.clean("email", validation.clean_email)
    password = form.check("password", _password_given)
    status = 400
    if form.ok:
        state = platform(request)
        auth = request.scope.get("auth")
        try:
            logged_in = await operations.log_in(
                state.database,
                state.settings,
                state.passwords,
                email=email,
                password=password,
                ip=client_ip(request),
                user_agent=request.headers.get("user-agent", ""),
                previous_token=auth.token if auth else None,
            )
        except operations.Throttled as throttled:
            minutes = max(1, round(throttled.retry_after / timedelta(minutes=1)))
            form.refuse(
                "form",
                ngettext(
                    "Too many failed attempts. Try again in %(num)d minute.",
                    "Too many failed attempts. Try again in %(num)d minutes.",
                    minutes,
                ),
            )
            status = 429
        else:
            if logged_in is None:
                form.refuse("form", _("E-mail address or password is not right."))
            else:
                if auth:  # the previous session ended with the rotation, and its sockets
                    await state.hub.disconnect_login_session(auth.login_session.id)
                return logged_in_redirect(request, logged_in.token, next_url)
    shown_email = email if len(email) <= 254 else ""
    return render(
        request,
        "identity/login.html",
        {"next": next_url, "errors": form.errors, "email": shown_email},
        status=status,
    )


async def logout(request: Request) -> Response:
    auth = request.scope.get("auth")
    if auth is not None:
        async with platform(request).database.session() as db:
            await sessions.end(db, auth.token)
            await db.commit()
        # the pages' live connections were opened under this session: they end with it
        await platform(request).hub.disconnect_login_session(auth.login_session.id)
    response = RedirectResponse(request.url_for("home"), status_code=303)
    response.delete_cookie(sessions.SESSION_COOKIE, httponly=True, samesite="lax")
    return response


def _signup_defaults(request: Request) -> dict[str, str]:
    return {
        "name": "",
        "email": "",
        "language": request.scope.get("language", "en"),
        "time_zone": "Europe/Rome",
    }


async def signup(request: Request) -> Response:
    next_url = safe_next(request.query_params.get("next"))
    context = {"next": next_url, "errors": {}, "values": _signup_defaults(request)}
    if request.method == "GET":
        if current_user(request) is not None:
            return RedirectResponse(next_url, status_code=303)
        return render(request, "identity/signup.html", context)

    form = await Form.read(request)
    next_url = safe_next(form.text("next"))
    name = form.clean("name", validation.clean_name)
    email = form.clean("email", validation.clean_email)
    password = form.check("password", validation.check_password)
    language = form.check("language", validation.check_language)
    time_zone = form.check("time_zone", validation.check_time_zone)
    state = platform(request)

    async def open_account(db, password_hash: str) -> str:
        user = await operations.sign_up(
            db,
            email=email,
            name=name,
            password_hash=password_hash,
            language=language,
            time_zone=time_zone,
        )
        user_agent = request.headers.get("user-agent", "")
        return await sessions.start(
            db, state.settings, user, ip=client_ip(request), user_agent=user_agent
        )

    if form.ok:
        password_hash = await state.passwords.hash(password)  # slow: before taking the writer
        async with state.database.session() as db:
            token = await form.commit(db, open_account, db, password_hash)
        if form.ok:
            return logged_in_redirect(request, token, next_url)
    defaults = _signup_defaults(request)
    values = {
        # what was typed stays, wrong or not, to be corrected rather than typed again
        "name": form.typed["name"].strip(),
        "email": form.typed["email"].strip(),
        # a choice that is not in the list cannot be shown selected
        "language": language if "language" not in form.errors else defaults["language"],
        "time_zone": time_zone if "time_zone" not in form.errors else defaults["time_zone"],
    }
    context.update(next=next_url, errors=form.errors, values=values)
    return render(request, "identity/signup.html", context, status=400)


async def account(request: Request) -> Response:
    user = require_user(request)
    context = {
        "errors": {},
        "saved": request.query_params.get("saved"),
        "values": {"name": user.name, "language": user.language, "time_zone": user.time_zone},
    }
    if request.method == "GET":
        return render(request, "identity/account.html", context)

    form = await Form.read(request)
    name = form.clean("name", validation.clean_name)
    language = form.check("language", validation.check_language)
    time_zone = form.check("time_zone", validation.check_time_zone)
    share_visits = form.flag("share_visits")
    if form.ok:
        async with platform(request).database.session() as db:
            db.add(user)
            await form.commit(
                db,
                operations.update_profile,
                db,
                user,
                name=name,
                language=language,
                time_zone=time_zone,
                share_visits=share_visits,
            )
    if form.ok:
        url = request.url_for("account").include_query_params(saved="profile")
        return RedirectResponse(str(url), status_code=303)
    context.update(
        errors=form.errors, values={"name": name, "language": language, "time_zone": time_zone}
    )
    return render(request, "identity/account.html", context, status=400)


def _current_password_given(value: str) -> str | None:
    return None if value else _("Enter your current password.")


async def change_password(request: Request) -> Response:
    user = require_user(request)
    form = await Form.read(request)
    current = form.check("current_password", _current_password_given)
    new = form.check("new_password", validation.check_password)
    if form.ok:
        state = platform(request)
        auth = request.scope["auth"]
        try:
            await operations.change_password(
                state.database,
                state.passwords,
                user,
                current=current[:1024],
                new=new,
                keep_login_session=auth.login_session.id,
            )
        except FormError as refused:
            form.errors.update(refused.errors)
        else:
            # someone who knew the old password may be connected elsewhere: cut every live
            # connection (this browser's pages reconnect under the session that stays)
            await state.hub.disconnect_user(user.id)
            url = request.url_for("account").include_query_params(saved="password")
            return RedirectResponse(str(url), status_code=303)
    context = {
        "errors": form.errors,
        "saved": None,
        "values": {"name": user.name, "language": user.language, "time_zone": user.time_zone},
    }
    return render(request, "identity/account.html", context, status=400)


async def set_language(request: Request) -> Response:
    form = await Form.read(request)
    language = form.text("language")
    target = safe_next(form.text("next"))
    if language not in LANGUAGES:
        return RedirectResponse(target, status_code=303)
    user = current_user(request)
    if user is not None:
        async with platform(request).database.session() as db:
            db.add(user)
            user.language = language
            await db.commit()
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        LANGUAGE_COOKIE,
        language,
        max_age=365 * 24 * 3600,
        samesite="lax",
        httponly=True,
        secure=is_secure(request.scope, platform(request).settings.base_url),
    )
    return response


routes = [
    Route("/login", login, methods=["GET", "POST"], name="login"),
    Route("/logout", logout, methods=["POST"], name="logout"),
    Route("/signup", signup, methods=["GET", "POST"], name="signup"),
    Route("/account", account, methods=["GET", "POST"], name="account"),
    Route("/account/password", change_password, methods=["POST"], name="change_password"),
    Route("/language", set_language, methods=["POST"], name="set_language"),
]
