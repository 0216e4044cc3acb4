"""The printed copy of an access answer: the facts owed, the rows streamed, a readable PDF."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from placet.errors import PolicyError
from placet.notices import (
    AccessCopy,
    CopiedDataset,
    owed_facts,
    write_printed_copy_html,
    write_printed_copy_pdf,
)
from placet.notices.phrases import phrase
from placet.policy import Policy
from tests.notices.builders import minimal_policy, reference_policies

OWED_KEYS = {
    "language",
    "policy",
    "controller",
    "dpo",
    "purposes",
    "categories",
    "recipients",
    "transfers",
    "retention",
    "sources",
    "rights",
    "complaint",
    "automated_decisions",
}

SUBSCRIBER_NAME = "Dëshira Çelë Šćepanović-Đurđević Žaklina Æbeltoft Ørsted Åse"
"""A name with every letter of Albanian, Serbian and Danish that plain Latin lacks."""

START = datetime(2024, 3, 1, 8, 0, tzinfo=UTC)


def cdr_batches(
    count: int, *, batch_size: int = 500, before_batch: Callable[[int], None] | None = None
) -> Callable[[], Iterator[pa.RecordBatch]]:
    """CDRs of subscriber +38349123456 with the other party's number masked, in batches."""

    def rows() -> Iterator[pa.RecordBatch]:
        for number, first in enumerate(range(0, count, batch_size)):
            if before_batch is not None:
                before_batch(number)
            index = range(first, min(first + batch_size, count))
            yield pa.record_batch(
                {
                    "a_number": ["+38349123456"] * len(index),
                    "b_number": ["+38349******"] * len(index),
                    "start_time": pa.array(
                        [START + timedelta(minutes=7 * i) for i in index],
                        pa.timestamp("us", tz="UTC"),
                    ),
                    "duration_s": [30 + i % 300 for i in index],
                    "service": ["voice" if i % 3 else "sms" for i in index],
                    "cell_id": [f"KS-PR-{i:05d}" for i in index],
                }
            )

    return rows


def cdrs(
    policy: Policy,
    count: int = 12,
    *,
    role: str = "own",
    rows: Callable[[], Iterator[pa.RecordBatch]] | None = None,
) -> CopiedDataset:
    traffic = _category_with_flag(policy, "traffic")
    return CopiedDataset(
        dataset_id="cdrs",
        name="Call detail records",
        system="lake",
        categories=(traffic,),
        source="observed",
        provenance="observed",
        role=role,
        columns=("a_number", "b_number", "start_time", "duration_s", "service", "cell_id"),
        masked_columns=("b_number",) if role == "own" else ("a_number",),
        rows=rows or cdr_batches(count),
        row_count=count,
    )


def subscribers(policy: Policy, name: str = SUBSCRIBER_NAME) -> CopiedDataset:
    def rows() -> Iterator[pa.RecordBatch]:
        yield pa.record_batch(
            {
                "subscriber_id": ["S-0042"],
                "full_name": [name],
                "email": ["subscriber@example.com"],
                "is_business": [False],
            }
        )

    return CopiedDataset(
        dataset_id="subscribers",
        name="Subscribers",
        system="crm",
        categories=(policy.data_categories[0].id,),
        source="subject",
        provenance="provided",
        role="own",
        columns=("subscriber_id", "full_name", "email", "is_business"),
        masked_columns=(),
        rows=rows,
        row_count=1,
    )


def _category_with_flag(policy: Policy, flag: str) -> str:
    flagged = [category.id for category in policy.data_categories if flag in category.flags]
    return flagged[0] if flagged else policy.data_categories[-1].id


def access_copy(policy: Policy, language: str, *datasets: CopiedDataset) -> AccessCopy:
    return AccessCopy(
        request_id="R-2025-000123",
        subscriber="S-0042",
        language=language,
        policy=policy,
        received_at=datetime(2025, 3, 4, 9, 30, tzinfo=UTC),
        produced_at=datetime(2025, 3, 20, 14, 5, tzinfo=UTC),
        datasets=datasets or (subscribers(policy), cdrs(policy)),
    )


