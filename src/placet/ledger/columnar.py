"""The ledger's events as one columnar frame, and every subject's state folded from it at once.

`events_frame` (from events) and `stored_events_frame` (from the stored rows' bodies) give a
frame in `EVENT_SCHEMA`; `fold_projections` folds it into one row per subject holding what a
`SubjectProjection` holds (`SNAPSHOT_SCHEMA`); `snapshot_states` turns such rows into the
states `decide_bulk` reads (`STATE_SCHEMA`) at an instant; `fold_states` does both, as of any
instant. The rules are those of `placet.ledger.projection`, written as polars expressions
over the whole frame, with no Python loop over subjects; a property test holds them to
`replay` and `project_events` subject by subject, field by field.
Pure: imports nothing outside the standard library, polars, `placet.decide` and `placet.ledger`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, Final

import polars as pl

from placet.decide.bulk import STATE_SCHEMA, SUBJECT_NUMBERS, subject_numbers
from placet.ledger.chain import LedgerEntry
from placet.ledger.chain_columns import EventColumns
from placet.ledger.events import (
    BusinessOptOutMade,
    ConsentGiven,
    ConsentWithdrawn,
    ContractEnded,
    ContractStarted,
    DebtIncurred,
    DebtSettled,
    EventData,
    EventType,
    LedgerEvent,
    ObjectionMade,
    ObjectionWithdrawn,
    RestrictionSet,
    SubjectFactsRecorded,
)
from placet.policy.terms import Channel

__all__ = [
    "CHANNEL_BITS",
    "EVENT_SCHEMA",
    "EVENT_TYPE",
    "FOLDED_COLUMNS",
    "SNAPSHOT_SCHEMA",
    "as_snapshot",
    "channel_mask",
    "complete_states",
    "entries_frame",
    "event_columns_frame",
    "events_frame",
    "fold_projections",
    "fold_states",
    "snapshot_states",
    "stored_events_frame",
    "with_subject_numbers",
]

INSTANT: Final = pl.Datetime("us", "UTC")
EVENT_TYPE: Final = pl.Enum([event_type.value for event_type in EventType])
"""The `type` column's type: the event types, stored as small integers."""
CHANNEL_BITS: Final[tuple[Channel, ...]] = tuple(Channel)
"""Channel `CHANNEL_BITS[i]` is bit `1 << i` of a `channels` mask."""

EVENT_SCHEMA: Final[dict[str, pl.DataType]] = {
    "seq": pl.Int64(),
    "subject": pl.String(),
    "type": EVENT_TYPE,
    "effective_at": INSTANT,
    "recorded_at": INSTANT,
    "option": pl.String(),
    "channels": pl.UInt32(),
    "purpose": pl.String(),
    "all_direct_marketing": pl.Boolean(),
    "contract": pl.String(),
    "debt": pl.String(),
    "subject_type": pl.String(),
    "birth_date": pl.Date(),
    "until": INSTANT,
    "ground": pl.String(),
}
"""One row per event: its position, subject, type and instants, and its data's fields.

`channels` is a mask of `CHANNEL_BITS` on consent events, 0 when none is named (every
channel the option covers), null on other events; a field an event type lacks is null.
"""

SNAPSHOT_SCHEMA: Final[dict[str, pl.DataType]] = {
    "subject": pl.String(),
    "subject_type": pl.String(),
    "birth_date": pl.Date(),
    "consents": STATE_SCHEMA["consents"],
    "consent_given_at": pl.List(INSTANT),
    "withdrawn": pl.List(pl.String()),
    "objections": pl.List(pl.String()),
    "objects_to_direct_marketing": pl.Boolean(),
    "restricted": pl.Boolean(),
    "contracts": pl.List(pl.String()),
    "last_contract_end": INSTANT,
    "debts": pl.List(pl.String()),
    "debt_settled_at": INSTANT,
    "business_opt_out": pl.Boolean(),
    "business_opt_out_until": INSTANT,
    "effective_through": INSTANT,
    "last_seq": pl.Int64(),
    **SUBJECT_NUMBERS,
    "open_contracts": pl.Int32(),
    "open_debts": pl.Int32(),
}
"""One row per subject: the fields of `SubjectProjection`, which hold at any later instant.

`consents` holds the live grants sorted by option, as `STATE_SCHEMA` does, and
`consent_given_at` the instant each was given, in the same order; `contracts` and `debts`
the open references, and `open_contracts` and `open_debts` how many there are (all a
decision reads of them: at ten million subjects, reading the two counts took 0.1 s where
reading the two lists took 0.6 s); `last_seq` the position of the subject's last event
folded in;
`subject_key` and `subject_check` the subject's pseudonym as numbers (`subject_numbers`),
which `decide_subjects` joins a table of subscribers by.
"""

