"""The `fiera` command: serve, migrate, seed-demo, demo, create-user."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys

from server.settings import Settings


def _serve(settings: Settings, host: str, port: int) -> None:
    import uvicorn

    from server.app import create_app

    uvicorn.run(
        create_app(settings),
        host=host,
        port=port,
        proxy_headers=True,
        forwarded_allow_ips="127.0.0.1",
        log_level="info",
    )


def _migrate(settings: Settings) -> None:
    from server import migrations

    migrations.upgrade(settings.database_url)
    print("Database is at the newest revision.")


async def _seed_demo(settings: Settings) -> None:
    from server.app import seed_demo
    from server.db import Database
    from server.identity.passwords import Passwords

    database = Database.from_url(settings.database_url)
    try:
        async with database.session() as db:
            await seed_demo(db, Passwords(settings), settings.upload_dir)
    finally:
        await database.dispose()


def _banner(host: str, port: int) -> str:
    from server.demo import DEMO_LOGINS, DEMO_PASSWORD

    shown_host = "localhost" if host in ("127.0.0.1", "0.0.0.0") else host  # noqa: S104
    lines = [
        "",
        '  Fiera is running: the demo fair "Fiera Mediterranea B2B" is seeded.',
        f"  Open  http://{shown_host}:{port}/",
        "",
        f"  Demo logins (password: {DEMO_PASSWORD})",
    ]
    lines += [f"    {role:<10} {email}" for role, email in DEMO_LOGINS.items()]
    lines += [
        "",
        "  Two people at once (presence, chat, video): log in as the buyer and the exhibitor",
        "  in two browser profiles; their video meeting is open now: Join it from the agenda.",
        "",
        "  Stop with Ctrl+C.",
        "",
    ]
    return "\n".join(lines)


async def _create_user(settings: Settings, args: argparse.Namespace, password: str) -> int:
    from sqlalchemy import select

    from server.db import Database
    from server.fairs.models import Fair, Participant, Role
    from server.forms import FormError
    from server.identity import operations, validation
    from server.identity.passwords import Passwords

    email, error = validation.clean_email(args.email)
    name, name_error = validation.clean_name(args.name)
    problems = [
        e
        for e in (
            error,
            name_error,
            validation.check_password(password),
            validation.check_time_zone(args.time_zone),
            validation.check_language(args.language),
        )
        if e
    ]
    if problems:
        for problem in problems:
            print(f"error: {problem}", file=sys.stderr)
        return 2
    database = Database.from_url(settings.database_url)
    password_hash = await Passwords(settings).hash(password)
    try:
        async with database.session() as db:
            fair = None
            if args.organiser_of:
                fair = await db.scalar(select(Fair).where(Fair.slug == args.organiser_of))
                if fair is None:
                    print(f"error: there is no fair '{args.organiser_of}'", file=sys.stderr)
                    return 2
            try:
                user = await operations.sign_up(
                    db,
                    email=email,
                    name=name,
                    password_hash=password_hash,
                    language=args.language,
                    time_zone=args.time_zone,
                )
            except FormError as exc:
                print(f"error: {exc.message}", file=sys.stderr)
                return 2
            if fair is not None:
                db.add(Participant(fair_id=fair.id, user_id=user.id, role=Role.ORGANISER))
            await db.commit()
    finally:
        await database.dispose()
    where = f" as organiser of {args.organiser_of}" if args.organiser_of else ""
    print(f"Created {email}{where}.")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="fiera", description="Fiera, a virtual trade fair and B2B meeting platform."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add_address(sub: argparse.ArgumentParser) -> None:
        sub.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
        sub.add_argument("--port", type=int, default=8000, help="port to listen on (8000)")

    add_address(
        commands.add_parser(
            "serve",
            help="serve the application",
            description="Serve the application (pages and Socket.IO).",
        )
    )
    commands.add_parser(
        "migrate",
        help="upgrade the database to the newest revision",
        description="Run the Alembic migrations up to head.",
    )
    commands.add_parser(
        "seed-demo",
        help="create the demo fairs and logins (idempotent)",
        description="Create the demo fairs, firms and logins; safe to repeat.",
    )
    add_address(
        commands.add_parser(
            "demo",
            help="migrate, seed the demo and serve",
            description="Migrate, seed the demo fair and serve it; prints the address and logins.",
        )
    )
    create = commands.add_parser(
        "create-user",
        help="create an account (e.g. an organiser's first)",
        description="Create an account. The password is asked for, or read from stdin "
        "with --password-stdin.",
    )
    create.add_argument("--email", required=True)
    create.add_argument("--name", required=True)
    create.add_argument("--language", default="en", help="en or it (en)")
    create.add_argument("--time-zone", default="Europe/Rome", help="IANA zone (Europe/Rome)")
    create.add_argument("--organiser-of", metavar="FAIR", help="make them organiser of this fair")
    create.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from the first line of stdin",
    )
    schedule = commands.add_parser(
        "schedule",
        help="the meeting optimiser on its own: fiera schedule solve INSTANCE.json",
        add_help=False,
    )
    schedule.add_argument("arguments", nargs=argparse.REMAINDER)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["schedule"]:  # the optimiser's own command line, flags and all
        from rooms.scheduling.cli import main as schedule_main

        return schedule_main(argv[1:])
    args = build_parser().parse_args(argv)
    settings = Settings.from_env()
    if args.command == "serve":
        _serve(settings, args.host, args.port)
    elif args.command == "migrate":
        _migrate(settings)
    elif args.command == "seed-demo":
        asyncio.run(_seed_demo(settings))
        print("Demo fairs are seeded.")
    elif args.command == "demo":
        _migrate(settings)
        asyncio.run(_seed_demo(settings))
        print(_banner(args.host, args.port), flush=True)
        _serve(settings, args.host, args.port)
    elif args.command == "create-user":
        if args.password_stdin:
            password = sys.stdin.readline().rstrip("\n")
        else:
            password = getpass.getpass("Password: ")
        return asyncio.run(_create_user(settings, args, password))
    return 0


if __name__ == "__main__":
    sys.exit(main())
