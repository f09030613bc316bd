"""Settings read from the environment, with defaults that suit the embedded demo."""

from __future__ import annotations

import json
import os
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from server.db import utcnow

PACKAGE_DIR = Path(__file__).resolve().parent
# The checkout this package runs from; an installed wheel has none (PACKAGE_DIR is then inside
# site-packages).
PROJECT_ROOT = PACKAGE_DIR.parent


def _shipped_folder(name: str) -> Path:
    """web/ or alembic/: inside the package when installed from a wheel, else beside it."""
    # pyproject.toml maps the top-level folders into the wheel as server/web and server/alembic;
    # a source tree and an editable install keep them at the top of the checkout.
    inside = PACKAGE_DIR / name
    return inside if inside.is_dir() else PROJECT_ROOT / name


WEB_DIR = _shipped_folder("web")
ALEMBIC_DIR = _shipped_folder("alembic")


def _load_or_create_secret(var_dir: Path) -> str:
    """Return the secret kept under var/, creating it (mode 0600) on first use."""
    path = var_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    var_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(key)
    return key


@dataclass(frozen=True)
class Settings:
    database_url: str
    secret_key: str
    # Connections the server keeps to the database, and how many more it opens at peaks.
    database_pool_size: int = 10
    database_max_overflow: int = 20
    redis_url: str | None = None
    base_url: str | None = None
    var_dir: Path = field(default_factory=lambda: Path("var"))
    # argon2id costs: the library's defaults (RFC 9106 low-memory profile); tests lower them.
    argon2_time_cost: int = 3
    argon2_memory_cost: int = 65536
    argon2_parallelism: int = 4
    # Password checks running at once: each takes memory_cost KiB and, with its lanes, every
    # core for a moment; half the cores leaves the event loop room to answer everyone else.
    password_checks_at_once: int = field(default_factory=lambda: max(1, (os.cpu_count() or 2) // 2))
    session_idle_seconds: int = 8 * 3600
    session_absolute_seconds: int = 14 * 24 * 3600
    login_max_failures_per_email: int = 5
    login_max_failures_per_ip: int = 30
    login_failure_window_seconds: int = 15 * 60
    max_upload_bytes: int = 10_000_000
    # Decoding costs 4 bytes a pixel whatever the file's size (a 140 KB PNG of 6000 x 6000 took
    # 214 MB): 4096 x 4096 holds a phone's 12 MP photo, a 4K screenshot and any logo, at 64 MiB.
    max_image_pixels: int = 4096 * 4096
    upload_dir_setting: Path | None = None
    debug: bool = False
    # Live features: how long someone stays online after their last connection closed, how long
    # a hidden tab stays online before it is away, and how many chat messages a person may send
    # per window.
    presence_grace_seconds: float = 10.0
    presence_away_seconds: float = 5.0
    chat_messages_per_window: int = 5
    chat_window_seconds: float = 10.0
    # Talk now at a booth: how long a call rings before it counts as missed, and how many calls
    # a visitor may start per window.
    call_ring_seconds: float = 30.0
    call_rings_per_window: int = 5
    call_window_seconds: float = 60.0
    # Video rooms (docs/video.md): the addresses the media server gathers ICE candidates on and
    # announces (empty: every non-loopback address of the machine), its UDP port range (None:
    # any), and the STUN/TURN servers given to browsers ({"urls", "username", "credential"}).
    # No public STUN server by default: a deployment names its own.
    media_addresses: tuple[str, ...] = ()
    media_ports: tuple[int, int] | None = None
    ice_servers: tuple[dict, ...] = ()
    # A media connection that has not connected by then is dropped.
    media_connect_seconds: float = 20.0
    # E-mail (server/mail): SMTP when a host is set, else the messages go to the log and to the
    # outbox page. A failed send is retried after mail_retry_seconds, doubling each time, at most
    # mail_max_attempts times; a sender that claimed a message and died frees it after the lease.
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = True
    smtp_timeout_seconds: float = 30.0
    mail_from: str = "Fiera <fiera@localhost>"
    mail_max_attempts: int = 8
    mail_retry_seconds: float = 60.0
    mail_lease_seconds: float = 300.0
    mail_batch: int = 50
    # Password reset: how long a link works, and how many may be asked for per address and per
    # client address within the window.
    password_reset_seconds: int = 3600
    reset_max_per_email: int = 3
    reset_max_per_ip: int = 20
    reset_window_seconds: int = 3600
    # The clocks everything that depends on time reads: tests replace them to move time.
    clock: Callable[[], datetime] = field(default=utcnow, compare=False, repr=False)
    monotonic: Callable[[], float] = field(default=time.monotonic, compare=False, repr=False)

    @property
    def upload_dir(self) -> Path:
        return self.upload_dir_setting or self.var_dir / "uploads"

    @property
    def https(self) -> bool:
        return bool(self.base_url and self.base_url.startswith("https://"))

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        """Build settings from FIERA_* environment variables."""
        env = os.environ if environ is None else environ
        var_dir = Path(env.get("FIERA_VAR_DIR", "var"))
        database_url = env.get("FIERA_DATABASE_URL") or (
            f"sqlite+aiosqlite:///{(var_dir / 'fiera.sqlite3').as_posix()}"
        )
        if database_url.startswith("sqlite"):
            var_dir.mkdir(parents=True, exist_ok=True)
        secret_key = env.get("FIERA_SECRET_KEY") or _load_or_create_secret(var_dir)
        kwargs: dict = {}
        for name in (
            "argon2_time_cost",
            "argon2_memory_cost",
            "argon2_parallelism",
            "password_checks_at_once",
            "database_pool_size",
            "database_max_overflow",
            "password_reset_seconds",
        ):
            value = env.get(f"FIERA_{name.upper()}")
            if value:
                kwargs[name] = int(value)
        return cls(
            database_url=database_url,
            secret_key=secret_key,
            redis_url=env.get("FIERA_REDIS_URL") or None,
            base_url=(env.get("FIERA_BASE_URL") or "").rstrip("/") or None,
            var_dir=var_dir,
            upload_dir_setting=Path(env["FIERA_UPLOAD_DIR"])
            if env.get("FIERA_UPLOAD_DIR")
            else None,
            max_upload_bytes=int(env.get("FIERA_MAX_UPLOAD_BYTES") or 10_000_000),
            max_image_pixels=int(env.get("FIERA_MAX_IMAGE_PIXELS") or 4096 * 4096),
            debug=env.get("FIERA_DEBUG", "") in ("1", "true", "yes"),
            call_ring_seconds=float(env.get("FIERA_CALL_RING_SECONDS") or 30.0),
            media_addresses=tuple(
                a.strip() for a in env.get("FIERA_MEDIA_ADDRESSES", "").split(",") if a.strip()
            ),
            media_ports=parse_ports(env.get("FIERA_MEDIA_PORTS", "")),
            ice_servers=parse_ice_servers(env.get("FIERA_ICE_SERVERS", "")),
            smtp_host=env.get("FIERA_SMTP_HOST") or None,
            smtp_port=int(env.get("FIERA_SMTP_PORT") or 587),
            smtp_username=env.get("FIERA_SMTP_USERNAME") or None,
            smtp_password=env.get("FIERA_SMTP_PASSWORD") or None,
            smtp_starttls=env.get("FIERA_SMTP_STARTTLS", "true").lower() in ("1", "true", "yes"),
            mail_from=env.get("FIERA_MAIL_FROM") or "Fiera <fiera@localhost>",
            **kwargs,
        )


class SettingError(ValueError):
    """A setting from the environment that cannot be used; the message names it."""


def parse_ports(text: str) -> tuple[int, int] | None:
    """FIERA_MEDIA_PORTS: "40000-40999" (a UDP port range), or empty for any port."""
    if not text.strip():
        return None
    low, sep, high = text.strip().partition("-")
    if not (sep and low.isdigit() and high.isdigit()):
        raise SettingError(f"FIERA_MEDIA_PORTS must look like 40000-40999, not {text!r}")
    first, last = int(low), int(high)
    if not 1024 <= first <= last <= 65535:
        raise SettingError(f"FIERA_MEDIA_PORTS must be a range within 1024-65535, not {text!r}")
    return first, last


def parse_ice_servers(text: str) -> tuple[dict, ...]:
    """FIERA_ICE_SERVERS: a JSON list of {"urls", "username", "credential"}, or empty for none."""
    if not text.strip():
        return ()
    try:
        servers = json.loads(text)
    except ValueError as exc:
        raise SettingError(f"FIERA_ICE_SERVERS is not JSON: {exc}") from None
    if not isinstance(servers, list):
        raise SettingError("FIERA_ICE_SERVERS must be a JSON list")
    parsed = []
    for server in servers:
        if not isinstance(server, dict) or set(server) - {"urls", "username", "credential"}:
            raise SettingError('each of FIERA_ICE_SERVERS has "urls", "username", "credential"')
        urls = server.get("urls")
        if isinstance(urls, str):
            urls = [urls]
        if not urls or not all(
            isinstance(u, str) and u.startswith(("stun:", "turn:", "turns:")) for u in urls
        ):
            raise SettingError('FIERA_ICE_SERVERS: "urls" are stun:, turn: or turns: addresses')
        entry: dict = {"urls": urls}
        for key in ("username", "credential"):
            if key in server:
                if not isinstance(server[key], str):
                    raise SettingError(f'FIERA_ICE_SERVERS: "{key}" must be a string')
                entry[key] = server[key]
        parsed.append(entry)
    return tuple(parsed)
