"""The demo's meetings: agenda set-up for both demo fairs, requests in every state and a
published schedule on "Fiera Mediterranea B2B", a video meeting of the demo buyer and exhibitor
whose room is open at the time of seeding, and accepted requests waiting for the optimiser on
the Malta mission (idempotent)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from rooms import booking, operations, queries, setup, slots
from rooms.models import AgendaSession, AgendaSettings, Meeting, MeetingRequest, Slot
from server.db import utcnow
from server.fairs.models import Fair, Participant, Role
from server.identity.models import Firm, User

BARI = "fiera-mediterranea-b2b"
MALTA = "malta-mission-2027"

AGENDAS = {
    BARI: dict(
        tables=14,
        days=[date(2027, 3, 17), date(2027, 3, 18)],
        sessions=[(time(9, 30), time(13, 0), "Morning"), (time(14, 30), time(18, 0), "Afternoon")],
    ),
    MALTA: dict(
        tables=8,
        days=[date(2027, 5, 12)],
        sessions=[(time(9, 30), time(12, 30), "Morning"), (time(14, 0), time(17, 0), "Afternoon")],
    ),
}

# (sender e-mail, recipient firm, what happens, slot index or None, message)
BARI_REQUESTS = [
    (
        "buyer@fiera.demo",
        "Murgia Software",
        "booked",
        0,
        "We sell tickets for 40 theatres in Puglia; could your booking software fit?",
    ),
    (
        "buyer@fiera.demo",
        "Azur Design Collectif",
        "booked",
        2,
        "Looking for packaging design for a new line of olive oil.",
    ),
    (  # not Sassi Digital Lab: the demo buyer's first request goes to the demo booth
        "buyer@fiera.demo",
        "Basento Design Studio",
        "pending",
        None,
        "We need signage and a look for our shopping centres; can we meet?",
    ),
    (
        "buyer@fiera.demo",
        "Vulture Data",
        "declined",
        None,
        "Interested in analytics for our suppliers.",
    ),
    (
        "buyer@fiera.demo",
        "Lucania Cloud Services",
        "cancelled",
        None,
        "Backups for 12 stores: a quote, please.",
    ),
    (
        "buyer@fiera.demo",
        "Pollino Interactive",
        "expired",
        None,
        "Apps for a family park: do you do that?",
    ),
    (
        "marc.olivier@buyers.fiera.demo",
        "Sassi Digital Lab",
        "booked",
        1,
        "Méditerranée Invest looks at civic-tech firms to invest in.",
    ),
    (
        "luca.bianchi@buyers.fiera.demo",
        "Sassi Digital Lab",
        "pending",
        None,
        "Puglia Innovation Hub would like to host you in our incubator.",
    ),
    (
        "exhibitor@fiera.demo",
        "Mdina Logistics",
        "pending",
        None,
        "Our route planning for deliveries could help your fleet in Malta.",
    ),
    (
        "eleni.vlachou@buyers.fiera.demo",
        "Tufo Architetture & Design",
        "booked",
        0,
        "Interior design for two boutique hotels in Santorini.",
    ),
    (
        "luca.bianchi@buyers.fiera.demo",
        "AgriSensing Basilicata",
        "booked",
        0,
        "Field sensors for an agritech pilot.",
    ),
    (
        "buyer@fiera.demo",
        "Siris Cybersecurity",
        "booked",
        4,
        "Security training for 300 shop staff.",
    ),
    (
        "karen.zammit@buyers.fiera.demo",
        "Lagonegro Geo Systems",
        "booked",
        3,
        "GIS for our warehouse sites.",
    ),
    (
        "marc.olivier@buyers.fiera.demo",
        "Calanques Numérique",
        "booked",
        5,
        "Port apps: a possible investment.",
    ),
]

MALTA_REQUESTS = [
    (
        "karen.zammit@buyers.fiera.demo",
        "Valletta Blue Code",
        "accepted",
        None,
        "Compliance software for our logistics payments.",
    ),
    (
        "eleni.vlachou@buyers.fiera.demo",
        "Sassi Digital Lab",
        "accepted",
        None,
        "Booking portal for our hotels.",
    ),
    (
        "karen.zammit@buyers.fiera.demo",
        "Vulture Data",
        "pending",
        None,
        "Analytics for our warehouses.",
    ),
]


async def _participant(db: AsyncSession, fair: Fair, email: str) -> Participant:
    return await db.scalar(
        select(Participant)
        .join(User, User.id == Participant.user_id)
        .where(Participant.fair_id == fair.id, User.email == email)
    )


async def _set_up(db: AsyncSession, fair: Fair, spec: dict) -> None:
    if await db.scalar(select(AgendaSettings.id).where(AgendaSettings.fair_id == fair.id)):
        return
    await setup.save_settings(
        db,
        fair,
        slot_minutes=20,
        break_minutes=0,
        tables=spec["tables"],
        request_expiry_hours=72,
        max_meetings=None,
        booking_mode=fair.booking_mode,
    )
    for day in spec["days"]:
        for starts, ends, label in spec["sessions"]:
            await setup.add_session(db, fair, day=day, starts=starts, ends=ends, label=label)
    await db.flush()


async def _requests(db: AsyncSession, fair: Fair, plan: list) -> None:
    if await db.scalar(select(MeetingRequest.id).where(MeetingRequest.fair_id == fair.id)):
        return
    now = utcnow()
    all_slots = await queries.slots(db, fair)
    for email, firm_name, outcome, slot_index, message in plan:
        sender = await _participant(db, fair, email)
        firm = await db.scalar(select(Firm).where(Firm.name == firm_name))
        sent_at = now - timedelta(days=4) if outcome == "expired" else now - timedelta(hours=2)
        request = (
            await operations.send_request(db, fair, sender, firm.id, message, now=sent_at)
        ).request
        if outcome == "pending":
            request.expires_at = max(request.expires_at, fair.starts_at)  # keeps the demo lively
            continue
        staff = (await queries.firm_staff(db, fair, firm.id))[0]
        if outcome in ("booked", "accepted"):
            slot_id = all_slots[slot_index].id if slot_index is not None else None
            await operations.accept_request(db, fair, staff, request.id, slot_id, now=now)
        elif outcome == "declined":
            await operations.decline_request(
                db, fair, staff, request.id, "We only work with manufacturers for now.", now
            )
        elif outcome == "cancelled":
            await operations.cancel_request(
                db, fair, sender, request.id, "We found a provider in Bari.", now
            )
    await operations.expire_requests(db, now)
    await db.flush()


# Malta: each firm asks the next few firms round the list, and every request is accepted, so
# some 40 requests wait for the organiser to schedule them; one buyer caps her day.
MALTA_ASKS_PER_FIRM = 4
MALTA_CAPPED = ("karen.zammit@buyers.fiera.demo", 5)


async def _malta_waiting(db: AsyncSession, fair: Fair) -> None:
    """Accepted requests between the Malta mission's firms, for the optimiser to place."""
    people = list(
        await db.scalars(
            select(Participant)
            .join(User, User.id == Participant.user_id)
            .where(
                Participant.fair_id == fair.id,
                Participant.role.in_([Role.EXHIBITOR, Role.BUYER]),
                User.firm_id.is_not(None),
            )
            .order_by(Participant.id)
        )
    )
    firms = [await queries.firm_id_of(db, person) for person in people]
    now = utcnow()
    for i, sender in enumerate(people):
        for step in range(1, MALTA_ASKS_PER_FIRM + 1):
            j = (i + step) % len(people)
            if firms[j] == firms[i]:
                continue
            key = operations.pair_key(sender.id, firms[i], firms[j])
            known = await db.scalar(
                select(MeetingRequest.id).where(
                    MeetingRequest.fair_id == fair.id,
                    (MeetingRequest.open_pair == key)
                    | (
                        (MeetingRequest.sender_firm_id == firms[i])
                        & (MeetingRequest.recipient_firm_id == firms[j])
                    )
                    | (
                        (MeetingRequest.sender_firm_id == firms[j])
                        & (MeetingRequest.recipient_firm_id == firms[i])
                    ),
                )
            )
            if known:
                continue
            request = (
                await operations.send_request(
                    db, fair, sender, firms[j], "Could we meet in Valletta?", now=now
                )
            ).request
            await operations.accept_request(db, fair, people[j], request.id, now=now)
    email, cap = MALTA_CAPPED
    capped = await _participant(db, fair, email)
    if capped is not None and capped.max_meetings is None:
        capped.max_meetings = cap
    await db.flush()