_T = EventType
_GIVE = pl.col("type") == _T.CONSENT_GIVEN.value
_MADE = pl.col("type") == _T.OBJECTION_MADE.value
_EMPTY_TEXT = pl.lit([], dtype=pl.List(pl.String()))


# ---------------------------------------------------------------- building the frame


def channel_mask(channels: Iterable[Channel | str]) -> int:
    """The `channels` mask of some channels (0 for none: every channel)."""
    mask = 0
    for channel in channels:
        mask |= 1 << CHANNEL_BITS.index(Channel(channel))
    return mask


def events_frame(events: Iterable[LedgerEvent], *, first_seq: int = 1) -> pl.DataFrame:
    """The frame of `events`, given in the order recorded: positions from `first_seq` on."""
    rows = [_event_row(seq, event) for seq, event in enumerate(events, start=first_seq)]
    return pl.DataFrame(rows, schema=EVENT_SCHEMA, orient="row")


def entries_frame(entries: Iterable[LedgerEntry]) -> pl.DataFrame:
    """The frame of recorded entries, at the positions the ledger gave them."""
    rows = [_event_row(entry.seq, entry.event) for entry in entries]
    return pl.DataFrame(rows, schema=EVENT_SCHEMA, orient="row")


def _event_row(seq: int, event: LedgerEvent) -> tuple[Any, ...]:
    fields: dict[str, Any] = dict.fromkeys(EVENT_SCHEMA)
    fields.update(_data_fields(event.data))
    fields.update(
        seq=seq,
        subject=event.subject,
        type=event.type.value,
        effective_at=event.effective_at,
        recorded_at=event.recorded_at,
    )
    return tuple(fields.values())


def _data_fields(data: EventData) -> dict[str, Any]:
    """The columns of `EVENT_SCHEMA` an event's data fills (the others are null)."""
    match data:
        case ConsentGiven() | ConsentWithdrawn():
            return {"option": data.option, "channels": channel_mask(data.channels)}
        case ObjectionMade() | ObjectionWithdrawn():
            return {"purpose": data.purpose, "all_direct_marketing": data.all_direct_marketing}
        case ContractStarted() | ContractEnded():
            return {"contract": data.contract}
        case DebtIncurred() | DebtSettled():
            return {"debt": data.debt}
        case SubjectFactsRecorded():
            return {"subject_type": data.subject_type, "birth_date": data.birth_date}
        case BusinessOptOutMade():
            return {"until": data.until}
        case RestrictionSet():
            return {"ground": None if data.ground is None else data.ground.value}
    return {}


_ENVELOPE: Final = ("seq", "subject", "type", "effective_at", "recorded_at")
_DATA_SCHEMA: Final = {name: dtype for name, dtype in EVENT_SCHEMA.items() if name not in _ENVELOPE}


def event_columns_frame(columns: EventColumns, seqs: pl.Series) -> pl.DataFrame:
    """The frame of events held as columns, at the positions `seqs` gives them (one a row):
    each distinct data's fields worked out once and joined to its rows."""
    data = pl.DataFrame(
        [{**dict.fromkeys(_DATA_SCHEMA), **_data_fields(item)} for item in columns.data],
        schema=_DATA_SCHEMA,
        orient="row",
    ).with_row_index("data_index")
    frame = columns.frame
    envelope = frame.select(
        seq=seqs.cast(pl.Int64),
        subject=pl.col("subject_ref"),
        type=pl.col("type").cast(EVENT_TYPE),
        effective_at=pl.col("effective_at"),
        recorded_at=pl.col("recorded_at"),
        data_index=pl.col("data_index"),
    )
    return envelope.join(data, on="data_index", how="left", maintain_order="left").select(
        pl.col(name).cast(dtype) for name, dtype in EVENT_SCHEMA.items()
    )


