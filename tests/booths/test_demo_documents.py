"""Every demo booth has a brochure to download: a generated PDF that opens."""

import re

from sqlalchemy import func, select

from booths.brochure import brochure
from booths.models import Booth, BoothDocument
from server.demo import DEMO_LOGINS, DEMO_PASSWORD
from tests.support.demo import BARI
from tests.support.pages import log_in

BOOTH = f"/fairs/{BARI}/booths/sassi-digital-lab"


def test_a_brochure_is_a_pdf_whose_index_points_at_its_objects():
    data = brochure("Calanques Numérique (Marseille)", ["Apps for ports", "Ψηφιακή"])
    assert data.startswith(b"%PDF-1.4") and data.rstrip().endswith(b"%%EOF")
    xref = int(re.search(rb"startxref\n(\d+)", data).group(1))
    assert data[xref:].startswith(b"xref")
    offsets = re.findall(rb"(\d{10}) 00000 n", data)
    assert len(offsets) == 5
    for number, offset in enumerate(offsets, start=1):
        assert data[int(offset) :].startswith(b"%d 0 obj" % number)
    assert b"(Calanques Num\xe9rique \\(Marseille\\)) Tj" in data  # WinAnsi, brackets escaped


async def test_every_demo_booth_has_a_brochure_to_download(client, db, demo):
    booths = await db.scalar(select(func.count()).select_from(Booth))
    with_brochure = await db.scalar(
        select(func.count(func.distinct(BoothDocument.booth_id))).where(
            BoothDocument.storage_key.startswith("demo-brochure-")
        )
    )
    assert booths and with_brochure >= booths - 1  # the other fair beside the demo has one booth
    await log_in(client, DEMO_LOGINS["buyer"], DEMO_PASSWORD)
    page = (await client.get(BOOTH)).text
    assert "Sassi Digital Lab — brochure" in page
    link = re.search(r'href="[^"]*(/fairs/[^"]+/documents/\d+)"', page).group(1)
    response = await client.get(link)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/pdf")
    assert response.content.startswith(b"%PDF-") and b"(Sassi Digital Lab) Tj" in response.content
