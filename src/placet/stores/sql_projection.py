"""The projection's rows: a `SubjectProjection` to and from a row of `ledger_subject_states`.

Scalar facts have columns of their own (for bulk questions over the table); sets of
options, purposes, contracts and debts are JSON lists, consents a JSON list of objects.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import orjson
import polars as pl

from placet.decide.state import ConsentGrant
from placet.ledger import (
    INSTANT_FORMAT,
    SubjectProjection,
    SubjectRef,
    format_instant,
    parse_instant,
)
from placet.policy.model import ConsentOptionId, SubjectTypeId
from placet.policy.terms import Channel
from placet.stores.sql_schema import subject_states

__all__ = [
    "EMPTY_SET",
    "PROJECTION_COLUMNS",
    "projection_from_row",
    "projection_row",
    "projection_rows",
]


EMPTY_SET = "[]"
"""How an empty set of options, purposes, contracts or debts is stored, and only an empty
one: a query can tell "no contract runs" by it without decoding the JSON."""
PROJECTION_COLUMNS = tuple(column.name for column in subject_states.columns)
"""The columns of `ledger_subject_states`, in the order of `projection_row`'s values."""


def projection_row(projection: SubjectProjection, last_seq: int) -> tuple[Any, ...]:
    """The row that stores `projection`, last changed by the event at `last_seq`: the values
    of `PROJECTION_COLUMNS` in order, instants and dates as Python values."""
    return (
        projection.subject,
        projection.subject_type,
        projection.birth_date,
        _json(
            [
                {
                    "option": grant.option,
                    "given_at": format_instant(grant.given_at),
                    "channels": sorted(grant.channels),
                }
                for grant in projection.consents
            ]
        ),
        _json(sorted(projection.withdrawn)),
        _json(sorted(projection.objections)),
        projection.objects_to_direct_marketing,
        projection.restricted,
        _json(sorted(projection.contracts)),
        projection.last_contract_end,
        _json(sorted(projection.debts)),
        projection.debt_settled_at,
        projection.business_opt_out,
        projection.business_opt_out_until,
        projection.effective_through,
        last_seq,
    )


def projection_rows(folded: pl.DataFrame) -> pl.DataFrame:
    """The rows that store projections folded in columns (`fold_projections`, in
    `SNAPSHOT_SCHEMA`): `projection_row` of each, its lists as the same JSON text, its
    instants, dates and flags as polars values, in `PROJECTION_COLUMNS`' order.
    """
    grants = (
        folded.select("subject", "consents", "consent_given_at")
        .explode("consents", "consent_given_at")
        .filter(pl.col("consents").is_not_null())
        .select(
            "subject",
            grant=pl.concat_str(
                pl.lit('{"option":"'),
                pl.col("consents").struct.field("option"),
                pl.lit('","given_at":"'),
                pl.col("consent_given_at").dt.strftime(INSTANT_FORMAT),
                pl.lit('","channels":'),
                _json_list(pl.col("consents").struct.field("channels")),
                pl.lit("}"),
            ),
        )
        .group_by("subject", maintain_order=True)
        .agg(_grants=pl.lit("[") + pl.col("grant").str.join(",") + pl.lit("]"))
    )
    return folded.join(grants, on="subject", how="left", maintain_order="left").select(
        subject_ref=pl.col("subject"),
        subject_type=pl.col("subject_type"),
        birth_date=pl.col("birth_date"),
        consents=pl.col("_grants").fill_null(EMPTY_SET),
        withdrawn=_json_list(pl.col("withdrawn")),
        objections=_json_list(pl.col("objections")),
        objects_to_direct_marketing=pl.col("objects_to_direct_marketing"),
        restricted=pl.col("restricted"),
        contracts=_json_list(pl.col("contracts")),
        last_contract_end=pl.col("last_contract_end"),
        debts=_json_list(pl.col("debts")),
        debt_settled_at=pl.col("debt_settled_at"),
        business_opt_out=pl.col("business_opt_out"),
        business_opt_out_until=pl.col("business_opt_out_until"),
        effective_through=pl.col("effective_through"),
        last_seq=pl.col("last_seq"),
    )


def _json_list(names: pl.Expr) -> pl.Expr:
    """A list of ids or references, sorted, as `_json` writes it: their patterns hold
    nothing JSON escapes, so each is written as it is between quotes."""
    return (
        pl.when(names.list.len() == 0)
        .then(pl.lit(EMPTY_SET))
        .otherwise(pl.lit('["') + names.list.sort().list.join('","') + pl.lit('"]'))
    )


def projection_from_row(row: Any) -> SubjectProjection:
    """The projection a stored row holds (a SQLAlchemy row, or any with the same attributes)."""
    birth_date: date | None = row.birth_date
    return SubjectProjection(
        subject=SubjectRef(row.subject_ref),
        subject_type=SubjectTypeId(row.subject_type) if row.subject_type else None,
        birth_date=birth_date,
        # Sorted by option, as the fold expects (`projection_row` writes them so).
        consents=tuple(
            ConsentGrant(
                ConsentOptionId(grant["option"]),
                parse_instant(grant["given_at"]),
                frozenset(_CHANNELS[channel] for channel in grant["channels"]),
            )
            for grant in sorted(_set(row.consents), key=_option)
        ),
        withdrawn=frozenset(_set(row.withdrawn)),
        objections=frozenset(_set(row.objections)),
        objects_to_direct_marketing=bool(row.objects_to_direct_marketing),
        restricted=bool(row.restricted),
        contracts=frozenset(_set(row.contracts)),
        last_contract_end=row.last_contract_end,
        debts=frozenset(_set(row.debts)),
        debt_settled_at=row.debt_settled_at,
        business_opt_out=bool(row.business_opt_out),
        business_opt_out_until=row.business_opt_out_until,
        effective_through=row.effective_through,
    )


def _set(stored: str) -> list[Any]:
    """A stored JSON list (of ids, or of grants), the empty set without decoding."""
    if stored == EMPTY_SET:
        return []
    decoded: list[Any] = orjson.loads(stored)
    return decoded


def _option(grant: dict[str, Any]) -> str:
    return str(grant["option"])


_CHANNELS = {channel.value: channel for channel in Channel}
"""Channels by name: a dictionary lookup, not the enumeration's slower constructor."""


def _json(value: list[Any]) -> str:
    if not value:
        return EMPTY_SET
    return orjson.dumps(value).decode("utf-8")