_BODY: Final = pl.Struct(
    {
        "subject": pl.String(),
        "type": pl.String(),
        "effective_at": pl.String(),
        "recorded_at": pl.String(),
        "data": pl.Struct(
            {
                "option": pl.String(),
                "channels": pl.List(pl.String()),
                "purpose": pl.String(),
                "all_direct_marketing": pl.Boolean(),
                "contract": pl.String(),
                "debt": pl.String(),
                "subject_type": pl.String(),
                "birth_date": pl.String(),
                "until": pl.String(),
                "ground": pl.String(),
            }
        ),
    }
)
_INSTANT_TEXT = "%Y-%m-%dT%H:%M:%S%.fZ"


def stored_events_frame(rows: pl.DataFrame) -> pl.DataFrame:
    """The frame of stored rows: a `seq` column and a `body` column of canonical JSON.

    The bodies are decoded by polars, all at once: the chain's own record of each event.
    """
    if rows.height == 0:
        return pl.DataFrame(schema=EVENT_SCHEMA)
    data = pl.col("body").struct.field("data")
    bits = pl.Series("names", [channel.value for channel in CHANNEL_BITS])
    channels = data.struct.field("channels")
    mask = channels.list.eval(
        pl.element().replace_strict(
            bits, [1 << i for i in range(len(bits))], return_dtype=pl.UInt32
        )
    ).list.sum()
    consent = pl.col("type").is_in([_T.CONSENT_GIVEN.value, _T.CONSENT_WITHDRAWN.value])
    objection = pl.col("type").is_in([_T.OBJECTION_MADE.value, _T.OBJECTION_WITHDRAWN.value])
    body = pl.col("body").cast(pl.String).str.json_decode(_BODY)
    decoded = rows.select(pl.col("seq").cast(pl.Int64), body).select(
        "seq",
        subject=pl.col("body").struct.field("subject"),
        type=pl.col("body").struct.field("type"),
        effective_at=_instant(pl.col("body").struct.field("effective_at")),
        recorded_at=_instant(pl.col("body").struct.field("recorded_at")),
        **{name: data.struct.field(name) for name in ("option", "purpose", "contract", "debt")},
        mask=mask,
        all_direct_marketing=data.struct.field("all_direct_marketing"),
        subject_type=data.struct.field("subject_type"),
        birth_date=data.struct.field("birth_date").str.to_date("%Y-%m-%d"),
        until=_instant(data.struct.field("until")),
        ground=data.struct.field("ground"),
    )
    return decoded.select(
        *[name for name in EVENT_SCHEMA if name not in {"channels", "all_direct_marketing"}],
        channels=pl.when(consent).then(pl.col("mask").fill_null(0)),
        all_direct_marketing=pl.when(objection).then(
            pl.col("all_direct_marketing").fill_null(False)
        ),
    ).select(pl.col(name).cast(dtype) for name, dtype in EVENT_SCHEMA.items())


def _instant(text: pl.Expr) -> pl.Expr:
    return text.str.to_datetime(_INSTANT_TEXT, time_unit="us", time_zone="UTC")


# ---------------------------------------------------------------- folding


def fold_states(
    events: pl.LazyFrame, as_of: datetime, *, known_at: datetime | None = None
) -> pl.LazyFrame:
    """Every subject's state as of `as_of`, in `STATE_SCHEMA`: `replay` for all at once.

    Only events that took effect by `as_of` count and, with `known_at`, only those recorded
    by then. A subject with no such event has no row (see `complete_states`).

    fold_states(pl.scan_parquet("events.parquet"), datetime(2025, 1, 1, tzinfo=UTC))
    """
    folded = _fold(events, as_of, known_at, exact=False)
    return _states(folded, as_of, pl.col("open_contracts"), pl.col("open_debts"))


def fold_projections(
    events: pl.LazyFrame, *, as_of: datetime | None = None, known_at: datetime | None = None
) -> pl.LazyFrame:
    """Every subject's projection, in `SNAPSHOT_SCHEMA`: `project_events` for all at once.

    Without `as_of` every event counts (the projection the ledger maintains); with it, or
    with `known_at`, only those that took effect or were recorded by then.
    """
    return as_snapshot(_fold(events, as_of, known_at, exact=True))


