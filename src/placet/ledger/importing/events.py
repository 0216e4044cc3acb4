"""The good rows of a consent import as ledger events, a batch at a time.

Each subject is named by its keyed pseudonym, so the identifier never enters the chain;
a row without an idempotency key gets one derived from everything it says.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any, Final

import polars as pl

from placet.ledger.canonical import INSTANT_FORMAT, format_instant
from placet.ledger.chain_columns import EVENT_COLUMNS, EventColumns, new_event_id_column
from placet.ledger.events import (
    ConsentGiven,
    ConsentWithdrawn,
    EventData,
    EventType,
    LedgerEvent,
    ObjectionMade,
    ObjectionWithdrawn,
    SubjectRef,
    new_event_ids,
)
from placet.ledger.importing.format import ALL_DIRECT_MARKETING, GOOD_SCHEMA, CheckedRows
from placet.ledger.pseudonym_column import pseudonymise_column
from placet.ledger.pseudonyms import PseudonymKey, pseudonyms_by_identifier
from placet.policy.terms import Channel

__all__ = [
    "consent_column_batches",
    "consent_event_batches",
    "consent_events",
    "derive_idempotency_key",
    "in_recording_order",
]


def consent_event_batches(
    checked: CheckedRows, key: PseudonymKey, *, recorded_at: datetime, batch_size: int = 10_000
) -> Iterator[list[LedgerEvent]]:
    """The good rows as ledger events, `batch_size` at a time, in the order to record them
    (`in_recording_order`).

    Rows that say the same thing (event, option or purpose, channels) share one `EventData`
    across the whole import: the ledger recognises data it has already encoded by identity,
    before comparing models field by field.
    """
    happenings: dict[tuple[str, str, str], EventData] = {}
    for rows in in_recording_order(checked, key).iter_slices(batch_size):
        yield _consent_events(
            rows.drop(_SUBJECT_REF),
            rows.get_column(_SUBJECT_REF).to_list(),
            policy_id=checked.policy_id,
            recorded_at=recorded_at,
            happenings=happenings,
        )


def consent_column_batches(
    checked: CheckedRows, key: PseudonymKey, *, recorded_at: datetime, batch_size: int = 10_000
) -> Iterator[EventColumns]:
    """The good rows as `EventColumns`, `batch_size` at a time, in the order to record them:
    the events of `consent_event_batches`, but as columns, for `SqlLedger.append_columns`.

    A million rows become a thousandth as many Python objects: the event ids, the derived
    keys' hashes and one `EventData` for each thing the rows say.
    """
    happenings: dict[tuple[str, str, str], EventData] = {}
    recorded = pl.lit(recorded_at.astimezone(UTC), dtype=EVENT_COLUMNS["recorded_at"])
    for rows in in_recording_order(checked, key).iter_slices(batch_size):
        subjects = rows.get_column(_SUBJECT_REF)
        what = rows.select("event", "option_or_purpose", pl.col("channels").list.join(";"))
        distinct = what.unique(maintain_order=True)
        data: list[EventData] = []
        for said in distinct.iter_rows():
            found = happenings.get(said)
            if found is None:
                found = happenings[said] = _event_data(*said)
            data.append(found)
        indexes = what.join(
            distinct.with_row_index("data_index"),
            on=what.columns,
            how="left",
            nulls_equal=True,
            maintain_order="left",
        ).get_column("data_index")
        derived = _derived_keys(rows, subjects.to_list(), checked.policy_id)
        frame = rows.select(
            event_id=new_event_id_column(rows.height),
            idempotency_key=pl.col("idempotency_key").fill_null(pl.Series(derived)),
            subject_ref=pl.col(_SUBJECT_REF),
            type=pl.col("event"),
            data_index=indexes.cast(pl.UInt32),
            effective_at=pl.col("effective_at"),
            recorded_at=recorded,
            collected_via=pl.col("collected_via"),
            given_by=pl.col("given_by"),
            actor=pl.col("actor"),
            evidence=pl.col("evidence"),
            policy_id=pl.lit(checked.policy_id, dtype=pl.String),
            policy_version=pl.col("policy_version"),
        )
        yield EventColumns(frame, data)


def in_recording_order(checked: CheckedRows, key: PseudonymKey) -> pl.DataFrame:
    """The good rows with each subject's pseudonym (`_subject_ref`), in the order to record
    them.

    Subjects come in the order of their pseudonyms, each subject's rows in the order of
    `CheckedRows.good`: a batch then names a narrow range of pseudonyms, so the ledger's
    indexes by subject (its events', its projections') take each batch in a few pages
    instead of one page per event. In the order of identifiers, a batch touched nearly
    every page of those indexes, and committing a batch cost more as the ledger grew.
    """
    good = checked.good
    identifiers = good.get_column("subject").unique(maintain_order=True)
    pseudonyms = pseudonymise_column(identifiers, key).alias(_SUBJECT_REF)
    return good.join(
        pl.DataFrame([identifiers, pseudonyms]),
        on="subject",
        how="left",
        maintain_order="left",
    ).sort(_SUBJECT_REF, maintain_order=True)


_SUBJECT_REF = "_subject_ref"


def consent_events(
    rows: pl.DataFrame,
    key: PseudonymKey,
    *,
    policy_id: str,
    recorded_at: datetime,
    happenings: dict[tuple[str, str, str], EventData] | None = None,
) -> list[LedgerEvent]:
    """Good rows (a slice of `CheckedRows.good`) as ledger events recorded at `recorded_at`.

    The subject is named by its pseudonym under `key`; a row without an idempotency key gets
    `derive_idempotency_key`, so that importing the same row again adds nothing.
    `happenings` keeps the event data built so far, by (event, target, channels), to share.
    """
    identifiers = rows.get_column("subject").to_list()
    pseudonyms = pseudonyms_by_identifier(identifiers, key)
    return _consent_events(
        rows,
        [pseudonyms[identifier] for identifier in identifiers],
        policy_id=policy_id,
        recorded_at=recorded_at,
        happenings={} if happenings is None else happenings,
    )


def _consent_events(
    rows: pl.DataFrame,
    subjects: list[SubjectRef],
    *,
    policy_id: str,
    recorded_at: datetime,
    happenings: dict[tuple[str, str, str], EventData],
) -> list[LedgerEvent]:
    """`consent_events` with each row's subject already pseudonymised, in `subjects`."""
    events: list[LedgerEvent] = []
    recorded_at = recorded_at.astimezone(UTC)
    keys = _derived_keys(rows, subjects, policy_id)
    for (
        subject,
        event_id,
        event,
        target,
        channels,
        effective_in_utc,
        collected_via,
        given_by,
        actor,
        evidence,
        idempotency_key,
        version,
        derived_key,
    ) in zip(subjects, new_event_ids(rows.height), *_python_columns(rows), keys, strict=True):
        what = (event, target, channels)
        data = happenings.get(what)
        if data is None:
            data = happenings[what] = _event_data(*what)
        events.append(
            LedgerEvent(
                event_id=event_id,
                subject=subject,
                data=data,
                effective_at=effective_in_utc.replace(tzinfo=UTC),
                recorded_at=recorded_at,
                collected_via=collected_via,
                given_by=given_by,
                actor=actor,
                evidence=evidence,
                policy_id=policy_id,
                policy_version=version,
                idempotency_key=idempotency_key or derived_key,
            )
        )
    return events


