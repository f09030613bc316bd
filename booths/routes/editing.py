"""Booth editing for its staff and the fair's organisers: profile, marketplace, documents."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from booths import operations, uploads
from booths.access import BoothContext
from booths.models import OpportunityCategory, OpportunityKind
from booths.routes.paths import edited_booth_of
from server.features import platform
from server.forms import Form, FormError, member
from server.i18n import gettext as _
from server.templating import render

HEADLINE_MAX = 200
DESCRIPTION_MAX = 5000
TITLE_MAX = 200


def with_form(handler: Callable[[Request, Form], Awaitable[Response]]):
    """Parse the (possibly multipart) form for `handler` and close its spooled files after."""

    async def endpoint(request: Request) -> Response:
        async with request.form(max_files=2, max_fields=60, max_part_size=64 * 1024) as data:
            return await handler(request, Form(data))

    return endpoint


def _prose(limit: int, required: str = "") -> Callable[[str], tuple[str, str | None]]:
    """A cleaner of free text up to `limit` characters; `required` names what must be filled."""

    def clean(value: str) -> tuple[str, str | None]:
        value = value.strip()
        if required and not value:
            return value, _("Fill in %(field)s.", field=required)
        if len(value) > limit:
            return value, _("Use at most %(max)d characters.", max=limit)
        return value, None

    return clean


def _web_address(value: str, required: bool = False) -> tuple[str, str | None]:
    value = value.strip()
    if not value and not required:
        return "", None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or len(value) > 300:
        return value, _("Enter a full web address starting with https://")
    return value, None


async def _store(
    request: Request, form: Form, name: str, *, images_only: bool = False
) -> uploads.StoredFile | None:
    """Save the file chosen in `name`; None, with the reason next to the field, when refused."""
    upload = form.file(name)
    if upload is None:
        return None
    settings = platform(request).settings
    try:
        return await uploads.store(
            upload,
            settings.upload_dir,
            settings.max_upload_bytes,
            settings.max_image_pixels,
            images_only=images_only,
        )
    except FormError as refused:
        form.refuse(name, refused.message)
        return None


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
            "max_upload_mb": f"{platform(request).settings.max_upload_bytes / 1_000_000:g}",
            "OpportunityKind": OpportunityKind,
            "OpportunityCategory": OpportunityCategory,
        },
        status=status,
    )


@with_form
async def edit(request: Request, form: Form) -> Response:
    database = platform(request).database
    if request.method == "GET":
        async with database.session() as db:
            context = await edited_booth_of(request, db)
        return await _page(request, context)

    values: dict[str, Any] = {
        "headline": form.clean("headline", _prose(HEADLINE_MAX)),
        "description": form.clean("description", _prose(DESCRIPTION_MAX)),
        "website": form.clean("website", _web_address),
        # a tampered or stale sector id is not one of this fair's sectors: it is left out
        "sectors": form.whole_numbers("sectors"),
    }
    async with database.session() as db:
        context = await edited_booth_of(request, db)
        logo = await _store(request, form, "logo", images_only=True)

        async def save() -> None:
            await operations.update_profile(
                db,
                context.booth,
                headline=values["headline"],
                description=values["description"],
                website=values["website"],
                sector_ids=values["sectors"],
            )
            if logo is not None:
                await operations.add_document(
                    db, context.booth, logo, title=_("Logo"), is_logo=True
                )

        await form.commit(db, save)
        if not form.ok:
            await _forget(request, logo)
            return await _page(request, context, form.errors, values, status=400)
    return RedirectResponse(_edit_url(request, context, "profile"), status_code=303)


async def _forget(request: Request, stored: uploads.StoredFile | None) -> None:
    """Remove a file saved for a form that is shown again instead."""
    if stored is not None:
        await uploads.remove(platform(request).settings.upload_dir, stored.storage_key)


@with_form
async def add_opportunity(request: Request, form: Form) -> Response:
    title = form.clean("title", _prose(TITLE_MAX, _("the title")))
    description = form.clean("opportunity_description", _prose(DESCRIPTION_MAX))
    kind = member(OpportunityKind)(form.text("kind"))
    category = member(OpportunityCategory)(form.text("category"))
    if kind is None or category is None:
        form.refuse("kind", _("Choose whether you offer or look for something, and what."))
    async with platform(request).database.session() as db:
        context = await edited_booth_of(request, db)
        await form.commit(
            db,
            operations.add_opportunity,
            db,
            context.booth,
            kind=kind,
            category=category,
            title=title,
            description=description,
        )
        if not form.ok:
            values = {"title": title, "opportunity_description": description}
            return await _page(request, context, form.errors, values, status=400)
    return RedirectResponse(_edit_url(request, context, "opportunity"), status_code=303)


@with_form
async def remove_opportunity(request: Request, form: Form) -> Response:
    async with platform(request).database.session() as db:
        context = await edited_booth_of(request, db)
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
async def add_document(request: Request, form: Form) -> Response:
    title = form.clean("document_title", _prose(TITLE_MAX))
    async with platform(request).database.session() as db:
        context = await edited_booth_of(request, db)
        if form.file("file") is None:
            form.refuse("file", _("Choose a file to upload."))
        stored = await _store(request, form, "file")
        await form.commit(db, operations.add_document, db, context.booth, stored, title=title)
        if not form.ok:
            await _forget(request, stored)
            return await _page(request, context, form.errors, {"document_title": title}, status=400)
    return RedirectResponse(_edit_url(request, context, "document"), status_code=303)


@with_form
async def remove_document(request: Request, form: Form) -> Response:
    settings = platform(request).settings
    async with platform(request).database.session() as db:
        context = await edited_booth_of(request, db)
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


def _required_web_address(value: str) -> tuple[str, str | None]:
    return _web_address(value, required=True)


@with_form
async def add_link(request: Request, form: Form) -> Response:
    title = form.clean("link_title", _prose(TITLE_MAX, _("the title")))
    url = form.clean("url", _required_web_address)
    async with platform(request).database.session() as db:
        context = await edited_booth_of(request, db)
        await form.commit(db, operations.add_link, db, context.booth, title=title, url=url)
        if not form.ok:
            values = {"link_title": title, "url": url}
            return await _page(request, context, form.errors, values, status=400)
    return RedirectResponse(_edit_url(request, context, "link"), status_code=303)


@with_form
async def remove_link(request: Request, form: Form) -> Response:
    async with platform(request).database.session() as db:
        context = await edited_booth_of(request, db)
        link = next((x for x in context.booth.links if x.id == request.path_params["link"]), None)
        if link is None:
            raise HTTPException(404)
        await operations.remove_link(db, context.booth, link)
        await db.commit()
    return RedirectResponse(_edit_url(request, context, "removed"), status_code=303)


@with_form
async def visibility(request: Request, form: Form) -> Response:
    async with platform(request).database.session() as db:
        context = await edited_booth_of(request, db)
        if not context.is_organiser:
            raise HTTPException(403)
        await operations.set_hidden(db, context.booth, form.flag("hidden"))
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