def as_snapshot(projections: pl.LazyFrame) -> pl.LazyFrame:
    """Projections (a `subject` column and the lists and fields of `SubjectProjection`) in
    `SNAPSHOT_SCHEMA`: with the subject's numbers (unless they are there), and the open
    contracts and debts counted (`open_contracts`, `open_debts`)."""
    return (
        with_subject_numbers(projections)
        .with_columns(
            open_contracts=pl.col("contracts").list.len(),
            open_debts=pl.col("debts").list.len(),
        )
        .select(pl.col(name).cast(dtype) for name, dtype in SNAPSHOT_SCHEMA.items())
    )


def with_subject_numbers(frame: pl.LazyFrame) -> pl.LazyFrame:
    """`frame` with the `SUBJECT_NUMBERS` of its `subject` column, unless it has them (a
    snapshot written by an earlier version of placet has not)."""
    if set(SUBJECT_NUMBERS) <= set(frame.collect_schema().names()):
        return frame
    return frame.with_columns(subject_numbers(pl.col("subject")))


def snapshot_states(snapshot: pl.LazyFrame, at: datetime) -> pl.LazyFrame:
    """The states at `at` of the subjects of a snapshot: `SubjectProjection.state` for all.

    Each row's `effective_through` must not be after `at`: a later event changes the
    order of the fold, and such subjects are folded again from their events. The open
    contracts and debts are counted by `open_contracts` and `open_debts`, or, in a snapshot
    written before it had them, by the lengths of the lists.
    """
    if {"open_contracts", "open_debts"} <= set(snapshot.collect_schema().names()):
        return _states(snapshot, at, pl.col("open_contracts"), pl.col("open_debts"))
    return _states(snapshot, at, pl.col("contracts").list.len(), pl.col("debts").list.len())


def _states(folded: pl.LazyFrame, at: datetime, contracts: pl.Expr, debts: pl.Expr) -> pl.LazyFrame:
    until = pl.col("business_opt_out_until")
    opted_out = pl.col("business_opt_out") & (until.is_null() | (pl.lit(at) < until))
    return with_subject_numbers(folded).select(
        "subject",
        *SUBJECT_NUMBERS,
        "subject_type",
        "birth_date",
        "consents",
        "withdrawn",
        "objections",
        "objects_to_direct_marketing",
        "restricted",
        active_contracts=contracts.cast(pl.Int32),
        last_contract_end=pl.when(contracts == 0).then(pl.col("last_contract_end")),
        debt_outstanding=debts > 0,
        debt_settled_at=pl.when(debts == 0).then(pl.col("debt_settled_at")),
        business_opt_out=opted_out,
        business_opt_out_until=pl.when(opted_out).then(until),
    )


def complete_states(states: pl.LazyFrame, subjects: pl.LazyFrame) -> pl.LazyFrame:
    """`subjects` (a frame with a `subject` column) with each one's state, in its order.

    A subject `states` has no row for gets the empty state (nothing recorded about them);
    the other columns of `subjects` are kept.
    """
    joined = subjects.join(states, on="subject", how="left", maintain_order="left")
    return (
        joined.with_columns(
            pl.col(name).fill_null(pl.lit([], dtype=STATE_SCHEMA[name]))
            for name in ("consents", "withdrawn", "objections")
        )
        .with_columns(
            pl.col(name).fill_null(False)
            for name in (
                "objects_to_direct_marketing",
                "restricted",
                "debt_outstanding",
                "business_opt_out",
            )
        )
        .with_columns(pl.col("active_contracts").fill_null(0))
        .with_columns(subject_numbers(pl.col("subject")))
    )


FOLDED_COLUMNS: Final = (
    "seq",
    "subject",
    "type",
    "effective_at",
    "option",
    "channels",
    "purpose",
    "all_direct_marketing",
    "contract",
    "debt",
    "subject_type",
    "birth_date",
    "until",
)
"""The columns of `EVENT_SCHEMA` a fold reads (`recorded_at` only with `known_at`)."""


