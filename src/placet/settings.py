"""How Placet runs (not what it allows: that is the policy), read once at the edges.

Environment variables use the `PLACET_` prefix and `__` for nesting.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["PlacetSettings", "get_settings"]


class PlacetSettings(BaseSettings):
    """Every setting, with the description `docs/configuration.md` is generated from."""

    model_config = SettingsConfigDict(env_prefix="PLACET_", env_nested_delimiter="__")

    demo_dir: Path = Field(
        Path("placet-demo"), description="Folder `placet demo` writes its documents to."
    )


@lru_cache(maxsize=1)
def get_settings() -> PlacetSettings:
    """The settings, read from the environment once."""
    return PlacetSettings()