def _derived_keys(rows: pl.DataFrame, subjects: list[SubjectRef], policy_id: str) -> list[str]:
    """`derive_idempotency_key` of each row, its fields joined in columns: only the hash is
    taken row by row (a test holds the two to the same keys)."""
    texts = rows.select(
        pl.concat_str(
            pl.Series(subjects, dtype=pl.String),
            "event",
            "option_or_purpose",
            pl.col("channels").list.join(";"),  # sorted, without repeats (GOOD_SCHEMA)
            pl.col("effective_at").dt.strftime(INSTANT_FORMAT),  # in UTC (GOOD_SCHEMA)
            "collected_via",
            "given_by",
            "actor",
            pl.col("evidence").fill_null(""),
            pl.lit(policy_id),
            "policy_version",
            separator=_FIELD_SEPARATOR,
        )
    ).to_series()
    sha256 = hashlib.sha256
    return [_DERIVED + sha256(text.encode("utf-8")).hexdigest()[:32] for text in texts]


_FIELD_SEPARATOR: Final = "\x1f"
_DERIVED: Final = "import-"


def _python_columns(rows: pl.DataFrame) -> list[list[Any]]:
    """The columns of `GOOD_SCHEMA` but the line and the subject as Python lists, in its
    order: channels joined by ';' and instants naive in UTC, which Python builds far faster
    than lists and instants in a named zone."""
    plain = rows.select(
        pl.exclude("line", "subject", "channels", "effective_at"),
        pl.col("channels").list.join(";"),
        pl.col("effective_at").dt.replace_time_zone(None),
    ).select(GOOD_SCHEMA.names()[2:])
    return [column.to_list() for column in plain.iter_columns()]


def _event_data(event: str, target: str, channels: str) -> EventData:
    on = frozenset(Channel(channel) for channel in channels.split(";") if channel)
    match EventType(event):
        case EventType.CONSENT_GIVEN:
            return ConsentGiven(option=target, channels=on)
        case EventType.CONSENT_WITHDRAWN:
            return ConsentWithdrawn(option=target, channels=on)
        case EventType.OBJECTION_MADE if target == ALL_DIRECT_MARKETING:
            return ObjectionMade(all_direct_marketing=True)
        case EventType.OBJECTION_MADE:
            return ObjectionMade(purpose=target)
        case _ if target == ALL_DIRECT_MARKETING:
            return ObjectionWithdrawn(all_direct_marketing=True)
        case _:
            return ObjectionWithdrawn(purpose=target)


def derive_idempotency_key(
    subject: SubjectRef,
    data: EventData,
    *,
    effective_at: datetime,
    collected_via: str,
    given_by: str,
    actor: str,
    evidence: str | None,
    policy_id: str,
    policy_version: str,
) -> str:
    """`import-` and 32 hex digits of SHA-256 over everything the row says, the subject by
    its pseudonym: the same row always gets the same key, so a re-import adds nothing, and
    a row that differs in anything gets another."""
    target = getattr(data, "option", None) or getattr(data, "purpose", None)
    if target is None:
        target = ALL_DIRECT_MARKETING
    channels = ";".join(sorted(getattr(data, "channels", ())))
    fields = (
        subject,
        data.type.value,
        target,
        channels,
        format_instant(effective_at),
        collected_via,
        given_by,
        actor,
        evidence or "",
        policy_id,
        policy_version,
    )
    text = _FIELD_SEPARATOR.join(fields)
    return _DERIVED + hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]
