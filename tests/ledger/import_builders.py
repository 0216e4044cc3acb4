"""Builders of consent-import rows and files for the tests: one good row, changed where asked."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import polars as pl

from placet.ledger.importing import IMPORT_COLUMNS
from placet.policy import PolicySet, load_policy_set
from placet.policy.model import ConsentOption

IMPORTED_AT = datetime(2025, 1, 1, tzinfo=UTC)
"""The instant of the tests' imports: every row takes effect before it."""

GOOD_ROW: dict[str, str | None] = {
    "subject": "+38344000001",
    "event": "consent-given",
    "option_or_purpose": "current-offers",
    "channels": "sms;email",
    "effective_at": "2024-05-01T12:00:00Z",
    "collected_via": "shop",
    "given_by": None,
    "actor": "shop-prishtina-07",
    "evidence": "form-2024-05-0117",
    "idempotency_key": None,
}
"""An IPKO subscriber agreeing in a shop to current offers by SMS and e-mail."""


def ipko() -> PolicySet:
    return load_policy_set("ipko")


def import_row(**changes: str | None) -> dict[str, str | None]:
    """The good row with some columns changed (None: the cell is left empty)."""
    unknown = set(changes) - set(GOOD_ROW)
    assert not unknown, f"not a column of the import: {unknown}"
    return {**GOOD_ROW, **changes}


def import_rows(*rows: dict[str, Any], drop: tuple[str, ...] = ()) -> pl.DataFrame:
    """Rows as a CSV reader gives them: every column text, in the documented order."""
    columns = [str(column) for column in IMPORT_COLUMNS if column not in drop]
    return pl.DataFrame(
        {column: [row[column] for row in rows] for column in columns},
        schema=dict.fromkeys(columns, pl.String),
    )


def write_csv(folder: Path, *rows: dict[str, Any], name: str = "consents.csv") -> Path:
    path = folder / name
    import_rows(*rows).write_csv(path)
    return path


def write_parquet(folder: Path, *rows: dict[str, Any], name: str = "consents.parquet") -> Path:
    """The rows as a Parquet export types them: instants as UTC timestamps, channels a list."""
    path = folder / name
    import_rows(*rows).with_columns(
        pl.col("effective_at").str.to_datetime("%+", time_zone="UTC"),
        pl.col("channels").str.split(";"),
    ).write_parquet(path)
    return path


def subscriber_history() -> list[dict[str, str | None]]:
    """Three subscribers' history: consents, a withdrawal, an objection to direct marketing."""
    return [
        import_row(),
        import_row(subject="+38344000002", option_or_purpose="offers-just-for-me", channels=None),
        import_row(
            subject="+38344000002",
            event="consent-withdrawn",
            option_or_purpose="offers-just-for-me",
            channels=None,
            effective_at="2024-06-01T09:30:00+02:00",
            collected_via="call-centre",
            evidence=None,
        ),
        import_row(
            subject="+38344000003",
            event="objection-made",
            option_or_purpose="all-direct-marketing",
            channels=None,
            idempotency_key="crm-objection-17",
        ),
    ]


def ipko_with_a_second_version() -> PolicySet:
    """IPKO 1.0 and a version 2.0 from 2024-03-01 that adds the consent option 'newsletter'."""
    first = ipko().latest
    newsletter = ConsentOption(
        id="newsletter",
        name={"en": "Newsletter", "sq": "Buletini"},
        description={"en": "The monthly newsletter.", "sq": "Buletini mujor."},
        purposes=first.consent_options[0].purposes,
        channels=[],
    )
    second = first.model_copy(
        update={
            "version": "2.0",
            "effective_from": date(2024, 3, 1),
            "consent_options": [*first.consent_options, newsletter],
        }
    )
    return PolicySet(directory=Path("ipko"), versions=(first, second), name="ipko")