def html(copy: AccessCopy) -> str:
    sink = io.StringIO()
    write_printed_copy_html(copy, sink)
    return sink.getvalue()


def listed(facts: dict[str, object], key: str) -> list[dict[str, Any]]:
    value = facts[key]
    assert isinstance(value, list)
    return value


def policy_languages() -> list[tuple[Policy, str]]:
    return [(policy, language) for policy in reference_policies() for language in policy.languages]


def _case_id(case: object) -> str:
    if isinstance(case, Policy):
        return case.policy_id
    return str(case)


@pytest.mark.parametrize(("policy", "language"), policy_languages(), ids=_case_id)
def test_owed_facts_hold_every_key_as_json(policy: Policy, language: str) -> None:
    facts = owed_facts(policy, language, [subscribers(policy), cdrs(policy)])

    assert set(facts) >= OWED_KEYS
    assert json.loads(json.dumps(facts)) == facts
    assert facts["language"] == language


@pytest.mark.parametrize(("policy", "language"), policy_languages(), ids=_case_id)
def test_owed_facts_name_the_supervisory_authority_in_the_language(
    policy: Policy, language: str
) -> None:
    facts = owed_facts(policy, language, [cdrs(policy)])

    complaint: Any = facts["complaint"]
    authority = policy.controller.supervisory_authority
    assert complaint["authority"]["name"] == authority.name[language]
    assert complaint["authority"]["web"] == authority.web


@pytest.mark.parametrize(("policy", "language"), policy_languages(), ids=_case_id)
def test_owed_facts_give_each_purpose_its_legal_basis_in_words(
    policy: Policy, language: str
) -> None:
    facts = owed_facts(policy, language, [subscribers(policy), cdrs(policy)])

    purposes = listed(facts, "purposes")
    assert purposes
    for purpose in purposes:
        basis = purpose["legal_basis"]
        assert basis["name"] == phrase(f"legal-basis.{basis['id']}", language)


def test_owed_facts_list_the_categories_and_sources_of_the_subjects_datasets() -> None:
    policy = minimal_policy()
    datasets = [subscribers(policy), cdrs(policy)]

    facts = owed_facts(policy, "en", datasets)

    held = {category for dataset in datasets for category in dataset.categories}
    assert {category["id"] for category in listed(facts, "categories")} == held
    assert facts["sources"] == [
        {
            "dataset": "subscribers",
            "name": "Subscribers",
            "origin": {"id": "subject", "name": "from you"},
            "provenance": {"id": "provided", "name": "you provided it"},
            "described_as": [
                {"id": source.id, "name": source.name["en"]}
                for source in policy.data_sources
                if source.origin == "subject"
            ],
        },
        {
            "dataset": "cdrs",
            "name": "Call detail records",
            "origin": {"id": "observed", "name": "from your use of our services"},
            "provenance": {"id": "observed", "name": "recorded automatically"},
            "described_as": [
                {"id": source.id, "name": source.name["en"]}
                for source in policy.data_sources
                if source.origin == "observed"
            ],
        },
    ]


def test_owed_facts_leave_out_purposes_that_use_none_of_the_subjects_data() -> None:
    policy = reference_policies()[0]
    held = cdrs(policy).categories

    facts = owed_facts(policy, policy.source_language, [cdrs(policy)])

    for purpose in listed(facts, "purposes"):
        categories = {category["id"] for category in purpose["categories"]}
        assert not categories or categories & set(held), purpose["id"]


def test_owed_facts_refuse_a_language_the_policy_lacks() -> None:
    with pytest.raises(PolicyError, match="has no texts in 'da'"):
        owed_facts(minimal_policy(), "da", [])


def test_html_is_written_batch_by_batch() -> None:
    policy = minimal_policy()
    sink = io.StringIO()
    written_before: dict[int, str] = {}
    rows = cdr_batches(
        2000, batch_size=400, before_batch=lambda n: written_before.update({n: sink.getvalue()})
    )

    write_printed_copy_html(access_copy(policy, "en", cdrs(policy, 2000, rows=rows)), sink)

    last = max(written_before)
    assert last == 4
    assert "KS-PR-00000" in written_before[last]
    assert "KS-PR-01999" not in written_before[last]
    assert "KS-PR-01999" in sink.getvalue()


