"""`decide_subjects` and `select_subjects`: a table of subjects decided over their states."""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, replace
from datetime import datetime

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from placet.decide import (
    Decision,
    SubjectState,
    Use,
    bulk,
    decide_subjects,
    decide_use,
    select_subjects,
)
from placet.decide.bulk import join_by_numbers, join_by_subject, states_frame, subject_numbers
from placet.policy.model import Policy
from placet.policy.terms import Channel
from tests.decide.builders import NOW, make_subject, make_use, reference
from tests.decide.test_bulk import INSTANTS, OPERATORS, subject_states, uses


def pseudonym(name: str) -> str:
    """A subject reference shaped as the ledger's: 64 hex digits."""
    return hashlib.sha256(name.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class Drawn:
    """Random states, a table naming them and strangers in any order, and a use."""

    policy: Policy
    states: list[SubjectState]
    table: pl.DataFrame
    use: Use

    def single(self, at: datetime) -> list[Decision]:
        """Each row's single decision."""
        by_subject = {state.subject: state for state in self.states}
        return [
            decide_use(self.policy, by_subject.get(name) or SubjectState(name, at), self.use, at)
            for name in self.table["subject"]
        ]


def draw_table(data: st.DataObject, operator: str, named: str) -> Drawn:
    """By pseudonym, the states and the table are joined by the pseudonyms' numbers; by
    name (not 64 hex digits), on the strings."""
    policy = reference(operator)
    drawn = data.draw(st.lists(subject_states(policy), min_size=0, max_size=10))
    if named == "by-pseudonym":
        drawn = [replace(state, subject=pseudonym(state.subject)) for state in drawn]
    states = list({state.subject: state for state in drawn}.values())
    strangers = data.draw(
        st.lists(st.sampled_from(["x-1", "x-2", pseudonym("x-3"), "f" * 64]), max_size=3)
    )
    names = data.draw(st.permutations([state.subject for state in states] + strangers))
    table = pl.DataFrame(
        {"row": list(range(len(names))), "subject": names},
        schema={"row": pl.Int64, "subject": pl.String},
    )
    return Drawn(policy, states, table, data.draw(uses(policy)))


NAMED = st.sampled_from(["by-name", "by-pseudonym"])


@settings(max_examples=60)
@given(data=st.data(), operator=st.sampled_from(OPERATORS), at=INSTANTS, named=NAMED)
def test_each_row_of_a_table_gets_the_single_decision_of_its_subject_in_the_tables_order(
    data: st.DataObject, operator: str, at: datetime, named: str
) -> None:
    drawn = draw_table(data, operator, named)

    decided = decide_subjects(
        drawn.policy, states_frame(drawn.states).lazy(), drawn.table, drawn.use, at
    )

    expected = [decision.reason for decision in drawn.single(at)]
    assert decided.select("row", "subject").equals(drawn.table)
    assert decided["reason"].cast(pl.String).to_list() == expected


@settings(max_examples=60)
@given(data=st.data(), operator=st.sampled_from(OPERATORS), at=INSTANTS, named=NAMED)
def test_a_selection_is_the_permitted_rows_in_order_and_the_others_counted_by_reason(
    data: st.DataObject, operator: str, at: datetime, named: str
) -> None:
    drawn = draw_table(data, operator, named)

    selection = select_subjects(
        drawn.policy, states_frame(drawn.states).lazy(), drawn.table, drawn.use, at
    )

    decisions = drawn.single(at)
    permitted = [row for row, decision in enumerate(decisions) if decision.is_permitted]
    assert selection.permitted.equals(drawn.table[permitted])
    denied = Counter(decision.reason for decision in decisions if not decision.is_permitted)
    assert selection.excluded == dict(denied)


def test_a_subject_with_no_state_is_decided_on_the_empty_state() -> None:
    policy = reference("ipko")
    states = states_frame([make_subject(consents=("current-offers",))]).lazy()
    use = make_use("direct-marketing-current-offers", "contact", channel=Channel.SMS)
    table = pl.DataFrame({"subject": ["nobody", make_subject().subject]})

    decided = decide_subjects(policy, states, table, use, NOW)

    nobody = decide_use(policy, SubjectState("nobody", NOW), use, NOW)
    assert nobody.reason == "subject-type-not-covered"  # nothing recorded: not a subscriber
    assert decided.select("outcome", "reason").rows() == [
        ("deny", "subject-type-not-covered"),
        ("permit", "permitted"),
    ]


@pytest.mark.parametrize(
    "shared",
    [
        pytest.param("first", id="two-subjects-share-the-join-hash"),
        pytest.param("both", id="they-share-both-hashes-and-a-row-matches-twice"),
    ],
)
def test_subjects_sharing_a_hash_are_joined_again_on_their_strings(
    monkeypatch: pytest.MonkeyPatch, shared: str
) -> None:
    # Every subject given the same first hash (and, in the second case, the same second
    # one): a match by hash alone would give "nobody" the state of "someone".
    def collide(check: str) -> list[pl.Expr]:
        second = pl.lit(7, dtype=pl.UInt64) if shared == "both" else pl.col("subject").hash(1)
        return [pl.lit(1, dtype=pl.UInt64).alias(bulk._KEY), second.alias(check)]

    monkeypatch.setattr(bulk, "_hashes", collide)
    left = pl.DataFrame({"subject": ["nobody", "someone"], "n": [1, 2]})
    right = pl.DataFrame({"subject": ["someone", "another"], "flag": [True, False]})
    if shared == "first":
        right = right.head(1)

    joined = join_by_subject(left, right)

    assert joined.rows() == [("nobody", 1, None), ("someone", 2, True)]


def test_the_join_by_hash_gives_what_the_join_by_string_gives() -> None:
    left = pl.DataFrame({"subject": [f"{n:064x}" for n in range(2_000, 0, -1)], "n": range(2_000)})
    right = pl.DataFrame(
        {"subject": [f"{n:064x}" for n in range(0, 3_000, 3)], "value": range(1_000)}
    )
    expected = left.join(right, on="subject", how="left", maintain_order="left")
    assert join_by_subject(left, right).equals(expected)


def numbered(subjects: list[str], **values: list[object]) -> pl.DataFrame:
    frame = pl.DataFrame({"subject": subjects, **values})
    return frame.with_columns(subject_numbers(pl.col("subject"))).drop("subject")


def test_the_join_by_numbers_gives_what_the_join_by_string_gives() -> None:
    names = [pseudonym(str(n)) for n in range(3_000)]
    left = pl.DataFrame({"subject": [*names[2_000:0:-1], "someone", "ABC"], "n": range(2_002)})
    right = pl.DataFrame({"subject": names[::3], "value": range(1_000)})
    expected = left.join(right, on="subject", how="left", maintain_order="left")
    by_numbers = right.with_columns(subject_numbers(pl.col("subject"))).drop("subject")
    shuffled = by_numbers.sample(fraction=1, shuffle=True, seed=1)
    assert join_by_numbers(left, shuffled).equals(expected)
    assert join_by_numbers(left, by_numbers).equals(expected)


def test_a_subject_sharing_only_the_first_number_matches_nothing() -> None:
    someone = pseudonym("someone")
    lookalike = someone[:16] + pseudonym("other")[16:]
    right = numbered([someone], flag=[True])
    left = pl.DataFrame({"subject": [lookalike, someone]})
    assert join_by_numbers(left, right).rows() == [(lookalike, None), (someone, True)]


@pytest.mark.parametrize(
    "subjects",
    [
        pytest.param(["someone", pseudonym("other")], id="a-subject-is-not-a-pseudonym"),
        pytest.param(
            [pseudonym("someone"), pseudonym("someone")[:16] + pseudonym("other")[16:]],
            id="two-subjects-share-the-first-number",
        ),
    ],
)
def test_the_numbers_that_cannot_tell_subjects_apart_give_way_to_the_strings(
    subjects: list[str],
) -> None:
    right = numbered(subjects, flag=[True, False])
    assert join_by_numbers(pl.DataFrame({"subject": subjects}), right) is None
    policy = reference("ipko")
    use = make_use("direct-marketing-current-offers", "contact", channel=Channel.SMS)
    states = [
        make_subject(subject=subjects[0], consents=("current-offers",)),
        make_subject(subject=subjects[1]),
    ]
    table = pl.DataFrame({"subject": subjects[::-1]})
    decided = decide_subjects(policy, states_frame(states).lazy(), table, use, NOW)
    assert decided["outcome"].to_list() == ["deny", "permit"]


def test_the_permitted_rows_keep_the_tables_order_not_the_numbers() -> None:
    policy = reference("ipko")
    use = make_use("direct-marketing-current-offers", "contact", channel=Channel.SMS)
    names = sorted(pseudonym(str(n)) for n in range(50))[::-1]
    states = [make_subject(subject=name, consents=("current-offers",)) for name in names[::2]]
    table = pl.DataFrame({"subject": names})

    selection = select_subjects(policy, states_frame(states).lazy(), table, use, NOW)

    assert selection.permitted["subject"].to_list() == names[::2]
    assert selection.excluded == {"subject-type-not-covered": 25}


@settings(max_examples=60)
@given(
    data=st.data(),
    operator=st.sampled_from(OPERATORS),
    at=INSTANTS,
    in_order=st.booleans(),
    with_strings=st.booleans(),
)
def test_a_table_carrying_its_subjects_numbers_is_decided_as_by_its_strings(
    data: st.DataObject, operator: str, at: datetime, in_order: bool, with_strings: bool
) -> None:
    drawn = draw_table(data, operator, "by-pseudonym")
    numbered_table = drawn.table.with_columns(subject_numbers(pl.col("subject")))
    if in_order:
        numbered_table = numbered_table.sort("subject_key", nulls_last=True)
    by_strings = numbered_table.select("row", "subject")
    table = numbered_table if with_strings else numbered_table.drop("subject")
    states = states_frame(drawn.states).lazy()

    selection = select_subjects(drawn.policy, states, table, drawn.use, at)
    decided = decide_subjects(drawn.policy, states, table, drawn.use, at)

    expected = select_subjects(drawn.policy, states, by_strings, drawn.use, at)
    assert selection.permitted["row"].to_list() == expected.permitted["row"].to_list()
    assert selection.excluded == expected.excluded
    every = decide_subjects(drawn.policy, states, by_strings, drawn.use, at)
    assert decided.select("row", "reason").equals(every.select("row", "reason"))


def test_a_table_whose_numbers_are_not_unsigned_64_bit_is_refused() -> None:
    policy = reference("ipko")
    use = make_use("direct-marketing-current-offers", "contact", channel=Channel.SMS)
    table = numbered([pseudonym("someone")]).with_columns(pl.col("subject_key").cast(pl.Int64))

    states = states_frame([make_subject(subject=pseudonym("someone"))]).lazy()

    with pytest.raises(ValueError, match="subject_key column is Int64, not UInt64"):
        select_subjects(policy, states, table, use, NOW)


def test_a_table_of_numbers_alone_needs_states_named_by_pseudonyms() -> None:
    policy = reference("ipko")
    use = make_use("direct-marketing-current-offers", "contact", channel=Channel.SMS)
    states = states_frame([make_subject(subject="someone", consents=("current-offers",))])

    with pytest.raises(ValueError, match="give the table its subject column"):
        select_subjects(policy, states.lazy(), numbered([pseudonym("someone")]), use, NOW)


@pytest.mark.parametrize("in_order", [True, False], ids=["in-their-order", "in-another-order"])
def test_a_large_table_of_numbers_alone_selects_what_its_strings_select(in_order: bool) -> None:
    policy = reference("ipko")
    use = make_use("direct-marketing-current-offers", "contact", channel=Channel.SMS)
    names = [pseudonym(str(n)) for n in range(3_000)]
    states = [make_subject(subject=name, consents=("current-offers",)) for name in names[::3]]
    strings = pl.DataFrame({"row": range(2_000), "subject": names[2_000:0:-1]})
    table = strings.with_columns(subject_numbers(pl.col("subject")))
    if in_order:
        table = table.sort("subject_key")
    frame = states_frame(states).lazy()

    selection = select_subjects(policy, frame, table.drop("subject"), use, NOW)

    expected = select_subjects(policy, frame, table.select("row", "subject"), use, NOW)
    assert selection.permitted["row"].to_list() == expected.permitted["row"].to_list()
    assert selection.permitted.height == 666
    assert selection.excluded == expected.excluded == {"subject-type-not-covered": 1_334}
