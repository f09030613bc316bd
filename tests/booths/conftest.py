"""Booth tests run in the demo fairs, seeded once per backend; each test's changes roll back."""

import pytest

from tests.support import databases
from tests.support.demo import DemoWorld
from tests.support.settings import make_settings


@pytest.fixture
async def connection(demo_engine):
    """A connection to the seeded demo inside an outer transaction rolled back after the test."""
    async with databases.rolled_back(demo_engine) as connection:
        yield connection


@pytest.fixture
def settings(seeded_demo, var_dir):
    return make_settings(seeded_demo.url, var_dir)


@pytest.fixture
def demo(seeded_demo) -> DemoWorld:
    """The demo world the test runs in (already seeded: asking for it documents the need)."""
    return seeded_demo.world
