"""Booth tests run in the demo fairs, seeded once per backend; each test's changes roll back."""

import pytest

from tests.support.demo import DemoWorld


@pytest.fixture
def connection(demo_connection):
    return demo_connection


@pytest.fixture
def settings(demo_settings):
    return demo_settings


@pytest.fixture
def demo(seeded_demo) -> DemoWorld:
    """The demo world the test runs in (already seeded: asking for it documents the need)."""
    return seeded_demo.world
