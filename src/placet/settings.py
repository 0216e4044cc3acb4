"""How Placet runs (not what it allows: that is the policy), read once at the edges.

Environment variables use the `PLACET_` prefix and `__` for nesting.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["PlacetSettings", "get_settings"]


class PlacetSettings(BaseSettings):
    """Every setting, with the description `docs/configuration.md` is generated from."""

    model_config = SettingsConfigDict(env_prefix="PLACET_", env_nested_delimiter="__")

    demo_dir: Path = Field(
        Path("placet-demo"), description="Folder `placet demo` writes its documents to."
    )
    database_url: str = Field(
        "sqlite:///placet.db",
        description="The ledger's database: a SQLite file (`sqlite:///placet.db`, relative to "
        "the working folder; `sqlite:////var/lib/placet/placet.db` for an absolute path) or "
        "PostgreSQL (`postgresql://user:password@host:5432/placet`).",
    )
    pseudonym_key: SecretStr | None = Field(
        None,
        description="Secret key, in hex (at least 32 digits), that turns subscriber identifiers "
        "into the ledger's pseudonyms (HMAC-SHA-256). Generate one with "
        "`python -c 'import secrets; print(secrets.token_hex(32))'`, keep it in a secret "
        "store and out of the ledger database, and never change it: pseudonyms made with "
        "another key name no one. Needed to record events, not to verify the ledger.",
    )


@lru_cache(maxsize=1)
def get_settings() -> PlacetSettings:
    """The settings, read from the environment once."""
    return PlacetSettings()
