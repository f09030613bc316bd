"""Uploads: the type comes from the content, payloads are dropped, limits say why."""

import io
import re
import struct
import zlib
from dataclasses import replace

import httpx
import pytest
from PIL import Image, ImageFile
from sqlalchemy import select

from booths.models import Booth, BoothDocument
from server.app import create_app
from server.demo import DEMO_PASSWORD
from tests.support.demo import BARI, STAFF
from tests.support.pages import csrf_token, log_in, visible_text

EDIT = f"/fairs/{BARI}/booths/sassi-digital-lab/edit"
DOCUMENTS = f"/fairs/{BARI}/booths/sassi-digital-lab/documents"
ELF = b"\x7fELF\x02\x01\x01" + b"\x00" * 200


def jpeg_with_payload() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 80, 40)).save(buffer, format="JPEG")
    return buffer.getvalue() + b"<script>alert('owned')</script>"


def png_bomb(width: int, height: int) -> bytes:
    """A PNG of one colour, width x height RGBA, written row by row: tiny file, huge image."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    compressor = zlib.compressobj(9)
    row = b"\x00" + b"\x00" * (width * 4)  # filter byte, then transparent pixels
    pixels = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


@pytest.fixture
async def staff_client(settings, database, demo):
    app = create_app(replace(settings, max_upload_bytes=50_000), database)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as client:
        await log_in(client, STAFF, DEMO_PASSWORD)
        yield client


async def upload(client, action, files, data):
    page = await client.get(EDIT)
    return await client.post(
        action, data={**data, "csrf_token": csrf_token(page.text)}, files=files
    )


async def documents(db) -> list[BoothDocument]:
    """The documents uploaded to the booth (its demo brochure aside)."""
    booth = await db.scalar(select(Booth.id).where(Booth.slug == "sassi-digital-lab"))
    return list(
        await db.scalars(
            select(BoothDocument).where(
                BoothDocument.booth_id == booth,
                BoothDocument.storage_key.not_like("demo-brochure-%"),
            )
        )
    )


async def test_a_renamed_executable_is_refused(staff_client, db):
    response = await upload(
        staff_client,
        DOCUMENTS,
        {"file": ("brochure.pdf", ELF, "application/pdf")},
        {"document_title": "Our brochure"},
    )
    assert response.status_code == 400
    assert "Upload a PDF or a PNG, JPEG, GIF or WebP image." in visible_text(response.text)
    assert 'value="Our brochure"' in response.text  # what was typed is kept
    assert await documents(db) == []


async def test_svg_is_refused_even_when_called_png(staff_client, db):
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    response = await upload(staff_client, DOCUMENTS, {"file": ("logo.png", svg, "image/png")}, {})
    assert response.status_code == 400
    assert await documents(db) == []


async def test_an_oversized_file_is_refused_and_the_rest_of_the_form_kept(staff_client, db):
    big = b"%PDF-1.7\n" + b"0" * 60_000
    response = await upload(
        staff_client,
        EDIT,
        {"logo": ("logo.png", big, "image/png")},
        {
            "headline": "Portals for every town",
            "description": "Kept text",
            "website": "https://sassi.example",
        },
    )
    text = visible_text(response.text)
    assert response.status_code == 400
    assert "The file is larger than 0.05 MB." in text
    assert 'value="Portals for every town"' in response.text and "Kept text" in response.text
    booth = await db.scalar(select(Booth).where(Booth.slug == "sassi-digital-lab"))
    await db.refresh(booth)
    assert booth.headline != "Portals for every town"  # nothing half-saved


async def test_an_image_with_a_script_payload_is_re_encoded(staff_client, db, settings):
    response = await upload(
        staff_client,
        DOCUMENTS,
        {"file": ("photo.jpg", jpeg_with_payload(), "image/jpeg")},
        {"document_title": "Our stand"},
    )
    assert response.status_code == 303
    [document] = await documents(db)
    stored = (settings.upload_dir / document.storage_key).read_bytes()
    assert b"<script>" not in stored
    assert Image.open(io.BytesIO(stored)).size == (64, 48)
    served = await staff_client.get(
        f"/fairs/{BARI}/booths/sassi-digital-lab/documents/{document.id}"
    )
    assert served.headers["content-type"] == "image/jpeg"
    assert served.headers["x-content-type-options"] == "nosniff"
    assert "sandbox" in served.headers["content-security-policy"]
    assert b"<script>" not in served.content


async def test_a_pdf_is_kept_and_served_as_an_attachment(staff_client, db):
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"
    response = await upload(
        staff_client,
        DOCUMENTS,
        {"file": ("Brochure 2027.exe.pdf", pdf, "application/octet-stream")},
        {"document_title": ""},
    )
    assert response.status_code == 303
    [document] = await documents(db)
    assert (document.kind, document.filename, document.title) == (
        "pdf",
        "Brochure 2027_exe.pdf",
        "Brochure 2027_exe.pdf",
    )
    served = await staff_client.get(
        f"/fairs/{BARI}/booths/sassi-digital-lab/documents/{document.id}"
    )
    assert served.headers["content-disposition"].startswith("attachment;")
    assert served.content == pdf
    page = await staff_client.get(f"/fairs/{BARI}/booths/sassi-digital-lab")
    assert "Brochure 2027_exe.pdf" in visible_text(page.text)


async def test_a_logo_upload_shows_on_the_booth_page(staff_client, db):
    buffer = io.BytesIO()
    Image.new("RGBA", (40, 40), (11, 79, 108, 255)).save(buffer, format="PNG")
    response = await upload(
        staff_client,
        EDIT,
        {"logo": ("logo.png", buffer.getvalue(), "image/png")},
        {"headline": "Open data for towns", "description": "", "website": "", "sectors": "1"},
    )
    assert response.status_code == 303
    page = await staff_client.get(f"/fairs/{BARI}/booths/sassi-digital-lab")
    logo = re.search(
        r'<img class="booth-logo booth-logo-large" src="([^"]+/documents/\d+)"', page.text
    )
    assert logo
    assert "Open data for towns" in visible_text(page.text)
    # the page has the site's policy; the logo, like every upload, keeps its own sandbox
    assert "img-src 'self'" in page.headers["content-security-policy"]
    served = await staff_client.get(logo.group(1))
    assert served.headers["content-security-policy"] == (
        "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    )


@pytest.fixture
def decoded_sizes(monkeypatch) -> list[tuple[int, int]]:
    """The size of every image Pillow decodes (its load() is where the pixels cost memory)."""
    sizes: list[tuple[int, int]] = []
    load = ImageFile.ImageFile.load

    def recording_load(image):
        sizes.append(image.size)
        return load(image)

    monkeypatch.setattr(ImageFile.ImageFile, "load", recording_load)
    return sizes


@pytest.mark.parametrize("action", ["logo", "document"])
async def test_a_decompression_bomb_is_refused_before_decoding(
    settings, database, demo, db, decoded_sizes, action
):
    bomb = png_bomb(6000, 6000)
    assert len(bomb) < 200_000  # well under the upload limit: only its pixels give it away
    app = create_app(settings, database)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as client:
        await log_in(client, STAFF, DEMO_PASSWORD)
        if action == "logo":
            response = await upload(
                client,
                EDIT,
                {"logo": ("logo.png", bomb, "image/png")},
                {"headline": "Portals for every town", "description": "Kept text"},
            )
        else:
            response = await upload(
                client,
                DOCUMENTS,
                {"file": ("stand.png", bomb, "image/png")},
                {"document_title": "Our stand"},
            )
    assert response.status_code == 400
    assert (
        "The image has too many pixels: upload one of at most 4096 × 4096 "
        "(about 17 megapixels)." in visible_text(response.text)
    )
    kept = 'value="Portals for every town"' if action == "logo" else 'value="Our stand"'
    assert kept in response.text
    assert (6000, 6000) not in decoded_sizes  # refused from the header, never decoded
    assert await documents(db) == []
