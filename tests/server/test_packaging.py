"""The project stands alone: the wheel alone migrates and serves; its docs cover its tables."""

import os
import re
import shutil
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path

import httpx
import pytest

from server.db import Base
from server.models import *  # noqa: F403  (registers every table on Base.metadata)
from server.settings import PROJECT_ROOT

# What a checkout may hold besides the sources: left out of the copy the wheel is built from.
NOT_SOURCES = shutil.ignore_patterns(
    ".git",
    ".venv",
    "var",
    "build",
    "dist",
    "*.egg-info",
    "__pycache__",
    ".pytest_cache",
    ".ruff_cache",
    "*.mo",
    "messages.pot",
)


def run(*args, cwd: Path, env: dict | None = None, timeout: float = 120):
    """Run a command to completion, failing the test with its output when it fails."""
    result = subprocess.run(
        [str(a) for a in args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert result.returncode == 0, f"{args}\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, Path]:
    """The wheel built from a clean copy of the sources, and that copy."""
    outside = tmp_path_factory.mktemp("packaging")
    # A copy, not the checkout: setuptools keeps a build/ folder in the tree it builds, and what a
    # stale one holds would end up in the wheel.
    sources = outside / "src"
    shutil.copytree(PROJECT_ROOT, sources, ignore=NOT_SOURCES)
    environ = {**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    run(
        sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", outside / "dist", sources,
        cwd=outside, env=environ,
    )  # fmt: skip
    (wheel,) = (outside / "dist").glob("fiera-*.whl")
    return wheel, sources


@pytest.fixture(scope="module")
def installed(built, tmp_path_factory) -> tuple[Path, dict]:
    """A folder the wheel is installed into, and an environment that runs it from elsewhere."""
    wheel, _ = built
    place = tmp_path_factory.mktemp("deployed")
    site = place / "site"
    run(
        sys.executable, "-m", "pip", "install", "--no-deps", "--no-index", "-q",
        "--target", site, wheel,
        cwd=place,
    )  # fmt: skip
    environ = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("FIERA_", "PYTHON"))},
        # Only the installed wheel: not the checkout this test runs from.
        "PYTHONPATH": str(site),
        "FIERA_VAR_DIR": str(place / "var"),
        "FIERA_DATABASE_URL": f"sqlite+aiosqlite:///{(place / 'fiera.sqlite3').as_posix()}",
    }
    return place, environ


def test_the_wheel_holds_every_module_template_and_migration(built):
    wheel, sources = built
    with zipfile.ZipFile(wheel) as archive:
        shipped = set(archive.namelist())
        (dist_info,) = {name.split("/")[0] for name in shipped if ".dist-info/" in name}
        metadata = archive.read(f"{dist_info}/METADATA").decode()
    wanted = {
        path.relative_to(sources).as_posix()
        for package in ("server", "booths", "rooms")
        for path in (sources / package).rglob("*.py")
    }
    # web/ and alembic/ stay at the top of the checkout; the wheel carries them inside server/.
    for folder in ("web", "alembic"):
        wanted |= {
            f"server/{path.relative_to(sources).as_posix()}"
            for path in (sources / folder).rglob("*")
            if path.is_file()
        }
    assert sorted(wanted - shipped) == []
    assert "server/web/templates/fairs/home.html" in shipped
    assert "server/alembic/env.py" in shipped
    assert "License-Expression: AGPL-3.0-or-later" in metadata.splitlines()
    assert f"{dist_info}/licenses/LICENSE" in shipped


def test_the_installed_wheel_migrates_and_serves(installed):
    place, environ = installed
    fiera = place / "site" / "bin" / "fiera"
    migrated = run(fiera, "migrate", cwd=place, env=environ)
    assert "Database is at the newest revision." in migrated.stdout
    with sqlite3.connect(place / "fiera.sqlite3") as database:
        tables = {row[0] for row in database.execute("SELECT name FROM sqlite_master")}
        (revision,) = database.execute("SELECT version_num FROM alembic_version").fetchone()
    assert {"fairs", "booths", "meetings", "schedule_runs"} <= tables
    heads = (place / "site" / "server" / "alembic" / "versions").glob(f"{revision}_*.py")
    assert list(heads), f"revision {revision} is not one of the wheel's migrations"

    server = subprocess.Popen(
        [fiera, "serve", "--host", "127.0.0.1", "--port", "0"],
        cwd=place,
        env=environ,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        port = None
        for line in server.stderr:
            if found := re.search(r"running on http://127\.0\.0\.1:(\d+)", line):
                port = found.group(1)
                break
        assert port, "fiera serve stopped before it listened"
        home = httpx.get(f"http://127.0.0.1:{port}/", headers={"Accept-Language": "it"})
        css = httpx.get(f"http://127.0.0.1:{port}/static/css/fiera.css")
    finally:
        server.terminate()
        server.communicate(timeout=30)
    # The template, its Italian translation and the static files all come from the wheel.
    assert "Incontra le imprese del Mediterraneo" in home.text
    assert "Non ci sono ancora fiere aperte." in home.text
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    # ...and not from a checkout found by accident.
    where = run(
        sys.executable, "-c",
        "import server.settings as s; print(s.WEB_DIR); print(s.ALEMBIC_DIR)",
        cwd=place, env=environ,
    )  # fmt: skip
    assert where.stdout.split() == [str(place / "site" / "server" / f) for f in ("web", "alembic")]


def test_the_data_model_page_names_every_table():
    page = (PROJECT_ROOT / "docs" / "data-model.md").read_text()
    described = set(re.findall(r"^\| `(\w+)` \|", page, flags=re.MULTILINE))
    assert sorted(set(Base.metadata.tables) - described) == [], "describe it in docs/data-model.md"
