"""The media server's network settings, read from the environment."""

from __future__ import annotations

import pytest

from rooms.media import IceServer, MediaSettings


def test_settings_from_the_environment():
    settings = MediaSettings.from_environ(
        {
            "FIERA_MEDIA_ADDRESSES": "203.0.113.7, 2001:db8::7",
            "FIERA_MEDIA_PORTS": "40000-40999",
            "FIERA_ICE_SERVERS": '[{"urls": "turn:turn.example.org:3478", "username": "u",'
            ' "credential": "c"}]',
        }
    )
    assert settings.addresses == ("203.0.113.7", "2001:db8::7")
    assert settings.ports == (40000, 40999)
    assert settings.ice_servers == (IceServer(("turn:turn.example.org:3478",), "u", "c"),)
    assert settings.ice_servers[0].as_browser() == {
        "urls": ["turn:turn.example.org:3478"],
        "username": "u",
        "credential": "c",
    }


def test_defaults_use_no_stun_server_and_any_port():
    settings = MediaSettings.from_environ({})
    assert settings.addresses == ()
    assert settings.ports is None
    assert settings.ice_servers == ()
    assert settings.server_ice_servers == ()


@pytest.mark.parametrize(
    ("name", "value", "complaint"),
    [
        ("FIERA_MEDIA_PORTS", "40000", "40000-40999"),
        ("FIERA_MEDIA_PORTS", "80-90", "within 1024-65535"),
        ("FIERA_MEDIA_PORTS", "5000-4000", "within 1024-65535"),
        ("FIERA_ICE_SERVERS", "not json", "not JSON"),
        ("FIERA_ICE_SERVERS", '{"urls": "stun:x"}', "JSON list"),
        ("FIERA_ICE_SERVERS", '[{"urls": "http://x"}]', "bad urls"),
        ("FIERA_ICE_SERVERS", '[{"username": "u"}]', "needs"),
    ],
)
def test_bad_settings_are_named(name, value, complaint):
    with pytest.raises(ValueError, match=complaint):
        MediaSettings.from_environ({name: value})