def _fold(
    events: pl.LazyFrame, as_of: datetime | None, known_at: datetime | None, *, exact: bool
) -> pl.LazyFrame:
    counted = events
    if as_of is not None:
        counted = counted.filter(pl.col("effective_at") <= as_of)
    if known_at is not None:
        counted = counted.filter(pl.col("recorded_at") <= known_at)
    # Subjects are grouped by a number, their pseudonym's `subject_key` (its first 64 bits),
    # rather than by its 64 hex digits: every group-by and join below takes about half the
    # time, and the states come out with the `SUBJECT_NUMBERS` that `decide_subjects` joins
    # a table by. Subjects who share that number are told apart by `subject_check` (the next
    # 64 bits) and folded again, numbered one by one, as are subjects not named by a
    # pseudonym (no numbers: they all share the number 0, with no check). Two pseudonyms
    # (HMAC-SHA-256) agree on 64 bits about once in 370,000 folds of 10 million subjects; on
    # all 128, less than once in 10^19 folds of a billion: far below a disk's error rate.
    named = counted.select(FOLDED_COLUMNS).rename({"subject": "name"})
    key, check = subject_numbers(pl.col("name"))
    keyed = named.with_columns(
        subject=key.fill_null(0), check=pl.when(key.is_not_null()).then(check)
    ).cache()
    numbers = (
        keyed.group_by("subject")
        .agg(
            pl.col("name").first(),
            pl.col("check").first(),
            shared=(pl.col("check").null_count() > 0)
            | (pl.col("check").min() != pl.col("check").max()),
        )
        .cache()
    )
    first = _fold_keyed(keyed, exact=exact).join(
        numbers.filter(~pl.col("shared")).select(
            "subject", "name", subject_key=pl.col("subject"), subject_check=pl.col("check")
        ),
        on="subject",
        how="inner",
    )
    again = keyed.join(numbers.filter("shared"), on="subject", how="semi").with_columns(
        subject=pl.col("name").rank("dense").cast(pl.UInt64)
    )
    names = again.group_by("subject").agg(pl.col("name").first())
    second = _fold_keyed(again, exact=exact).join(
        names.with_columns(subject_numbers(pl.col("name"))), on="subject", how="inner"
    )
    return pl.concat([first, second]).drop("subject").rename({"name": "subject"})


def _fold_keyed(keyed: pl.LazyFrame, *, exact: bool) -> pl.LazyFrame:
    """The fold of events whose `subject` is a number that names one subject."""
    # Every rule below reads "the last event" in this order: the order of taking effect,
    # and for events that take effect together, the order of recording. `position` is
    # each event's place in it. The frame itself is not put in that order (at a million
    # subscribers, moving every column cost a fifth of the fold): the last of some events
    # is the one with the largest position, and the few rules that read events one after
    # another sort only theirs.
    events = keyed.drop("name", "check").with_columns(position=_position()).cache()
    folded = (
        _subject_facts(events, exact=exact)
        .join(_open(events, "contract", exact=exact), on="subject", how="left")
        .join(_open(events, "debt", exact=exact), on="subject", how="left")
        .join(_objections(events), on="subject", how="left")
        .join(_consents(events, exact=exact), on="subject", how="left")
    )
    lists = ["consents", "withdrawn", "objections"]
    if exact:
        lists += ["consent_given_at", "contracts", "debts"]
    return folded.with_columns(
        pl.col(name).fill_null(pl.lit([], dtype=SNAPSHOT_SCHEMA[name])) for name in lists
    ).with_columns(pl.col("open_contracts", "open_debts").fill_null(0))


def _position() -> pl.Expr:
    """Each event's place in fold order, from 0: its rank by the instant it takes effect,
    then by its position in the log, ranked as one 128-bit number (microseconds * 2^64 +
    position), which sorts about three times as fast as the two columns. (Of polars' index
    type: 32 bits, or 64 in its build for more than 4 billion rows.)"""
    instant = pl.col("effective_at").dt.epoch("us").cast(pl.Int128)
    order = instant * (1 << 64) + pl.col("seq").cast(pl.Int128)
    return order.rank("ordinal") - 1