# The video meeting a newcomer can try at once (two browser profiles, README "Video rooms").
DEMO_ROOM_PEOPLE = ("buyer@fiera.demo", "exhibitor@fiera.demo")
DEMO_ROOM_LABEL = "Try a video room"


def demo_room_session(now: datetime, zone: ZoneInfo) -> tuple[date, time, time]:
    """A one-slot session (20 minutes, local time, ending today) whose room is open at `now`."""
    local = now.astimezone(zone)
    start = local.replace(minute=local.minute - local.minute % 5, second=0, microsecond=0)
    latest = local.replace(hour=23, minute=39, second=0, microsecond=0)  # ends by 23:59
    start = min(start, latest)
    return start.date(), start.time(), (start + timedelta(minutes=20)).time()


async def demo_video_meeting(db: AsyncSession, fair: Fair, now: datetime) -> Meeting | None:
    """Book the demo buyer and exhibitor a video meeting in a slot running at `now`."""
    known = await db.scalar(
        select(AgendaSession.id).where(
            AgendaSession.fair_id == fair.id, AgendaSession.label == DEMO_ROOM_LABEL
        )
    )
    people = [await _participant(db, fair, email) for email in DEMO_ROOM_PEOPLE]
    if known is not None or None in people:
        return None
    zone = ZoneInfo(fair.time_zone)
    day, starts, ends = demo_room_session(now, zone)
    # today is not a day of the fair, which the organiser's set-up would refuse: the demo
    # cuts this one session itself
    session = AgendaSession(
        fair_id=fair.id, day=day, starts=starts, ends=ends, label=DEMO_ROOM_LABEL
    )
    (start, end), *_ = slots.cut(day, starts, ends, zone, 20, 0)
    slot = Slot(fair_id=fair.id, starts_at=start, ends_at=end)
    session.slots = [slot]
    db.add(session)
    await db.flush()
    video = await booking.first_free_video_room(db, fair, slot)
    return await booking.book(db, fair, None, people, slot, None, video)


async def seed(db: AsyncSession) -> None:
    """Set up both demo fairs' agendas and seed their requests and meetings."""
    fairs = {
        fair.slug: fair
        for fair in await db.scalars(select(Fair).where(Fair.slug.in_(AGENDAS.keys())))
    }
    for slug, spec in AGENDAS.items():
        if slug in fairs:
            await _set_up(db, fairs[slug], spec)
    if BARI in fairs:
        await _requests(db, fairs[BARI], BARI_REQUESTS)
        await demo_video_meeting(db, fairs[BARI], utcnow())
    if MALTA in fairs:
        await _requests(db, fairs[MALTA], MALTA_REQUESTS)
        await _malta_waiting(db, fairs[MALTA])
    await db.commit()