def test_html_returns_the_rows_it_wrote() -> None:
    policy = minimal_policy()
    copy = access_copy(policy, "en", subscribers(policy), cdrs(policy, 1234))

    assert write_printed_copy_html(copy, io.StringIO()) == 1235


def test_html_explains_the_masked_columns() -> None:
    policy = minimal_policy()

    page = html(access_copy(policy, "sq", cdrs(policy)))

    assert phrase("copy.masked", "sq", columns="b_number") in page
    assert "+38349******" in page


def test_html_explains_records_where_the_subject_is_the_other_party() -> None:
    policy = minimal_policy()

    page = html(access_copy(policy, "en", cdrs(policy, role="other-party")))

    assert phrase("copy.other-party", "en").replace("'", "&#39;") in page
    assert phrase("copy.masked", "en", columns="a_number").replace("'", "&#39;") in page


def test_html_prints_a_wide_dataset_on_landscape_pages() -> None:
    policy = minimal_policy()
    columns = tuple(f"column_{index}" for index in range(9))

    def rows() -> Iterator[pa.RecordBatch]:
        yield pa.record_batch({column: ["x"] for column in columns})

    wide = replace(cdrs(policy), columns=columns, masked_columns=(), rows=rows, row_count=1)

    page = html(access_copy(policy, "en", wide, cdrs(policy)))

    assert page.count('class="dataset wide"') == 1
    assert "@page wide { size: A4 landscape;" in page


def column_widths(page: str) -> list[list[float]]:
    """Each table's column widths (percent), from its `<colgroup>`."""
    return [
        [float(width) for width in re.findall(r'<col style="width: ([0-9.]+)%">', group)]
        for group in re.findall(r"<colgroup>(.*?)</colgroup>", page)
    ]


def test_html_gives_each_column_a_share_of_the_width_in_proportion_to_its_text() -> None:
    """The printed copy lays tables out at these fixed widths (an automatic layout took a
    third of a copy's time in WeasyPrint, and broke numbers across lines)."""
    policy = minimal_policy()

    page = html(access_copy(policy, "en", cdrs(policy)))

    (widths,) = column_widths(page)
    by_column = dict(zip(cdrs(policy).columns, widths, strict=True))
    assert sum(widths) == pytest.approx(100, abs=0.5)
    # start_time's values are the widest; a_number's are wider than service's.
    assert by_column["start_time"] == max(widths)
    assert by_column["a_number"] > by_column["service"]
    assert "table.rows { font-size: 7.5pt; table-layout: fixed; }" in page


def test_html_prints_a_dataset_whose_text_is_too_wide_for_a_portrait_page_on_landscape() -> None:
    """Four columns, fewer than the landscape rule's eight, of values too wide to sit side
    by side on a portrait page; the same four columns with short values stay portrait."""
    policy = minimal_policy()
    columns = tuple(f"column_{index}" for index in range(4))

    def four(value: str) -> CopiedDataset:
        def rows() -> Iterator[pa.RecordBatch]:
            yield pa.record_batch({column: [value] for column in columns})

        return replace(cdrs(policy), columns=columns, masked_columns=(), rows=rows, row_count=1)

    long_values = html(access_copy(policy, "en", four("s3://ipko-care-recordings/2025/06/x.wav")))
    short_values = html(access_copy(policy, "en", four("voice")))

    assert long_values.count('class="dataset wide"') == 1
    assert 'class="dataset wide"' not in short_values


def test_html_reads_past_a_batch_with_no_rows() -> None:
    policy = minimal_policy()
    twelve = cdr_batches(12)

    def rows() -> Iterator[pa.RecordBatch]:
        first = next(twelve())
        yield first.slice(0, 0)
        yield first

    buffer = io.StringIO()
    written = write_printed_copy_html(access_copy(policy, "en", cdrs(policy, rows=rows)), buffer)

    assert written == 12
    assert buffer.getvalue().count("+38349******") == 12


