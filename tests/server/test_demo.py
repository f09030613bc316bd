"""The demo fair: what the press release describes, seeded once however often it runs."""

from sqlalchemy import func, select

from server.app import seed_demo
from server.demo import DEMO_LOGINS, DEMO_PASSWORD
from server.fairs.models import BookingMode, Fair, Participant, Role
from server.fairs.queries import fair_for
from server.identity.models import Firm, User
from tests.support.pages import log_in, visible_text


async def count(db, model) -> int:
    return await db.scalar(select(func.count()).select_from(model))


async def test_seed_is_idempotent_and_matches_the_press_release(db, app):
    passwords = app.other_asgi_app.state.platform.passwords
    await seed_demo(db, passwords)
    totals = [await count(db, model) for model in (Fair, Firm, User, Participant)]
    await seed_demo(db, passwords)
    assert [await count(db, model) for model in (Fair, Firm, User, Participant)] == totals

    bari, _ = await fair_for(db, "fiera-mediterranea-b2b", None)
    assert bari.name == "Fiera Mediterranea B2B"
    assert bari.venue == "Fiera del Levante" and bari.booking_mode == BookingMode.ON_ACCEPTANCE
    malta = await db.scalar(select(Fair).where(Fair.slug == "malta-mission-2027"))
    assert malta.booking_mode == BookingMode.ORGANISER
    assert [hall.name for hall in bari.halls] == [
        "Basilicata",
        "Provence-Alpes-Côte d'Azur",
        "Attica",
        "Malta",
    ]
    assert [sector.name for sector in bari.sectors] == ["ICT", "Design", "Culture & Media"]
    rows = await db.execute(
        select(Firm.country, func.count(func.distinct(Firm.id)))
        .join(User, User.firm_id == Firm.id)
        .join(Participant, Participant.user_id == User.id)
        .where(Participant.fair_id == bari.id, Participant.role == Role.EXHIBITOR)
        .group_by(Firm.country)
    )
    assert dict(rows.all()) == {"IT": 17, "FR": 5, "GR": 4, "MT": 1}


async def test_demo_logins_work(client, db, app):
    await seed_demo(db, app.other_asgi_app.state.platform.passwords)
    for email in DEMO_LOGINS.values():
        client.cookies.clear()
        await log_in(client, email, DEMO_PASSWORD)
        page = await client.get("/fairs/fiera-mediterranea-b2b")
        assert "Your participation" in visible_text(page.text)
