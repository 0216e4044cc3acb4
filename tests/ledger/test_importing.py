"""Bulk import of consent history, the pure part: the row format, its checks, its events."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from placet.errors import (
    IMPORT_PROBLEM_CODES,
    ImportRejectedError,
    NoVersionInForceError,
    RowProblem,
)
from placet.ledger import (
    ConsentGiven,
    EventType,
    LedgerEvent,
    ObjectionMade,
    PseudonymKey,
    pseudonymise_subject,
    seal_event,
)
from placet.ledger.importing import (
    CheckedRows,
    check_consent_rows,
    consent_column_batches,
    consent_event_batches,
    consent_events,
    derive_idempotency_key,
)
from placet.policy import PolicySet
from placet.policy.terms import Channel
from tests.ledger.builders import GENESIS, KEY
from tests.ledger.import_builders import (
    IMPORTED_AT,
    import_row,
    import_rows,
    ipko,
    ipko_with_a_second_version,
    subscriber_history,
)

DOCS = Path(__file__).resolve().parents[2] / "docs" / "ledger.md"


def check(*rows: dict[str, str | None], policies: PolicySet | None = None) -> CheckedRows:
    return check_consent_rows(import_rows(*rows), policies or ipko(), IMPORTED_AT)


def located(checked: CheckedRows) -> list[tuple[int, str, str]]:
    return [(problem.line, problem.column, problem.code) for problem in checked.problems]


def events_of(checked: CheckedRows) -> list[LedgerEvent]:
    return [
        event
        for batch in consent_event_batches(checked, KEY, recorded_at=IMPORTED_AT)
        for event in batch
    ]


# ---------------------------------------------------------------- good rows


def test_good_rows_have_no_problem_and_each_becomes_one_event() -> None:
    checked = check(*subscriber_history())

    events = events_of(checked)

    assert checked.problems == ()
    assert checked.rows == 4
    assert len(events) == 4


def test_imported_consent_keeps_its_option_channels_and_envelope() -> None:
    (event,) = consent_events(
        check(import_row()).good, KEY, policy_id="ipko", recorded_at=IMPORTED_AT
    )

    assert event.data == ConsentGiven(
        option="current-offers", channels=frozenset({Channel.SMS, Channel.EMAIL})
    )
    assert event.effective_at == datetime(2024, 5, 1, 12, tzinfo=UTC)
    assert event.recorded_at == IMPORTED_AT
    assert (event.collected_via, event.given_by, event.actor, event.evidence) == (
        "shop",
        "subject",
        "shop-prishtina-07",
        "form-2024-05-0117",
    )
    assert (event.policy_id, event.policy_version) == ("ipko", "1.0")


def test_subject_is_named_by_its_pseudonym_and_the_identifier_never_enters_the_chain() -> None:
    (event,) = events_of(check(import_row(subject="+38344000001")))

    row = seal_event(event, 1, GENESIS, None)

    assert event.subject == pseudonymise_subject("+38344000001", KEY)
    assert "38344000001" not in row.body
    assert event.personal is None


def test_instant_with_an_offset_is_held_in_utc() -> None:
    (event,) = events_of(check(import_row(effective_at="2024-05-01T14:00:00+02:00")))

    assert event.effective_at == datetime(2024, 5, 1, 12, tzinfo=UTC)


def test_objection_to_all_direct_marketing_is_imported_as_such() -> None:
    row = import_row(
        event="objection-made", option_or_purpose="all-direct-marketing", channels=None
    )

    (event,) = events_of(check(row))

    assert event.data == ObjectionMade(all_direct_marketing=True)


def test_consent_without_channels_covers_every_channel_of_its_option() -> None:
    (event,) = events_of(check(import_row(channels=None)))

    assert event.data.channels == frozenset()


def test_spaces_around_values_and_channels_are_ignored() -> None:
    row = import_row(event=" consent-given ", channels=" sms ; email ;", collected_via="shop ")

    checked = check(row)

    assert checked.problems == ()
    assert checked.good["channels"].to_list() == [["email", "sms"]]


def test_optional_columns_may_be_left_out_of_the_header() -> None:
    frame = import_rows(import_row(), drop=("channels", "given_by", "evidence", "idempotency_key"))

    checked = check_consent_rows(frame, ipko(), IMPORTED_AT)

    assert checked.problems == ()
    assert checked.good.height == 1


def test_good_rows_are_recorded_in_the_order_they_took_effect_then_by_line() -> None:
    later = import_row(effective_at="2024-07-01T00:00:00Z")
    earlier = import_row(effective_at="2024-02-01T00:00:00Z", evidence="form-a")
    tied = import_row(effective_at="2024-02-01T00:00:00Z", evidence="form-b")

    checked = check(later, earlier, tied)

    assert checked.good["line"].to_list() == [3, 4, 2]


def test_each_subscribers_rows_are_recorded_together_in_the_order_they_took_effect() -> None:
    # Rows of two subscribers interleaved in time: each one's rows are recorded one after
    # the other, so an import touches each projection once, not once a batch; subscribers
    # come in the order of their pseudonyms, so a batch covers a narrow range of them.
    first, second = "+38344000001", "+38344000002"
    rows = [
        import_row(subject=second, effective_at="2024-01-01T00:00:00Z"),
        import_row(subject=first, effective_at="2024-03-01T00:00:00Z"),
        import_row(subject=second, effective_at="2024-02-01T00:00:00Z", evidence="form-b"),
        import_row(subject=first, effective_at="2024-01-15T00:00:00Z", evidence="form-a"),
    ]

    checked = check(*rows)

    assert checked.good["line"].to_list() == [5, 3, 2, 4]
    events = events_of(checked)
    subjects = [event.subject for event in events]
    assert subjects[0] == subjects[1] < subjects[2] == subjects[3]
    months = {
        pseudonymise_subject(first, KEY): [1, 3],
        pseudonymise_subject(second, KEY): [1, 2],
    }
    assert [event.effective_at.month for event in events] == [
        *months[subjects[0]],
        *months[subjects[2]],
    ]


def test_rows_that_say_the_same_thing_share_one_event_data_across_batches() -> None:
    # The ledger finds the encoding of data it has seen by identity first: rows of other
    # batches that give the same consent must hand it the same object, not an equal copy.
    rows = [import_row(subject=f"+3834400000{n}", evidence=f"form-{n}") for n in range(4)]
    checked = check(*rows)

    batches = list(consent_event_batches(checked, KEY, recorded_at=IMPORTED_AT, batch_size=1))

    assert len(batches) == 4
    assert len({id(batch[0].data) for batch in batches}) == 1


# ---------------------------------------------------------------- idempotency keys


def test_derived_key_is_the_same_for_the_same_row_in_another_import() -> None:
    first = events_of(check(import_row()))
    again = events_of(check(import_row(), import_row(subject="+38344000009")))

    (same,) = (event for event in again if event.subject == first[0].subject)
    assert first[0].idempotency_key == same.idempotency_key
    assert first[0].idempotency_key.startswith("import-")


def test_derived_key_differs_when_anything_the_row_says_differs() -> None:
    rows = [
        import_row(),
        import_row(evidence="form-other"),
        import_row(channels="sms"),
        import_row(effective_at="2024-05-01T12:00:01Z"),
        import_row(subject="+38344000002"),
    ]

    keys = {event.idempotency_key for event in events_of(check(*rows))}

    assert len(keys) == len(rows)


def test_given_key_is_kept() -> None:
    (event,) = events_of(check(import_row(idempotency_key="crm-884213")))

    assert event.idempotency_key == "crm-884213"


def test_key_reused_for_another_event_is_a_problem_on_the_later_line() -> None:
    first = import_row(idempotency_key="crm-1")
    other = import_row(idempotency_key="crm-1", channels="sms")

    checked = check(first, other)

    assert located(checked) == [(3, "idempotency_key", "key-reused")]
    assert "also on line 2" in checked.problems[0].reason


def test_repeated_row_with_its_key_is_not_a_problem() -> None:
    row = import_row(idempotency_key="crm-1")

    assert check(row, row).problems == ()


# ---------------------------------------------------------------- bad rows

BAD_VALUES = [
    ({"subject": None}, "subject", "missing-value"),
    ({"subject": "+383 44 000001"}, "subject", "bad-subject"),
    ({"event": "consent-givn"}, "event", "unknown-event"),
    ({"event": "contract-started"}, "event", "unknown-event"),
    ({"option_or_purpose": None}, "option_or_purpose", "missing-value"),
    ({"option_or_purpose": "curent-offers"}, "option_or_purpose", "unknown-option"),
    (
        {"event": "objection-made", "option_or_purpose": "marketing-analysys", "channels": None},
        "option_or_purpose",
        "unknown-purpose",
    ),
    ({"channels": "sms;fax"}, "channels", "unknown-channel"),
    (
        {"option_or_purpose": "offer-in-person-at-home", "channels": "sms;home-visit"},
        "channels",
        "channel-not-covered",
    ),
    (
        {"event": "objection-made", "option_or_purpose": "marketing-analysis"},
        "channels",
        "channels-on-objection",
    ),
    ({"effective_at": None}, "effective_at", "missing-value"),
    ({"effective_at": "01/05/2024 12:00"}, "effective_at", "bad-instant"),
    ({"effective_at": "2024-05-01T12:00:00"}, "effective_at", "no-time-zone"),
    ({"effective_at": "2024-05-01"}, "effective_at", "no-time-zone"),
    ({"effective_at": "2025-01-01T00:00:01Z"}, "effective_at", "future-instant"),
    ({"effective_at": "2022-12-31T23:59:59Z"}, "effective_at", "no-policy-in-force"),
    ({"collected_via": None}, "collected_via", "missing-value"),
    ({"collected_via": "fax"}, "collected_via", "unknown-collection"),
    ({"given_by": "boss"}, "given_by", "unknown-given-by"),
    ({"actor": None}, "actor", "missing-value"),
    ({"actor": "a" * 501}, "actor", "too-long"),
    ({"evidence": "e" * 501}, "evidence", "too-long"),
    ({"idempotency_key": "k" * 201}, "idempotency_key", "too-long"),
]


@pytest.mark.parametrize(("changes", "column", "code"), BAD_VALUES)
def test_bad_value_is_named_with_its_line_column_and_code(
    changes: dict[str, str | None], column: str, code: str
) -> None:
    checked = check(import_row(), import_row(**changes))

    assert located(checked) == [(3, column, code)]
    assert checked.good["line"].to_list() == [2]


def test_every_problem_of_a_row_is_named_not_just_the_first() -> None:
    row = import_row(event="consent-givn", collected_via="fax", actor=None)

    assert located(check(row)) == [
        (2, "event", "unknown-event"),
        (2, "collected_via", "unknown-collection"),
        (2, "actor", "missing-value"),
    ]


def test_reason_says_how_to_fix_a_misspelt_option() -> None:
    (problem,) = check(import_row(option_or_purpose="curent-offers")).problems

    assert "did you mean 'current-offers'?" in problem.reason
    assert "policy ipko version 1.0" in problem.reason


def test_reason_never_repeats_the_subjects_identifier() -> None:
    (problem,) = check(import_row(subject="+383 44 000001")).problems

    assert "000001" not in problem.reason
    assert "E.164" in problem.reason


def test_rows_and_bad_rows_are_counted() -> None:
    checked = check(import_row(), import_row(event="x", actor=None), import_row(actor=None))

    assert (checked.rows, checked.bad_rows, checked.good.height) == (3, 2, 1)


# ---------------------------------------------------------------- the header


def test_missing_column_is_named_on_the_header_line() -> None:
    frame = import_rows(import_row(), drop=("effective_at",))

    checked = check_consent_rows(frame, ipko(), IMPORTED_AT)

    assert located(checked) == [(1, "effective_at", "missing-column")]
    assert checked.has_header_problem
    assert checked.good.height == 0


def test_misspelt_column_is_refused_with_the_name_it_should_have() -> None:
    frame = import_rows(import_row()).rename({"channels": "channel"})

    (problem,) = check_consent_rows(frame, ipko(), IMPORTED_AT).problems

    assert (problem.line, problem.column, problem.code) == (1, "channel", "unknown-column")
    assert "did you mean 'channels'?" in problem.reason


def test_parquet_types_are_read_as_the_same_rows() -> None:
    text = import_rows(*subscriber_history())
    typed = text.with_columns(
        pl.col("effective_at").str.to_datetime("%+", time_zone="UTC"),
        pl.col("channels").str.split(";"),
    )

    from_text = check_consent_rows(text, ipko(), IMPORTED_AT)
    from_typed = check_consent_rows(typed, ipko(), IMPORTED_AT)

    assert from_typed.problems == ()
    assert from_typed.good.equals(from_text.good)


def test_timestamps_without_a_zone_are_refused_on_the_header_line() -> None:
    frame = import_rows(import_row()).with_columns(pl.col("effective_at").str.to_datetime("%+"))
    frame = frame.with_columns(pl.col("effective_at").dt.replace_time_zone(None))

    assert located(check_consent_rows(frame, ipko(), IMPORTED_AT)) == [
        (1, "effective_at", "no-time-zone")
    ]


def test_column_of_numbers_with_decimals_is_refused() -> None:
    frame = import_rows(import_row()).with_columns(pl.lit(38344000001.0).alias("subject"))

    assert located(check_consent_rows(frame, ipko(), IMPORTED_AT)) == [
        (1, "subject", "unreadable-column")
    ]


# ---------------------------------------------------------------- policy versions


def test_row_is_checked_against_the_policy_version_in_force_at_its_instant() -> None:
    before = import_row(option_or_purpose="newsletter", effective_at="2024-02-29T23:59:59Z")
    after = import_row(option_or_purpose="newsletter", effective_at="2024-03-01T00:00:00Z")

    checked = check(before, after, policies=ipko_with_a_second_version())

    assert located(checked) == [(2, "option_or_purpose", "unknown-option")]
    assert checked.good["policy_version"].to_list() == ["2.0"]


_DAYS = st.integers(min_value=-400, max_value=400)


@given(days=_DAYS)
def test_version_of_each_row_is_the_one_the_policy_set_has_in_force(days: int) -> None:
    first = ipko().latest.model_copy(update={"effective_until": date(2023, 12, 31)})
    second = ipko_with_a_second_version().latest
    policies = PolicySet(directory=Path("ipko"), versions=(first, second))
    at = datetime(2024, 1, 15, tzinfo=UTC) + timedelta(days=days, hours=days % 24)
    text = at.strftime("%Y-%m-%dT%H:%M:%SZ")

    checked = check_consent_rows(
        import_rows(import_row(effective_at=text)), policies, at + timedelta(days=1)
    )

    try:
        expected = policies.in_force(at).version
    except NoVersionInForceError:
        assert located(checked) == [(2, "effective_at", "no-policy-in-force")]
    else:
        assert checked.good["policy_version"].to_list() == [expected]


# ---------------------------------------------------------------- invariants

_CELLS: dict[str, list[str | None]] = {
    "subject": ["+38344000001", "C-0017", None, "+383 44"],
    "event": ["consent-given", "consent-withdrawn", "objection-made", "objection-withdrawn", "x"],
    "option_or_purpose": [
        "current-offers",
        "offer-in-person-at-home",
        "help-us-be-better",
        "marketing-analysis",
        "all-direct-marketing",
        "nope",
        None,
    ],
    "channels": [None, "sms", "home-visit", "sms;email", "fax", ";"],
    "effective_at": [
        "2024-05-01T12:00:00Z",
        "2023-01-01T00:00:00+01:00",
        "2024-05-01T12:00:00",
        "2030-01-01T00:00:00Z",
        "soon",
        None,
    ],
    "collected_via": ["web", "paper", "fax", None],
    "given_by": [None, "subject", "representative", "employer", "boss"],
    "actor": ["crm", None, "a" * 501],
    "evidence": [None, "form-1", "e" * 501],
    "idempotency_key": [None, None, "crm-1", "crm-2", "k" * 201],
}
import_cells = st.fixed_dictionaries(
    {column: st.sampled_from(values) for column, values in _CELLS.items()}
)


@given(rows=st.lists(import_cells, min_size=1, max_size=12))
def test_every_row_is_either_named_by_a_problem_or_becomes_a_valid_event(
    rows: list[dict[str, str | None]],
) -> None:
    checked = check(*rows)

    events = consent_events(checked.good, KEY, policy_id="ipko", recorded_at=IMPORTED_AT)

    bad_lines = {problem.line for problem in checked.problems}
    assert sorted([*bad_lines, *checked.good["line"].to_list()]) == list(range(2, len(rows) + 2))
    assert len(events) == checked.good.height
    assert all(event.type in set(EventType) for event in events)
    # Built without validation (the rows were checked): each is what validating it gives.
    for event in events:
        assert_as_validated(event)


@given(rows=st.lists(import_cells, max_size=12), batch_size=st.integers(1, 5))
def test_the_column_batches_hold_the_events_of_the_event_batches_row_for_row(
    rows: list[dict[str, str | None]], batch_size: int
) -> None:
    # What the import records (columns) is what consent_event_batches builds, but ids.
    checked = check(*subscriber_history(), *rows)

    events = [
        event.model_dump(exclude={"event_id"})
        for batch in consent_event_batches(checked, KEY, recorded_at=IMPORTED_AT, batch_size=3)
        for event in batch
    ]
    batches = list(
        consent_column_batches(checked, KEY, recorded_at=IMPORTED_AT, batch_size=batch_size)
    )

    held = [
        batch.event(index).model_dump(exclude={"event_id"})
        for batch in batches
        for index in range(batch.height)
    ]
    assert held == events
    assert all(batch.height <= batch_size for batch in batches)
    ids = [event_id for batch in batches for event_id in batch.frame["event_id"]]
    assert len(set(ids)) == len(ids)


def assert_as_validated(event: LedgerEvent) -> None:
    """`event` holds what `LedgerEvent` validation makes of its fields, value and type."""
    validated = LedgerEvent.model_validate(event.model_dump())
    for name in LedgerEvent.model_fields:
        ours, theirs = getattr(event, name), getattr(validated, name)
        assert (ours, type(ours)) == (theirs, type(theirs)), name


_WORDS = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zs", "Zl", "Zp")),
    min_size=1,
    max_size=12,
)


@given(
    actor=_WORDS,
    evidence=st.none() | _WORDS,
    instant=st.datetimes(
        min_value=datetime(2023, 1, 2),
        max_value=datetime(2024, 5, 1),
        timezones=st.sampled_from([UTC, timezone(timedelta(hours=5, minutes=30))]),
    ),
    channels=st.lists(st.sampled_from(["sms", "email"]), max_size=4),
    subject=st.sampled_from(["+38344000001", "C-0017"]),
)
def test_a_derived_key_is_derive_idempotency_key_of_what_the_row_says(
    actor: str, evidence: str | None, instant: datetime, channels: list[str], subject: str
) -> None:
    row = import_row(
        subject=subject,
        actor=actor,
        evidence=evidence,
        effective_at=instant.isoformat(),
        channels=";".join(channels) or None,
        idempotency_key=None,
    )
    checked = check(row)
    assert not checked.problems

    (event,) = events_of(checked)

    assert event.idempotency_key == derive_idempotency_key(
        event.subject,
        event.data,
        effective_at=event.effective_at,
        collected_via=event.collected_via,
        given_by=event.given_by,
        actor=event.actor,
        evidence=event.evidence,
        policy_id=event.policy_id,
        policy_version=event.policy_version,
    )


# ---------------------------------------------------------------- the error and the docs


def test_rejection_lists_twenty_problems_and_counts_the_rest() -> None:
    problems = [
        RowProblem(line, "actor", "give the actor", "missing-value") for line in range(2, 32)
    ]

    message = str(ImportRejectedError("crm.csv", problems, rows=30))

    assert message.count("missing-value") == 20
    assert "and 10 more problems" in message
    assert "30 of its 30 rows have problems" in message


def test_every_import_problem_code_is_documented_in_the_ledger_page() -> None:
    page = DOCS.read_text(encoding="utf-8")

    undocumented = [
        code
        for code in IMPORT_PROBLEM_CODES
        if re.search(rf"^\| `{re.escape(code)}` \|", page, flags=re.MULTILINE) is None
    ]

    assert not undocumented, (
        f"add a row to the import problem table of docs/ledger.md: {undocumented}"
    )


def test_problem_code_must_be_registered() -> None:
    with pytest.raises(ValueError, match="unregistered"):
        RowProblem(2, "actor", "whatever", "not-a-code")


def test_imports_under_another_key_name_other_subjects() -> None:
    other = PseudonymKey(bytes(range(1, 33)))

    (ours,) = events_of(check(import_row()))
    (theirs,) = consent_events(
        check(import_row()).good, other, policy_id="ipko", recorded_at=IMPORTED_AT
    )

    assert ours.subject != theirs.subject


def test_example_file_of_the_docs_has_no_problem() -> None:
    page = DOCS.read_text(encoding="utf-8")
    example = page.split("```csv\n", 1)[1].split("```", 1)[0]

    frame = pl.read_csv(example.encode("utf-8"), infer_schema=False)
    checked = check_consent_rows(frame, ipko(), IMPORTED_AT)

    assert checked.problems == ()
    assert checked.good.height == 4


def test_import_core_reads_neither_files_the_clock_nor_the_environment() -> None:
    package = Path(__file__).resolve().parents[2] / "src" / "placet" / "ledger" / "importing"
    calls = ("datetime.now(", "os.environ", "getenv(", "date.today(", "open(", "read_csv(")

    offenders = [
        (path.name, call)
        for path in package.glob("*.py")
        for call in calls
        if call in path.read_text(encoding="utf-8")
    ]

    assert offenders == []