def _is(*types: EventType) -> pl.Expr:
    return pl.col("type").is_in([event_type.value for event_type in types])


def _last(value: pl.Expr, among: pl.Expr) -> pl.Expr:
    """The value of the subject's last event `among` some (frame sorted by `position`)."""
    return value.filter(among).last()


def _last_flag(flag: pl.Expr, among: pl.Expr) -> pl.Expr:
    """Whether the group's last event `among` some says `flag` (null: there is none), in
    any order of the frame.

    position * 2 + flag is largest on the last event, and its parity is that event's flag.
    """
    packed = pl.when(among).then(pl.col("position").cast(pl.Int64) * 2 + flag.cast(pl.Int64))
    return (packed.max() % 2) == 1


def _subject_facts(events: pl.LazyFrame, *, exact: bool) -> pl.LazyFrame:
    """One row per subject: what the last event of each kind says, and the last instants."""
    restriction = _is(_T.RESTRICTION_SET, _T.RESTRICTION_LIFTED)
    objection = _is(_T.OBJECTION_MADE, _T.OBJECTION_WITHDRAWN) & pl.col("all_direct_marketing")
    opt_out = _is(_T.BUSINESS_OPT_OUT_MADE, _T.BUSINESS_OPT_OUT_ENDED)
    facts = pl.col("type") == _T.SUBJECT_FACTS_RECORDED.value
    # The values the last of some events says are read from those events alone, sorted.
    values = (
        events.filter(facts | opt_out)
        .sort("position")
        .group_by("subject")
        .agg(
            _last(pl.col("subject_type"), facts & pl.col("subject_type").is_not_null()),
            _last(pl.col("birth_date"), facts & pl.col("birth_date").is_not_null()),
            _last(pl.col("until"), opt_out).alias("business_opt_out_until"),
        )
    )
    aggregates = [
        _last_flag(pl.col("type") == _T.RESTRICTION_SET.value, restriction).alias("restricted"),
        _last_flag(_MADE, objection).alias("objects_to_direct_marketing"),
        _last_flag(pl.col("type") == _T.BUSINESS_OPT_OUT_MADE.value, opt_out).alias(
            "business_opt_out"
        ),
        pl.col("effective_at").max().alias("effective_through"),
        pl.col("seq").max().alias("last_seq"),
    ]
    if not exact:
        # A state reads the last end only once every contract is closed, when it is the
        # last contract-ended event; the projection keeps it while others are open too.
        aggregates += [
            pl.col("effective_at").filter(pl.col("type") == _CLOSING[field].value).max().alias(name)
            for field, name in (("contract", "last_contract_end"), ("debt", "debt_settled_at"))
        ]
    found = events.group_by("subject").agg(aggregates).join(values, on="subject", how="left")
    if exact:
        found = found.join(
            _last_closing(events, "contract", "last_contract_end"), on="subject", how="left"
        ).join(_last_closing(events, "debt", "debt_settled_at"), on="subject", how="left")
    return found.with_columns(
        pl.col(name).fill_null(False)
        for name in ("restricted", "objects_to_direct_marketing", "business_opt_out")
    ).with_columns(
        business_opt_out_until=pl.when(pl.col("business_opt_out")).then(
            pl.col("business_opt_out_until")
        )
    )


def _objections(events: pl.LazyFrame) -> pl.LazyFrame:
    """The purposes each subject objects to: their last objection event says made."""
    objection = _is(_T.OBJECTION_MADE, _T.OBJECTION_WITHDRAWN) & pl.col("purpose").is_not_null()
    per_purpose = (
        events.filter(objection)
        .group_by("subject", "purpose")
        .agg(made=_last_flag(_MADE, pl.lit(value=True)))
    )
    return (
        per_purpose.filter("made")
        .group_by("subject")
        .agg(pl.col("purpose").sort().alias("objections"))
    )


_OPENING = {"contract": _T.CONTRACT_STARTED, "debt": _T.DEBT_INCURRED}
_CLOSING = {"contract": _T.CONTRACT_ENDED, "debt": _T.DEBT_SETTLED}


