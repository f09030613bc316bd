"""The network settings of the media server, read from the environment."""

import pytest

from server.settings import SettingError, Settings


def test_no_public_stun_server_and_any_port_by_default(tmp_path):
    settings = Settings.from_env({"FIERA_VAR_DIR": str(tmp_path), "FIERA_SECRET_KEY": "k"})
    assert (settings.media_addresses, settings.media_ports, settings.ice_servers) == ((), None, ())


def test_addresses_ports_and_ice_servers_from_the_environment(tmp_path):
    settings = Settings.from_env(
        {
            "FIERA_VAR_DIR": str(tmp_path),
            "FIERA_SECRET_KEY": "k",
            "FIERA_MEDIA_ADDRESSES": "203.0.113.7, 2001:db8::7",
            "FIERA_MEDIA_PORTS": "40000-40999",
            "FIERA_ICE_SERVERS": '[{"urls": "turn:turn.example.org:3478", "username": "f", '
            '"credential": "s"}]',
        }
    )
    assert settings.media_addresses == ("203.0.113.7", "2001:db8::7")
    assert settings.media_ports == (40000, 40999)
    assert settings.ice_servers == (
        {"urls": ["turn:turn.example.org:3478"], "username": "f", "credential": "s"},
    )


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("FIERA_MEDIA_PORTS", "40000", "must look like 40000-40999"),
        ("FIERA_MEDIA_PORTS", "41000-40000", "within 1024-65535"),
        ("FIERA_ICE_SERVERS", "{", "is not JSON"),
        ("FIERA_ICE_SERVERS", '{"urls": "stun:x"}', "must be a JSON list"),
        ("FIERA_ICE_SERVERS", '[{"urls": "http://x"}]', "stun:, turn: or turns:"),
        ("FIERA_ICE_SERVERS", '[{"urls": "stun:x", "password": "p"}]', '"urls", "username"'),
    ],
)
def test_a_bad_network_setting_names_itself(tmp_path, name, value, message):
    env = {"FIERA_VAR_DIR": str(tmp_path), "FIERA_SECRET_KEY": "k", name: value}
    with pytest.raises(SettingError, match=message):
        Settings.from_env(env)
