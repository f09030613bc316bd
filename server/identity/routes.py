"""Account pages: log in, sign up, log out, profile, language."""

from __future__ import annotations

from datetime import timedelta

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from server.forms import read_form, text
from server.i18n import LANGUAGES, ngettext
from server.i18n import gettext as _
from server.identity import operations, sessions, validation
from server.identity.access import current_user, require_user, safe_next
from server.middleware import LANGUAGE_COOKIE, is_secure
from server.templating import render


def _client_ip(request: Request) -> str:
    return request.client.host if request.client else ""


def _logged_in_redirect(request: Request, token: str, target: str) -> Response:
    response = RedirectResponse(target, status_code=303)
    settings = request.app.state.settings
    response.set_cookie(
        sessions.SESSION_COOKIE,
        token,
        max_age=settings.session_absolute_seconds,
        httponly=True,
        samesite="lax",
        secure=is_secure(request.scope, settings.base_url),
    )
    return response


async def login(request: Request) -> Response:
    next_url = safe_next(request.query_params.get("next"))
    if request.method == "GET":
        if current_user(request) is not None:
            return RedirectResponse(next_url, status_code=303)
        return render(request, "identity/login.html", {"next": next_url, "errors": {}, "email": ""})

    form = await read_form(request)
    next_url = safe_next(text(form, "next"))
    email, email_error = validation.clean_email(text(form, "email"))
    password = text(form, "password")
    errors: dict[str, str] = {}
    status = 400
    if email_error:
        errors["email"] = email_error
    if not password:
        errors["password"] = _("Enter your password.")
    elif len(password) > validation.PASSWORD_MAX:
        errors["password"] = _("E-mail address or password is not right.")
    if not errors:
        state = request.app.state
        auth = request.scope.get("auth")
        try:
            logged_in = await operations.log_in(
                state.database,
                state.settings,
                state.passwords,
                email=email,
                password=password,
                ip=_client_ip(request),
                user_agent=request.headers.get("user-agent", ""),
                previous_token=auth.token if auth else None,
            )
        except operations.Throttled as throttled:
            minutes = max(1, round(throttled.retry_after / timedelta(minutes=1)))
            errors["form"] = ngettext(
                "Too many failed attempts. Try again in %(num)d minute.",
                "Too many failed attempts. Try again in %(num)d minutes.",
                minutes,
            )
            status = 429
        else:
            if logged_in is None:
                errors["form"] = _("E-mail address or password is not right.")
            else:
                if auth:  # the previous session ended with the rotation, and its sockets
                    await state.hub.disconnect_login_session(auth.login_session.id)
                return _logged_in_redirect(request, logged_in.token, next_url)
    shown_email = email if len(email) <= 254 else ""
    return render(
        request,
        "identity/login.html",
        {"next": next_url, "errors": errors, "email": shown_email},
        status=status,
    )


async def logout(request: Request) -> Response:
    auth = request.scope.get("auth")
    if auth is not None:
        async with request.app.state.database.session() as db:
            await sessions.end(db, auth.token)
            await db.commit()
        # the pages' live connections were opened under this session: they end with it
        await request.app.state.hub.disconnect_login_session(auth.login_session.id)
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

    form = await read_form(request)
    next_url = safe_next(text(form, "next"))
    name, name_error = validation.clean_name(text(form, "name"))
    email, email_error = validation.clean_email(text(form, "email"))
    password = text(form, "password")
    language = text(form, "language")
    time_zone = text(form, "time_zone")
    errors = {
        field: message
        for field, message in (
            ("name", name_error),
            ("email", email_error),
            ("password", validation.check_password(password)),
            ("language", validation.check_language(language)),
            ("time_zone", validation.check_time_zone(time_zone)),
        )
        if message
    }
    if not errors:
        state = request.app.state
        password_hash = await state.passwords.hash(password)
        async with state.database.session() as db:
            try:
                user = await operations.sign_up(
                    db,
                    email=email,
                    name=name,
                    password_hash=password_hash,
                    language=language,
                    time_zone=time_zone,
                )
            except operations.AccountError as error:
                errors[error.field] = error.message
            else:
                token = await sessions.start(
                    db,
                    state.settings,
                    user,
                    ip=_client_ip(request),
                    user_agent=request.headers.get("user-agent", ""),
                )
                await db.commit()
                return _logged_in_redirect(request, token, next_url)
    values = {
        "name": name if not name_error else "",
        "email": email if not email_error else "",
        "language": language if language in LANGUAGES else request.scope.get("language", "en"),
        "time_zone": time_zone if not validation.check_time_zone(time_zone) else "Europe/Rome",
    }
    context.update(next=next_url, errors=errors, values=values)
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

    form = await read_form(request)
    name, name_error = validation.clean_name(text(form, "name"))
    language = text(form, "language")
    time_zone = text(form, "time_zone")
    errors = {
        field: message
        for field, message in (
            ("name", name_error),
            ("language", validation.check_language(language)),
            ("time_zone", validation.check_time_zone(time_zone)),
        )
        if message
    }
    if not errors:
        async with request.app.state.database.session() as db:
            db.add(user)
            await operations.update_profile(
                db,
                user,
                name=name,
                language=language,
                time_zone=time_zone,
                share_visits=text(form, "share_visits") == "1",
            )
            await db.commit()
        url = request.url_for("account").include_query_params(saved="profile")
        return RedirectResponse(str(url), status_code=303)
    context.update(
        errors=errors, values={"name": name, "language": language, "time_zone": time_zone}
    )
    return render(request, "identity/account.html", context, status=400)


async def change_password(request: Request) -> Response:
    user = require_user(request)
    form = await read_form(request)
    current = text(form, "current_password")
    new = text(form, "new_password")
    errors: dict[str, str] = {}
    if error := validation.check_password(new):
        errors["new_password"] = error
    if not current:
        errors["current_password"] = _("Enter your current password.")
    if not errors:
        state = request.app.state
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
        except operations.AccountError as error:
            errors[error.field] = error.message
        else:
            # someone who knew the old password may be connected elsewhere: cut every live
            # connection (this browser's pages reconnect under the session that stays)
            await state.hub.disconnect_user(user.id)
            url = request.url_for("account").include_query_params(saved="password")
            return RedirectResponse(str(url), status_code=303)
    context = {
        "errors": errors,
        "saved": None,
        "values": {"name": user.name, "language": user.language, "time_zone": user.time_zone},
    }
    return render(request, "identity/account.html", context, status=400)


async def set_language(request: Request) -> Response:
    form = await read_form(request)
    language = text(form, "language")
    target = safe_next(text(form, "next"))
    if language not in LANGUAGES:
        return RedirectResponse(target, status_code=303)
    user = current_user(request)
    if user is not None:
        async with request.app.state.database.session() as db:
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
        secure=is_secure(request.scope, request.app.state.settings.base_url),
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
