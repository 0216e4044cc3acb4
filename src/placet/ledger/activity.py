"""What the ledger's events add up to over time: the share of customers holding each
consent option at given instants, and the consents given and withdrawn month by month.

The states are folded by `fold_states`, with the projection's own rules, so a rate here
is what the decision engine would have read at that instant. A *customer* is a subject
with a contract in force. Pure: polars over an `EVENT_SCHEMA` frame, no I/O.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Final

import polars as pl

from placet.ledger.columnar import INSTANT, fold_states
from placet.ledger.events import EventType

__all__ = ["ACTIVITY_TYPES", "consent_changes_per_month", "consent_rates"]

ACTIVITY_TYPES: Final = (
    EventType.CONTRACT_STARTED,
    EventType.CONTRACT_ENDED,
    EventType.CONSENT_GIVEN,
    EventType.CONSENT_WITHDRAWN,
)
"""The event types the figures read: contracts say who is a customer, consents the rest."""


def consent_rates(
    events: pl.LazyFrame, instants: Sequence[datetime], options: Sequence[str]
) -> pl.DataFrame:
    """For each instant and option: the customers at that instant (`customers`), those of
    them holding a live consent of the option (`holders`), and their share (`rate`, null
    when there is no customer). One row per instant and option, in the order given.

    consent_rates(pl.scan_parquet("events.parquet"), [datetime(2026, 1, 1, tzinfo=UTC)],
                  ["marketing-offers"])
    """
    wanted = pl.DataFrame({"option": list(options)}, schema={"option": pl.String})
    frames = []
    for order, at in enumerate(instants):
        customers = fold_states(events, at).filter(pl.col("active_contracts") > 0)
        count = customers.select(pl.len().cast(pl.Int64).alias("customers"))
        held = (
            customers.select(
                pl.col("consents")
                .list.eval(pl.element().struct.field("option"))
                .list.unique()
                .alias("option")
            )
            .explode("option")
            .drop_nulls()
            .group_by("option")
            .agg(pl.len().cast(pl.Int64).alias("holders"))
        )
        frames.append(
            wanted.lazy()
            .with_row_index("position")
            .join(held, on="option", how="left")
            .join(count, how="cross")
            .with_columns(
                pl.lit(at, dtype=INSTANT).alias("at"),
                pl.lit(order).alias("order"),
                pl.col("holders").fill_null(0),
            )
        )
    if not frames:
        return _empty_rates()
    rates = pl.concat(pl.collect_all(frames)).sort("order", "position")
    return rates.select(
        "at",
        "option",
        "holders",
        "customers",
        pl.when(pl.col("customers") > 0)
        .then(pl.col("holders") / pl.col("customers"))
        .alias("rate"),
    )


def consent_changes_per_month(events: pl.LazyFrame, start: datetime, end: datetime) -> pl.DataFrame:
    """The consents given and withdrawn that took effect in each month from `start` up to
    `end`, per option: columns `month` (its first instant), `option`, `given`,
    `withdrawn`. A month or option with neither has no row."""
    kinds = (EventType.CONSENT_GIVEN.value, EventType.CONSENT_WITHDRAWN.value)
    return (
        events.filter(
            pl.col("type").cast(pl.String).is_in(kinds),
            pl.col("effective_at") >= start,
            pl.col("effective_at") < end,
        )
        .group_by(pl.col("effective_at").dt.truncate("1mo").alias("month"), "option")
        .agg(
            (pl.col("type") == EventType.CONSENT_GIVEN.value).sum().cast(pl.Int64).alias("given"),
            (pl.col("type") == EventType.CONSENT_WITHDRAWN.value)
            .sum()
            .cast(pl.Int64)
            .alias("withdrawn"),
        )
        .sort("month", "option")
        .collect()
    )


def _empty_rates() -> pl.DataFrame:
    return pl.DataFrame(
        schema={
            "at": INSTANT,
            "option": pl.String,
            "holders": pl.Int64,
            "customers": pl.Int64,
            "rate": pl.Float64,
        }
    )