def _open(events: pl.LazyFrame, field: str, *, exact: bool) -> pl.LazyFrame:
    """How many contracts (or debts) each subject has open, and with `exact` which: those
    whose last event opened them."""
    opening = pl.col("type") == _OPENING[field].value
    per_reference = (
        events.filter(_is(_OPENING[field], _CLOSING[field]))
        .group_by("subject", field)
        .agg(_last_flag(opening, pl.lit(value=True)).alias("is_open"))
        .filter("is_open")
        .group_by("subject")
    )
    counted = pl.len().cast(pl.Int64).alias(f"open_{field}s")
    if not exact:
        return per_reference.agg(counted)
    return per_reference.agg(counted, pl.col(field).sort().alias(f"{field}s"))


def _last_closing(events: pl.LazyFrame, field: str, name: str) -> pl.LazyFrame:
    """When the subject's open contracts (or debts) last all closed, as the projection has it.

    A closing event that leaves none open sets it; one that leaves some open keeps it. How
    many are open after each event is a running sum: +1 when a reference opens that was not
    open, -1 when an open one closes.
    """
    opening = pl.col("type") == _OPENING[field].value
    was_open = opening.shift(1).over("subject", field).fill_null(False)
    steps = (
        events.filter(_is(_OPENING[field], _CLOSING[field]))
        .sort("position")
        .with_columns(step=opening.cast(pl.Int32) - was_open.cast(pl.Int32))
    )
    still_open = pl.col("step").cum_sum().over("subject")
    closed = steps.filter((pl.col("type") == _CLOSING[field].value) & (still_open == 0))
    return closed.group_by("subject").agg(pl.col("effective_at").last().alias(name))


def _with_channel_names(frame: pl.LazyFrame, mask: str, name: str) -> pl.LazyFrame:
    """`frame` with `name`, the channels of its `mask` column by name: worked out once for
    each distinct mask (a handful), not for each row."""
    names = frame.select(pl.col(mask).unique()).with_columns(
        _channel_names(pl.col(mask)).alias(name)
    )
    return frame.join(names, on=mask, how="left", maintain_order="left")


def _channel_names(mask: pl.Expr) -> pl.Expr:
    """The names of the channels in a mask, sorted."""
    named = sorted(range(len(CHANNEL_BITS)), key=lambda bit: CHANNEL_BITS[bit].value)
    return pl.concat_list(
        [pl.when((mask & (1 << bit)) != 0).then(pl.lit(CHANNEL_BITS[bit].value)) for bit in named]
    ).list.drop_nulls()


_EVERY = pl.col("channels") == 0
_GIVES = pl.col("give")


def _consents(events: pl.LazyFrame, *, exact: bool) -> pl.LazyFrame:
    """Each subject's live grants (with when each was given) and withdrawn options.

    An option never withdrawn is live on every channel its gives named, or on every
    channel when one named none, since its first give. The others are worked out from
    their history by `_after_withdrawals`.
    """
    option = ("subject", "option")
    # The consent events and their groups are each read twice below: cached, each is
    # worked out once (at a million subscribers, 1.1 s became 0.65 s).
    consents = (
        events.filter(_is(_T.CONSENT_GIVEN, _T.CONSENT_WITHDRAWN))
        .select(*option, "position", "effective_at", "channels", give=_GIVE)
        .cache()
    )
    groups = (
        consents.group_by(option)
        .agg(
            ever_withdrawn=(~_GIVES).any(),
            every_channel=(_GIVES & _EVERY).any(),
            mask=pl.col("channels").bitwise_or(),
            given_at=pl.col("effective_at").min(),
            # Names the option's history by its first event: the same however often, and in
            # whichever order, the rows of this frame are computed.
            group=pl.col("position").min(),
        )
        .cache()
    )
    never_withdrawn = _with_channel_names(
        groups.filter(~pl.col("ever_withdrawn")), "mask", "names"
    ).select(
        *option,
        live=pl.lit(True),
        channels=pl.when(~pl.col("every_channel")).then("names"),
        given_at="given_at",
    )
    # Only the options ever withdrawn need their history, a small share of them: their
    # events are picked out by a join rather than every option's collected into a list.
    withdrawn = groups.filter("ever_withdrawn").select(*option, "group")
    histories = (
        consents.join(withdrawn, on=option, how="inner")
        .select("group", "position", "effective_at", "channels", "give")
        .sort("position")
    )
    grants = pl.concat(
        [never_withdrawn, _after_withdrawals(withdrawn, histories, exact=exact)],
        how="vertical_relaxed",
    )
    live = pl.col("live")
    # A group keeps its rows in the frame's order: sorted by option first, each subject's
    # grants come out sorted by option, without a sort per subject.
    return (
        grants.sort("option")
        .group_by("subject")
        .agg(
            consents=pl.struct(
                "option", pl.col("channels").fill_null(pl.lit([], dtype=pl.List(pl.String())))
            ).filter(live),
            consent_given_at=pl.col("given_at").filter(live),
            withdrawn=pl.col("option").filter(~live),
        )
    )


