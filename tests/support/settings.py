"""Settings for tests: the product's settings with cheap password hashing."""

from __future__ import annotations

import os
from pathlib import Path

from server.settings import Settings

# In CI a missing service or browser fails the run instead of skipping its tests.
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def make_settings(database_url: str, var_dir: Path, **overrides) -> Settings:
    """Settings for tests: cheap argon2 (the product keeps the library's costs)."""
    values = dict(
        database_url=database_url,
        secret_key="test-secret-key-not-for-production",
        var_dir=var_dir,
        argon2_time_cost=1,
        argon2_memory_cost=8,
        argon2_parallelism=1,
    )
    values.update(overrides)
    return Settings(**values)