def test_html_escapes_the_stored_values() -> None:
    policy = minimal_policy()

    page = html(access_copy(policy, "en", subscribers(policy, name="<script>x</script>")))

    assert "<script>" not in page
    assert "&lt;script&gt;x&lt;/script&gt;" in page


class _References(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.external: list[str] = []
        self.ids: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if values.get("id"):
            self.ids.append(str(values["id"]))
        for name in ("src", "href"):
            if (values.get(name) or "#").startswith("#") is False:
                self.external.append(f"{tag} {name}={values[name]}")
        if tag == "script":
            self.external.append("script")


@pytest.mark.parametrize(("policy", "language"), policy_languages(), ids=_case_id)
def test_html_is_one_self_contained_page_with_unique_ids(policy: Policy, language: str) -> None:
    references = _References()

    copy = access_copy(
        policy, language, subscribers(policy), cdrs(policy), cdrs(policy, role="other-party")
    )

    references.feed(html(copy))

    assert references.external == []
    assert len(references.ids) == len(set(references.ids))


def pdf_text(path: Path) -> str:
    from pypdf import PdfReader

    reader = PdfReader(path)
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


@pytest.mark.slow
@pytest.mark.parametrize(("policy", "language"), policy_languages(), ids=_case_id)
def test_pdf_is_a_readable_document_in_each_language(
    policy: Policy, language: str, tmp_path: Path
) -> None:
    path = tmp_path / "copy.pdf"

    shown = write_printed_copy_pdf(access_copy(policy, language), path)

    text = pdf_text(path)
    assert shown == 13
    assert phrase("copy.title", language) in text
    assert "KS-PR-00011" in text
    assert "Šćepanović-Đurđević" in text
    assert "Ørsted Åse" in text
    assert re.search(phrase("document.page", language, page=1, pages=r"\d+"), text)


@pytest.mark.slow
def test_pdf_says_how_many_rows_it_leaves_out(tmp_path: Path) -> None:
    policy = minimal_policy()
    path = tmp_path / "copy.pdf"

    shown = write_printed_copy_pdf(
        access_copy(policy, "sq", cdrs(policy, 10)), path, max_rows_per_dataset=3
    )

    text = pdf_text(path)
    assert shown == 3
    assert phrase("copy.rows-left-out", "sq", shown=3, total=10, more=7) in text
    assert "KS-PR-00002" in text
    assert "KS-PR-00003" not in text


@pytest.mark.slow
def test_pdf_reads_no_batch_past_the_rows_it_shows(tmp_path: Path) -> None:
    policy = minimal_policy()
    pulled: list[int] = []
    rows = cdr_batches(2000, batch_size=400, before_batch=pulled.append)

    shown = write_printed_copy_pdf(
        access_copy(policy, "en", cdrs(policy, 2000, rows=rows)),
        tmp_path / "copy.pdf",
        max_rows_per_dataset=500,
    )

    assert shown == 500
    assert pulled == [0, 1]


@pytest.mark.slow
def test_pdf_says_nothing_is_left_out_when_every_row_fits(tmp_path: Path) -> None:
    policy = minimal_policy()
    path = tmp_path / "copy.pdf"

    write_printed_copy_pdf(access_copy(policy, "en", cdrs(policy, 3)), path, max_rows_per_dataset=3)

    assert "The other rows" not in pdf_text(path)


def test_a_purpose_on_aggregates_made_from_everyones_data_concerns_every_subject() -> None:
    from placet.policy import load_policy_set

    ipnordic = load_policy_set("ipnordic").latest
    facts = owed_facts(ipnordic, "en", [subscribers(ipnordic), cdrs(ipnordic)])

    # 004: aggregated data about "our customers", made from their personal data and shared
    # with Enreach as joint controller; no dataset of the subject holds the aggregate.
    assert "business-intelligence" in {purpose["id"] for purpose in listed(facts, "purposes")}
    assert "enreach" in {recipient["id"] for recipient in listed(facts, "recipients")}
