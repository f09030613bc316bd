"""Booth editing for its staff and the fair's organisers: profile, marketplace, documents."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from booths import operations, uploads
from booths.access import BoothContext, require_editor
from booths.models import OpportunityCategory, OpportunityKind
from server.forms import text, whole_number
from server.i18n import gettext as _
from server.identity.access import current_user
from server.identity.validation import has_control_characters
from server.templating import render

HEADLINE_MAX = 200
DESCRIPTION_MAX = 5000
TITLE_MAX = 200


def with_form(handler: Callable[[Request, FormData], Awaitable[Response]]):
    """Parse the (possibly multipart) form for `handler` and close its spooled files after."""

    async def endpoint(request: Request) -> Response:
        async with request.form(max_files=2, max_fields=60, max_part_size=64 * 1024) as form:
            return await handler(request, form)

    return endpoint


def _clean(value: str, limit: int, label: str, errors: dict, field: str, required=False) -> str:
    value = value.strip()
    if required and not value:
        errors[field] = _("Fill in %(field)s.", field=label)
    elif len(value) > limit:
        errors[field] = _("Use at most %(max)d characters.", max=limit)
    elif has_control_characters(value.replace("\n", "").replace("\r", "").replace("\t", "")):
        errors[field] = _("This contains characters that cannot be used.")
    return value


def _clean_url(value: str, errors: dict, field: str) -> str:
    value = value.strip()
    if not value:
        return ""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or len(value) > 300:
        errors[field] = _("Enter a full web address starting with https://")
    return value


def _sector_ids(form: FormData) -> list[int]:
    """The sector ids ticked in the form that are whole numbers; anything else is dropped."""
    ids = (whole_number(v) for v in form.getlist("sectors") if isinstance(v, str))
    return [sector_id for sector_id in ids if sector_id is not None]


def _edit_url(request: Request, context: BoothContext, saved: str = "") -> str:
    url = request.url_for("edit_booth", fair=context.fair.slug, booth=context.booth.slug)
    return str(url.include_query_params(saved=saved) if saved else url)


async def _page(
    request: Request,
    context: BoothContext,
    errors: dict | None = None,
    values: dict | None = None,
    status: int = 200,
) -> Response:
    booth = context.booth
    defaults = {
        "headline": booth.headline,
        "description": booth.description,
        "website": booth.website,
        "sectors": [sector.id for sector in booth.sectors],
    }
    return render(
        request,
        "booths/edit.html",
        {
            "fair": context.fair,
            "booth": booth,
            "is_organiser": context.is_organiser,
            "errors": errors or {},
            "values": {**defaults, **(values or {})},
            "saved": request.query_params.get("saved", ""),
            "max_upload_mb": f"{request.app.state.settings.max_upload_bytes / 1_000_000:g}",
            "OpportunityKind": OpportunityKind,
            "OpportunityCategory": OpportunityCategory,
        },
        status=status,
    )


@with_form
async def edit(request: Request, form: FormData) -> Response:
    database = request.app.state.database
    if request.method == "GET":
        async with database.session() as db:
            context = await require_editor(
                db,
                request.path_params["booth"],
                current_user(request),
                fair=request.path_params["fair"],
            )
        return await _page(request, context)

    settings = request.app.state.settings
    async with database.session() as db:
        context = await require_editor(
            db,
            request.path_params["booth"],
            current_user(request),
            fair=request.path_params["fair"],
        )
        errors: dict[str, str] = {}
        values = {
            "headline": _clean(
                text(form, "headline"), HEADLINE_MAX, _("the headline"), errors, "headline"
            ),
            "description": _clean(
                text(form, "description"),
                DESCRIPTION_MAX,
                _("the description"),
                errors,
                "description",
            ),
            "website": _clean_url(text(form, "website"), errors, "website"),
            # a tampered or stale sector id is not one of this fair's sectors: it is left out
            "sectors": _sector_ids(form),
        }
        logo = form.get("logo")
        stored = None
        if isinstance(logo, UploadFile) and logo.filename:
            try:
                stored = await uploads.store(
                    logo,
                    settings.upload_dir,
                    settings.max_upload_bytes,
                    settings.max_image_pixels,
                    images_only=True,
                )
            except uploads.UploadRejected as rejected:
                errors["logo"] = rejected.message
        if errors:
            if stored is not None:
                await uploads.remove(settings.upload_dir, stored.storage_key)
            return await _page(request, context, errors, values, status=400)
        await operations.update_profile(
            db,
            context.booth,
            headline=values["headline"],
            description=values["description"],
            website=values["website"],
            sector_ids=values["sectors"],
        )
        if stored is not None:
            await operations.add_document(db, context.booth, stored, title=_("Logo"), is_logo=True)
        await db.commit()
    return RedirectResponse(_edit_url(request, context, "profile"), status_code=303)


@with_form
async def add_opportunity(request: Request, form: FormData) -> Response:
    async with request.app.state.database.session() as db:
        context = await require_editor(
            db,
            request.path_params["booth"],
            current_user(request),
            fair=request.path_params["fair"],
        )
        errors: dict[str, str] = {}
        title = _clean(
            text(form, "title"), TITLE_MAX, _("the title"), errors, "title", required=True
        )
        description = _clean(
            text(form, "opportunity_description"),
            DESCRIPTION_MAX,
            _("the description"),
            errors,
            "opportunity_description",
        )
        try:
            kind = OpportunityKind(text(form, "kind"))
            category = OpportunityCategory(text(form, "category"))
        except ValueError:
            errors["kind"] = _("Choose whether you offer or look for something, and what.")
        if errors:
            return await _page(
                request,
                context,
                errors,
                {"title": title, "opportunity_description": description},
                status=400,
            )
        await operations.add_opportunity(
            db, context.booth, kind=kind, category=category, title=title, description=description
        )
        await db.commit()
    return RedirectResponse(_edit_url(request, context, "opportunity"), status_code=303)


@with_form
async def remove_opportunity(request: Request, form: FormData) -> Response:
    async with request.app.state.database.session() as db:
        context = await require_editor(
            db,
            request.path_params["booth"],
            current_user(request),
            fair=request.path_params["fair"],
        )
        opportunity = next(
            (o for o in context.booth.opportunities if o.id == request.path_params["opportunity"]),
            None,
        )
        if opportunity is None:
            raise HTTPException(404)
        await operations.remove_opportunity(db, context.booth, opportunity)
        await db.commit()
    return RedirectResponse(_edit_url(request, context, "removed"), status_code=303)


@with_form
async def add_document(request: Request, form: FormData) -> Response:
    settings = request.app.state.settings
    async with request.app.state.database.session() as db:
        context = await require_editor(
            db,
            request.path_params["booth"],
            current_user(request),
            fair=request.path_params["fair"],
        )
        errors: dict[str, str] = {}
        title = _clean(
            text(form, "document_title"), TITLE_MAX, _("the title"), errors, "document_title"
        )
        upload = form.get("file")
        stored = None
        if not isinstance(upload, UploadFile) or not upload.filename:
            errors["file"] = _("Choose a file to upload.")
        else:
            try:
                stored = await uploads.store(
                    upload,
                    settings.upload_dir,
                    settings.max_upload_bytes,
                    settings.max_image_pixels,
                )
            except uploads.UploadRejected as rejected:
                errors["file"] = rejected.message
        if errors:
            if stored is not None:
                await uploads.remove(settings.upload_dir, stored.storage_key)
            return await _page(request, context, errors, {"document_title": title}, status=400)
        await operations.add_document(db, context.booth, stored, title=title)
        await db.commit()
    return RedirectResponse(_edit_url(request, context, "document"), status_code=303)


@with_form
async def remove_document(request: Request, form: FormData) -> Response:
    settings = request.app.state.settings
    async with request.app.state.database.session() as db:
        context = await require_editor(
            db,
            request.path_params["booth"],
            current_user(request),
            fair=request.path_params["fair"],
        )
        document = next(
            (d for d in context.booth.documents if d.id == request.path_params["document"]), None
        )
        if document is None:
            raise HTTPException(404)
        key = document.storage_key
        await operations.remove_document(db, context.booth, document)
        await db.commit()
    await uploads.remove(settings.upload_dir, key)
    return RedirectResponse(_edit_url(request, context, "removed"), status_code=303)


@with_form
async def add_link(request: Request, form: FormData) -> Response:
    async with request.app.state.database.session() as db:
        context = await require_editor(
            db,
            request.path_params["booth"],
            current_user(request),
            fair=request.path_params["fair"],
        )
        errors: dict[str, str] = {}
        title = _clean(
            text(form, "link_title"), TITLE_MAX, _("the title"), errors, "link_title", required=True
        )
        url = _clean_url(text(form, "url"), errors, "url")
        if not url and "url" not in errors:
            errors["url"] = _("Enter a full web address starting with https://")
        if errors:
            return await _page(
                request, context, errors, {"link_title": title, "url": url}, status=400
            )
        await operations.add_link(db, context.booth, title=title, url=url)
        await db.commit()
    return RedirectResponse(_edit_url(request, context, "link"), status_code=303)


@with_form
async def remove_link(request: Request, form: FormData) -> Response:
    async with request.app.state.database.session() as db:
        context = await require_editor(
            db,
            request.path_params["booth"],
            current_user(request),
            fair=request.path_params["fair"],
        )
        link = next((x for x in context.booth.links if x.id == request.path_params["link"]), None)
        if link is None:
            raise HTTPException(404)
        await operations.remove_link(db, context.booth, link)
        await db.commit()
    return RedirectResponse(_edit_url(request, context, "removed"), status_code=303)


@with_form
async def visibility(request: Request, form: FormData) -> Response:
    async with request.app.state.database.session() as db:
        context = await require_editor(
            db,
            request.path_params["booth"],
            current_user(request),
            fair=request.path_params["fair"],
        )
        if not context.is_organiser:
            raise HTTPException(403)
        await operations.set_hidden(db, context.booth, text(form, "hidden") == "1")
        await db.commit()
    return RedirectResponse(_edit_url(request, context, "visibility"), status_code=303)


BOOTH = "/fairs/{fair:str}/booths/{booth:str}"
routes = [
    Route(f"{BOOTH}/edit", edit, methods=["GET", "POST"], name="edit_booth"),
    Route(f"{BOOTH}/opportunities", add_opportunity, methods=["POST"], name="add_opportunity"),
    Route(
        f"{BOOTH}/opportunities/{{opportunity:int}}/delete",
        remove_opportunity,
        methods=["POST"],
        name="remove_opportunity",
    ),
    Route(f"{BOOTH}/documents", add_document, methods=["POST"], name="add_document"),
    Route(
        f"{BOOTH}/documents/{{document:int}}/delete",
        remove_document,
        methods=["POST"],
        name="remove_document",
    ),
    Route(f"{BOOTH}/links", add_link, methods=["POST"], name="add_link"),
    Route(f"{BOOTH}/links/{{link:int}}/delete", remove_link, methods=["POST"], name="remove_link"),
    Route(f"{BOOTH}/visibility", visibility, methods=["POST"], name="booth_visibility"),
]
