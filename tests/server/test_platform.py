"""Platform plumbing: SQLite pragmas, the vendored Socket.IO client, settings."""

from pathlib import Path

from sqlalchemy import text

from server.settings import WEB_DIR, Settings

SOCKET_IO_CLIENT = "vendor/socket.io-4.8.1.min.js"


async def test_sqlite_connections_enforce_foreign_keys_and_use_wal(connection, backend):
    if backend != "sqlite":
        return
    assert (await connection.execute(text("PRAGMA foreign_keys"))).scalar() == 1
    assert (await connection.execute(text("PRAGMA journal_mode"))).scalar() == "wal"
    assert (await connection.execute(text("PRAGMA busy_timeout"))).scalar() == 10000


async def test_the_socket_io_client_is_served_by_us(client):
    response = await client.get(f"/static/{SOCKET_IO_CLIENT}")
    assert response.status_code == 200
    # python-socketio 5.x speaks the protocol of the JavaScript client 4.x
    assert response.text.startswith("/*!\n * Socket.IO v4.")
    assert "cdn" not in (WEB_DIR / "templates" / "fairs" / "fair.html").read_text()


def test_settings_default_to_sqlite_under_var_and_keep_the_secret(tmp_path: Path):
    env = {"FIERA_VAR_DIR": str(tmp_path / "var")}
    first = Settings.from_env(env)
    assert first.database_url == f"sqlite+aiosqlite:///{tmp_path / 'var' / 'fiera.sqlite3'}"
    assert len(first.secret_key) > 40
    assert Settings.from_env(env).secret_key == first.secret_key
    given = Settings.from_env(
        {
            **env,
            "FIERA_SECRET_KEY": "from-the-environment",
            "FIERA_BASE_URL": "https://fiera.example/",
        }
    )
    assert given.secret_key == "from-the-environment"
    assert given.base_url == "https://fiera.example" and given.https
