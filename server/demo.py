"""The demo: "Fiera Mediterranea B2B" in Bari and the next mission in Malta (idempotent seed)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.fairs.models import Attendance, BookingMode, Fair, Hall, Participant, Role, Sector
from server.identity.models import Firm, User
from server.identity.passwords import Passwords

DEMO_PASSWORD = "fiera-demo"  # noqa: S105  (the documented demo login)
DEMO_LOGINS = {
    "organiser": "organiser@fiera.demo",
    "exhibitor": "exhibitor@fiera.demo",
    "buyer": "buyer@fiera.demo",
}

HALLS = [  # slug, name, region, country
    ("basilicata", "Basilicata", "Basilicata", "IT"),
    ("paca", "Provence-Alpes-Côte d'Azur", "Provence-Alpes-Côte d'Azur", "FR"),
    ("attica", "Attica", "Attica", "GR"),
    ("malta", "Malta", "Malta", "MT"),
]
SECTORS = [("ict", "ICT"), ("design", "Design"), ("culture-media", "Culture & Media")]


@dataclass(frozen=True)
class DemoFirm:
    slug: str
    name: str
    country: str
    region: str
    city: str
    sector: str  # the booth's sector, used when booths are seeded
    size: str
    staff: str  # the staff member's name
    online: bool = False
    description: str = ""


# 17 Italian, 5 French, 4 Greek and 1 Maltese firm, as at SMAU in the seed press release.
FIRMS = [
    DemoFirm(
        "sassi-digital-lab",
        "Sassi Digital Lab",
        "IT",
        "Basilicata",
        "Matera",
        "ict",
        "small",
        "Anna Colucci",
        description="Web platforms and open data portals for public bodies.",
    ),
    DemoFirm(
        "murgia-software",
        "Murgia Software",
        "IT",
        "Basilicata",
        "Matera",
        "ict",
        "micro",
        "Vito Lorusso",
        description="Booking and ticketing software for cultural venues.",
    ),
    DemoFirm(
        "lucania-cloud",
        "Lucania Cloud Services",
        "IT",
        "Basilicata",
        "Potenza",
        "ict",
        "small",
        "Rocco Summa",
        description="Managed hosting and backups for small firms.",
    ),
    DemoFirm(
        "vulture-data",
        "Vulture Data",
        "IT",
        "Basilicata",
        "Melfi",
        "ict",
        "small",
        "Carmela Di Lorenzo",
        description="Data analytics for manufacturing suppliers.",
    ),
    DemoFirm(
        "metapontum-robotics",
        "Metapontum Robotics",
        "IT",
        "Basilicata",
        "Policoro",
        "ict",
        "micro",
        "Nicola Ferrara",
        description="Robots and sensors for greenhouse farming.",
    ),
    DemoFirm(
        "pollino-interactive",
        "Pollino Interactive",
        "IT",
        "Basilicata",
        "Lauria",
        "culture-media",
        "micro",
        "Teresa Cantisani",
        description="Interactive guides and apps for nature parks.",
    ),
    DemoFirm(
        "basento-design",
        "Basento Design Studio",
        "IT",
        "Basilicata",
        "Potenza",
        "design",
        "micro",
        "Giuseppe Pace",
        description="Product and furniture design in local wood.",
    ),
    DemoFirm(
        "agrisensing",
        "AgriSensing Basilicata",
        "IT",
        "Basilicata",
        "Pisticci",
        "ict",
        "small",
        "Maria Grieco",
        description="IoT field sensors and irrigation dashboards.",
    ),
    DemoFirm(
        "gravina-media",
        "Gravina Media",
        "IT",
        "Basilicata",
        "Matera",
        "culture-media",
        "small",
        "Domenico Santarcangelo",
        description="Documentaries and branded video.",
    ),
    DemoFirm(
        "tufo-design",
        "Tufo Architetture & Design",
        "IT",
        "Basilicata",
        "Matera",
        "design",
        "micro",
        "Lucia Montemurro",
        description="Interior design for cave hotels.",
    ),
    DemoFirm(
        "appennino-games",
        "Appennino Games",
        "IT",
        "Basilicata",
        "Potenza",
        "culture-media",
        "micro",
        "Francesco Bochicchio",
        description="Serious games for museums and schools.",
    ),
    DemoFirm(
        "siris-cyber",
        "Siris Cybersecurity",
        "IT",
        "Basilicata",
        "Policoro",
        "ict",
        "small",
        "Angela Lapenta",
        description="Security audits and training for SMEs.",
    ),
    DemoFirm(
        "calanchi-visual",
        "Calanchi Visual",
        "IT",
        "Basilicata",
        "Aliano",
        "culture-media",
        "micro",
        "Pietro Viggiani",
        description="Drone photography and landscape mapping.",
    ),
    DemoFirm(
        "maratea-web",
        "Maratea Web Agency",
        "IT",
        "Basilicata",
        "Maratea",
        "ict",
        "micro",
        "Elena Schettini",
        description="E-commerce for food and wine producers.",
    ),
    DemoFirm(
        "bradano-textiles",
        "Bradano Textile Design",
        "IT",
        "Basilicata",
        "Irsina",
        "design",
        "micro",
        "Rosa Labriola",
        description="Contemporary textiles from traditional looms.",
    ),
    DemoFirm(
        "lagonegro-geo",
        "Lagonegro Geo Systems",
        "IT",
        "Basilicata",
        "Lagonegro",
        "ict",
        "small",
        "Antonio Cirigliano",
        description="GIS for landslide and water monitoring.",
    ),
    DemoFirm(
        "matera-heritage-xr",
        "Matera Heritage XR",
        "IT",
        "Basilicata",
        "Matera",
        "culture-media",
        "small",
        "Sara D'Ercole",
        description="Virtual and augmented reality for heritage sites.",
    ),
    DemoFirm(
        "calanques-numerique",
        "Calanques Numérique",
        "FR",
        "Provence-Alpes-Côte d'Azur",
        "Marseille",
        "ict",
        "small",
        "Camille Roux",
        description="Mobile apps for ports and maritime services.",
    ),
    DemoFirm(
        "azur-design",
        "Azur Design Collectif",
        "FR",
        "Provence-Alpes-Côte d'Azur",
        "Nice",
        "design",
        "micro",
        "Julien Martin",
        online=True,
        description="Brand identity and packaging for Mediterranean food.",
    ),
    DemoFirm(
        "sophia-edge",
        "Sophia Edge Computing",
        "FR",
        "Provence-Alpes-Côte d'Azur",
        "Valbonne",
        "ict",
        "medium",
        "Claire Dubois",
        description="Edge computing for smart buildings.",
    ),
    DemoFirm(
        "luberon-media",
        "Luberon Média",
        "FR",
        "Provence-Alpes-Côte d'Azur",
        "Avignon",
        "culture-media",
        "micro",
        "Thomas Garnier",
        online=True,
        description="Festival streaming and podcast production.",
    ),
    DemoFirm(
        "phocee-interactive",
        "Phocée Interactive",
        "FR",
        "Provence-Alpes-Côte d'Azur",
        "Marseille",
        "ict",
        "small",
        "Léa Fabre",
        description="Chatbots and customer service automation.",
    ),
    DemoFirm(
        "akropolis-data",
        "Akropolis Data",
        "GR",
        "Attica",
        "Athens",
        "ict",
        "small",
        "Nikos Georgiou",
        description="Business intelligence for tourism operators.",
    ),
    DemoFirm(
        "piraeus-smart-ports",
        "Piraeus Smart Ports",
        "GR",
        "Attica",
        "Piraeus",
        "ict",
        "medium",
        "Maria Konstantinou",
        online=True,
        description="Port logistics and container tracking.",
    ),
    DemoFirm(
        "psifiaki-athina",
        "Ψηφιακή Αθήνα Media",
        "GR",
        "Attica",
        "Αθήνα",
        "culture-media",
        "micro",
        "Ελένη Παππά",
        online=True,
        description="Digital storytelling and museum exhibitions.",
    ),
    DemoFirm(
        "kifisia-design",
        "Kifisia Design Works",
        "GR",
        "Attica",
        "Kifisia",
        "design",
        "micro",
        "Dimitris Alexiou",
        description="Furniture and lighting for hospitality.",
    ),
    DemoFirm(
        "valletta-blue-code",
        "Valletta Blue Code",
        "MT",
        "Malta",
        "Valletta",
        "ict",
        "small",
        "Joseph Camilleri",
        description="Fintech and iGaming compliance software.",
    ),
]

BUYERS = [  # email, name, firm, country, city, online
    ("buyer@fiera.demo", "Giulia Ferri", "Levante Retail Group", "IT", "Bari", False),
    (
        "marc.olivier@buyers.fiera.demo",
        "Marc Olivier",
        "Méditerranée Invest",
        "FR",
        "Marseille",
        True,
    ),
    (
        "eleni.vlachou@buyers.fiera.demo",
        "Eleni Vlachou",
        "Aegean Hotels Group",
        "GR",
        "Athens",
        True,
    ),
    (
        "luca.bianchi@buyers.fiera.demo",
        "Luca Bianchi",
        "Puglia Innovation Hub",
        "IT",
        "Bari",
        False,
    ),
    ("karen.zammit@buyers.fiera.demo", "Karen Zammit", "Mdina Logistics", "MT", "Mdina", True),
]


def _at(zone: str, year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=ZoneInfo(zone))


FAIRS = [
    dict(
        slug="fiera-mediterranea-b2b",
        name="Fiera Mediterranea B2B",
        venue="Fiera del Levante",
        city="Bari",
        time_zone="Europe/Rome",
        starts_at=_at("Europe/Rome", 2027, 3, 17, 9, 30),
        ends_at=_at("Europe/Rome", 2027, 3, 18, 18),
        booking_mode=BookingMode.ON_ACCEPTANCE,
        published=True,
        hybrid=True,
        description=(
            "Two days of B2B meetings between ICT, design and culture & media firms of "
            "Basilicata, Provence-Alpes-Côte d'Azur, Attica and Malta, at tables in the hall "
            "or by video."
        ),
    ),
    dict(
        slug="malta-mission-2027",
        name="Malta Cluster Mission",
        venue="Mediterranean Conference Centre",
        city="Valletta",
        time_zone="Europe/Malta",
        starts_at=_at("Europe/Malta", 2027, 5, 12, 9),
        ends_at=_at("Europe/Malta", 2027, 5, 12, 17),
        booking_mode=BookingMode.ORGANISER,
        published=True,
        hybrid=True,
        description=(
            "The next mission of the cluster project: one day in Valletta, meetings scheduled "
            "by the organisers from the requests accepted beforehand."
        ),
    ),
]


async def _get_or_add(db: AsyncSession, model, where: dict, values: dict):
    row = await db.scalar(select(model).filter_by(**where))
    if row is None:
        row = model(**where, **values)
        db.add(row)
        await db.flush()
    return row


async def seed(db: AsyncSession, passwords: Passwords) -> None:
    """Create the demo fairs, firms and people; running it again adds nothing twice."""
    password_hash = passwords.hash_sync(DEMO_PASSWORD)  # one hash: every demo user shares it
    fairs = []
    for fair_spec in FAIRS:
        fair = await _get_or_add(
            db,
            Fair,
            {"slug": fair_spec["slug"]},
            {k: v for k, v in fair_spec.items() if k != "slug"},
        )
        for position, (slug, name, region, country) in enumerate(HALLS):
            await _get_or_add(
                db,
                Hall,
                {"fair_id": fair.id, "slug": slug},
                {"name": name, "region": region, "country": country, "position": position},
            )
        for position, (slug, name) in enumerate(SECTORS):
            await _get_or_add(
                db, Sector, {"fair_id": fair.id, "slug": slug}, {"name": name, "position": position}
            )
        fairs.append(fair)
    bari, malta = fairs

    async def person(email: str, name: str, firm: Firm | None, language: str, zone: str) -> User:
        return await _get_or_add(
            db,
            User,
            {"email": email},
            {
                "name": name,
                "password_hash": password_hash,
                "language": language,
                "time_zone": zone,
                "firm_id": firm.id if firm else None,
            },
        )

    async def take_part(fair: Fair, user: User, role: Role, online: bool) -> None:
        await _get_or_add(
            db,
            Participant,
            {"fair_id": fair.id, "user_id": user.id},
            {
                "role": role,
                "attendance": Attendance.ONLINE if online else Attendance.ONSITE,
            },
        )

    organisers = await _get_or_add(
        db,
        Firm,
        {"name": "Sviluppo Basilicata (demo)"},
        {"country": "IT", "region": "Basilicata", "city": "Potenza"},
    )
    organiser = await person(
        DEMO_LOGINS["organiser"], "Paola Organiser", organisers, "en", "Europe/Rome"
    )
    for fair in fairs:
        await take_part(fair, organiser, Role.ORGANISER, online=False)

    languages = {
        "IT": ("it", "Europe/Rome"),
        "FR": ("en", "Europe/Paris"),
        "GR": ("en", "Europe/Athens"),
        "MT": ("en", "Europe/Malta"),
    }
    for index, spec in enumerate(FIRMS):
        firm = await _get_or_add(
            db,
            Firm,
            {"name": spec.name},
            {
                "country": spec.country,
                "region": spec.region,
                "city": spec.city,
                "size": spec.size,
                "website": f"https://{spec.slug}.example",
                "description": spec.description,
            },
        )
        email = DEMO_LOGINS["exhibitor"] if index == 0 else f"{spec.slug}@exhibitors.fiera.demo"
        language, zone = languages[spec.country]
        if email == DEMO_LOGINS["exhibitor"]:
            language = "en"  # the three documented logins show the English pages first
        user = await person(email, spec.staff, firm, language, zone)
        await take_part(bari, user, Role.EXHIBITOR, spec.online)
        if index % 3 == 0 or spec.country == "MT":
            await take_part(malta, user, Role.EXHIBITOR, spec.online)

    for email, name, firm_name, country, city, online in BUYERS:
        region = {
            "IT": "Puglia",
            "FR": "Provence-Alpes-Côte d'Azur",
            "GR": "Attica",
            "MT": "Malta",
        }[country]
        firm = await _get_or_add(
            db, Firm, {"name": firm_name}, {"country": country, "region": region, "city": city}
        )
        language, zone = languages[country]
        if email == DEMO_LOGINS["buyer"]:
            language = "en"
        user = await person(email, name, firm, language, zone)
        await take_part(bari, user, Role.BUYER, online)
        if country in ("MT", "GR"):
            await take_part(malta, user, Role.BUYER, online)
    await db.commit()