def _after_withdrawals(
    groups: pl.LazyFrame, histories: pl.LazyFrame, *, exact: bool
) -> pl.LazyFrame:
    """The grants of options with a withdrawal in their history (one `group` each, whose
    events `histories` holds in fold order).

    A withdrawal empties the grant entirely when it names no channel, or when the grant
    was for every channel (a give naming none came after the last withdrawal): a "clear".
    After the last clear, each channel is live when the last event naming it gave it; a
    give naming no channel after it makes the grant one for every channel.
    """
    every_channel_since = (
        pl.when(_GIVES & _EVERY)
        .then(True)
        .when(~_GIVES)
        .then(False)
        .shift(1)
        .forward_fill()
        .over("group")
        .fill_null(False)
    )
    clear = ~_GIVES & (_EVERY | every_channel_since)
    events = histories.with_columns(clear=clear)
    after_last_clear = events.filter(
        pl.col("clear").cast(pl.Int32).cum_sum(reverse=True).over("group") == 0
    ).cache()
    by_channel = (
        _with_channel_names(after_last_clear.filter(~_EVERY), "channels", "channel")
        .explode("channel")
        .cache()
    )
    live_channels = (
        by_channel.group_by("group", "channel")
        .agg(_GIVES.last().alias("live"))
        .filter("live")
        .group_by("group")
        .agg(pl.col("channel").sort().alias("live_channels"))
    )
    for_every_channel = (
        after_last_clear.filter(_GIVES & _EVERY).group_by("group").agg(every_channel=pl.lit(True))
    )
    grants = (
        groups.select("group", "subject", "option")
        .join(live_channels, on="group", how="left")
        .join(for_every_channel, on="group", how="left")
        .with_columns(
            live=pl.col("every_channel").is_not_null() | pl.col("live_channels").is_not_null(),
            channels=pl.when(pl.col("every_channel").is_null()).then(pl.col("live_channels")),
        )
    )
    if exact:
        grants = grants.join(_given_at(after_last_clear, by_channel), on="group", how="left")
    else:
        grants = grants.with_columns(given_at=pl.lit(None, dtype=INSTANT))
    return grants.select("subject", "option", "live", "channels", "given_at")


def _given_at(after_last_clear: pl.LazyFrame, by_channel: pl.LazyFrame) -> pl.LazyFrame:
    """When each live grant was given: its first give after the grant was last empty.

    How many channels are live after each event is a running sum over the channels each
    event names: +1 for a channel given that was not live, -1 for a live one withdrawn.
    """
    was_live = _GIVES.shift(1).over("group", "channel").fill_null(False)
    steps = (
        by_channel.with_columns(step=_GIVES.cast(pl.Int32) - was_live.cast(pl.Int32))
        .group_by("position")
        .agg(pl.col("step").sum())
    )
    counted = (
        after_last_clear.join(steps, on="position", how="left")
        .sort("position")
        .with_columns(live=pl.col("step").fill_null(0).cum_sum().over("group"))
    )
    emptied = (
        counted.filter(~_GIVES & (pl.col("live") == 0))
        .group_by("group")
        .agg(pl.col("position").max().alias("emptied"))
    )
    return (
        after_last_clear.filter("give")
        .join(emptied, on="group", how="left")
        .filter(pl.col("emptied").is_null() | (pl.col("position") > pl.col("emptied")))
        .group_by("group")
        .agg(pl.col("effective_at").sort_by("position").first().alias("given_at"))
    )
