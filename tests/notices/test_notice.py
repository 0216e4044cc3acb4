"""The published notice is rendered from the policy elements, in each of its languages."""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser
from itertools import pairwise

import pytest
from markdown_it import MarkdownIt

from placet.errors import PolicyError
from placet.notices import NoticeFormat, render_notice
from placet.notices.notice import escape_markdown
from placet.notices.phrases import PHRASES, enum_words
from placet.policy import Policy
from tests.notices.builders import (
    make_policy,
    minimal_policy,
    reference_policies,
    rich_policy,
    with_languages,
    with_recipients,
    with_translated,
)


def markdown(policy: Policy, language: str = "en") -> str:
    return render_notice(policy, language, NoticeFormat.MARKDOWN).decode("utf-8")


def html(policy: Policy, language: str = "en") -> str:
    return render_notice(policy, language, NoticeFormat.HTML).decode("utf-8")


class Outline(HTMLParser):
    """The headings, ids, links and external references of an HTML page."""

    def __init__(self) -> None:
        super().__init__()
        self.levels: list[int] = []
        self.ids: set[str] = set()
        self.links: list[str] = []
        self.external: list[str] = []
        self.html_lang: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "html":
            self.html_lang = found.get("lang")
        if re.fullmatch(r"h[1-6]", tag):
            self.levels.append(int(tag[1]))
        if found.get("id"):
            self.ids.add(str(found["id"]))
        if tag == "a" and found.get("href"):
            self.links.append(str(found["href"]))
        if tag in ("link", "script", "img", "iframe") or found.get("src"):
            self.external.append(tag)


def outline(page: str) -> Outline:
    parser = Outline()
    parser.feed(page)
    return parser


def test_notice_renders_every_purpose_with_its_legal_basis() -> None:
    policy = rich_policy()

    text = markdown(policy)

    for purpose in policy.purposes:
        assert purpose.legal_basis is not None
        entry = text.split(f"### {purpose.name['en']}\n", 1)[1].split("\n### ", 1)[0]
        assert f"**Legal basis:** {enum_words(purpose.legal_basis, 'en')}" in entry


def test_notice_shows_the_flags_of_a_data_category_in_words() -> None:
    text = markdown(minimal_policy())

    assert "**Kind of data:** traffic data" in text


def test_notice_says_who_the_controller_and_the_dpo_are() -> None:
    text = markdown(rich_policy())

    assert "Example Telecom LLC (“Example”) is the controller of your personal data." in text
    assert "**Owner:** Example Group" in text
    assert "**Registration number:** CVR 12345678" in text
    assert "### Data protection officer" in text
    assert "dpo@example.test" in text


def test_notice_states_the_conditions_a_subscriber_cares_about() -> None:
    text = markdown(rich_policy())

    assert "Traffic and location data are used for this only with your prior consent." in text
    assert "No consent is needed once the data has been anonymised." in text
    assert "override an objection" in text
    assert "For children under 18, only with consent." in text
    assert "**Legitimate interest pursued:** Keeping the network and its customers safe." in text
    assert "It continues for up to 2 years after your last contract ends." in text


def test_notice_lists_consent_options_with_how_to_withdraw() -> None:
    text = markdown(minimal_policy())

    assert "## Your consent options" in text
    assert "**How to withdraw:** SMS, e-mail" in text


def test_notice_states_retention_periods_and_anchors_in_words() -> None:
    text = markdown(rich_policy())

    assert (
        "6 years from the end of the year the record belongs to or from the end of the last "
        "contract, whichever is later"
    ) in text
    assert "This rule does not apply to processing based on: Consent." in text


def test_notice_names_recipients_by_kind_and_transfers_with_their_safeguard() -> None:
    text = markdown(rich_policy())

    assert "### Processors" in text
    assert "**Safeguard:** standard contractual clauses" in text
    assert "We transfer personal data to third countries." in text


def test_recipient_named_like_its_group_heading_is_not_repeated_as_a_title() -> None:
    policy = with_recipients(
        minimal_policy(),
        {
            "id": "processors",
            "name": {"en": "processors.", "sq": "Përpunuesit"},
            "kind": "processor",
            "description": {"en": "We use several processors.", "sq": "Disa përpunues."},
            "purposes": ["contract"],
        },
    )

    text = markdown(policy)

    group = text.split("### Processors\n", 1)[1].split("\n## ", 1)[0]
    assert "#### processors." not in group
    assert group.lstrip().startswith("We use several processors.")
    assert "#### IT provider" in group
    assert html(policy).count(">Processors</h") == 1


def test_notice_names_recipient_countries_in_its_language() -> None:
    policy = rich_policy()

    english = markdown(policy)
    albanian = markdown(policy, "sq")

    assert "**Country:** United States" in english
    assert "**Country:** Kosovo" in english
    assert "**Shteti:** Shtetet e Bashkuara të Amerikës" in albanian
    assert "**Shteti:** Kosova" in albanian
    assert "**Country:** US" not in english


def test_notice_says_how_many_texts_are_translations_made_for_placet() -> None:
    policy = with_translated(rich_policy(), ["title.sq", "summary.sq", "purposes[0].name.en"])

    text = markdown(policy, "sq")

    header = text.split("## Përmbajtja", 1)[0]
    assert "2 nga " in header
    assert "janë përkthyer për Placet nga tekstet tona origjinale." in header
    assert (
        "Në rast mospërputhjeje, teksti ynë origjinal mbizotëron mbi përkthimin e bërë për "
        "Placet." in header
    )
    assert "anglisht" not in header


def test_notice_in_a_translated_language_says_the_operators_own_text_prevails() -> None:
    policy = with_translated(with_languages(rich_policy(), ["da"]), ["title.da"])

    page = html(policy, "da")

    assert "har vores egen tekst forrang frem for en oversættelse lavet til Placet." in page
    assert "engelsk forrang" not in page


def test_notice_in_the_source_language_says_its_placet_texts_were_written_or_translated() -> None:
    policy = with_translated(rich_policy(), ["title.sq", "purposes[0].name.en"])

    text = markdown(policy, "en")

    assert "1 of the " in text
    assert "texts in this privacy policy was written or translated for Placet; the others" in text


def test_notice_in_the_source_language_says_the_operators_own_text_prevails() -> None:
    # IPKO's English retention texts are translations of its Serbian long form: there, the
    # Serbian original prevails over the English, though English is the first language.
    policy = with_translated(rich_policy(), ["purposes[0].name.en"])

    text = markdown(policy, "en")

    assert "our own text prevails over a translation made for Placet." in text


def test_notice_whose_texts_are_all_translated_says_so() -> None:
    text = markdown(minimal_policy(), "sq")

    assert "Të gjitha 24 tekstet e kësaj politike të privatësisë janë përkthyer" in text


def test_notice_sentence_on_translations_sits_by_the_version_line() -> None:
    policy = with_translated(rich_policy(), ["title.sq"])

    page = html(policy, "sq")

    masthead = page.split("</header>", 1)[0]
    assert re.search(r'<p class="version">[^<]*</p>\s*<p class="translations">1 nga ', masthead)
    version_section = page.split('id="version"', 1)[1]
    assert "1 nga " in version_section


def test_notice_without_translations_makes_no_claim_about_them() -> None:
    policy = with_translated(rich_policy(), ["title.sq"])

    text = markdown(policy, "en")

    assert "Placet" not in text
    assert "prevails" not in text


def test_serbian_sentence_on_translations_agrees_with_the_count() -> None:
    policy = with_languages(rich_policy(), ["sr"])
    two = with_translated(policy, ["title.sr", "summary.sr"])
    five = with_translated(
        policy,
        [f"purposes[{index}].name.sr" for index in range(3)]
        + [
            "title.sr",
            "summary.sr",
        ],
    )

    assert "2 teksta ove politike privatnosti" in markdown(two, "sr")
    assert "prevedena su za Placet" in markdown(two, "sr")
    assert "5 tekstova ove politike privatnosti" in markdown(five, "sr")
    assert "prevedeno je za Placet" in markdown(five, "sr")


def test_html_title_names_the_controller_when_the_policy_title_does_not() -> None:
    policy = make_policy(title={"en": "Privacy policy", "sq": "Politika e privatësisë"})

    page = html(policy, "sq")

    assert "<title>Politika e privatësisë – Example</title>" in page
    assert "<h1>Politika e privatësisë</h1>" in page


def test_html_title_is_the_policy_title_when_it_names_the_controller() -> None:
    page = html(make_policy(title={"en": "EXAMPLE privacy policy", "sq": "x"}))

    assert "<title>EXAMPLE privacy policy</title>" in page


def test_notice_states_the_request_deadline_and_its_extension() -> None:
    text = markdown(minimal_policy())

    assert "We answer within 1 month of receiving your request." in text
    assert "This can be extended to 3 months in total, and we tell you why." in text


def test_notice_shows_the_cookie_banner_with_its_button_labels() -> None:
    text = markdown(rich_policy(), "sq")

    assert "**Butoni për pranim:** Në rregull" in text
    assert "**Butoni për refuzim:** Jo faleminderit" in text


def test_notice_ends_with_the_version_and_effective_date() -> None:
    text = markdown(minimal_policy())

    assert text.rstrip().endswith("Version 1.0, in force from 1 January 2024.")


@pytest.mark.parametrize("language", ["sq", "sr", "da"])
def test_notice_headings_come_from_the_phrase_table_of_its_language(language: str) -> None:
    policy = with_languages(rich_policy(), ["sr", "da"])

    text = markdown(policy, language)

    for key in ("heading.purposes", "heading.rights", "heading.retention", "heading.cookies"):
        assert f"## {PHRASES[key][language]}" in text


def test_unknown_language_is_refused_with_the_policy_languages() -> None:
    with pytest.raises(PolicyError, match=r"its languages are en, sq"):
        render_notice(minimal_policy(), "fr", NoticeFormat.HTML)


def test_html_notice_is_one_self_contained_page_in_its_language() -> None:
    page = html(rich_policy(), "sq")

    found = outline(page)
    assert found.html_lang == "sq"
    assert "<style>" in page
    assert found.external == []


def test_html_table_of_contents_links_to_every_section() -> None:
    found = outline(html(rich_policy()))

    anchors = [link[1:] for link in found.links if link.startswith("#")]
    assert "purposes" in anchors
    assert "cookies" in anchors
    assert set(anchors) <= found.ids


def test_html_headings_descend_one_level_at_a_time() -> None:
    levels = outline(html(rich_policy())).levels

    assert levels[0] == 1
    assert levels.count(1) == 1
    assert all(after - before <= 1 for before, after in pairwise(levels))


def test_html_notice_escapes_policy_text() -> None:
    policy = make_policy(summary={"en": "<script>alert(1)</script> & more", "sq": "x"})

    page = html(policy)

    assert "<script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in page


def test_markdown_notice_escapes_policy_text() -> None:
    tricky = "*Not bold* _nor this_ [no link](x) <b>1</b>\n1. not a list\n# not a heading"
    policy = make_policy(summary={"en": tricky, "sq": "x"})

    rendered = MarkdownIt("commonmark").render(markdown(policy))

    summary = rendered.split("</h1>", 1)[1].split("<h2>", 1)[0]
    assert "<em>Not" not in summary
    assert "<em>nor" not in summary
    assert "<a " not in summary
    assert "<ol" not in summary
    assert summary.count("<h1>") == 0
    assert "*Not bold* _nor this_ [no link](x) &lt;b&gt;1&lt;/b&gt;" in summary


def test_markdown_notice_is_commonmark_with_one_title_and_a_section_per_heading() -> None:
    tokens = MarkdownIt("commonmark").parse(markdown(rich_policy()))

    headings = [token.tag for token in tokens if token.type == "heading_open"]
    assert headings.count("h1") == 1
    assert headings[1:3] == ["h2", "h2"]


def test_markdown_escaping_leaves_plain_words_alone() -> None:
    assert escape_markdown("IPKO Telecommunications LLC, Prishtinë") == (
        "IPKO Telecommunications LLC, Prishtinë"
    )
    assert escape_markdown("- dash\n2) two") == "\\- dash\n2\\) two"


@pytest.mark.parametrize("policy", reference_policies(), ids=lambda policy: policy.policy_id)
def test_reference_policy_renders_in_each_of_its_languages(policy: Policy) -> None:
    for language in policy.languages:
        text = markdown(policy, language)
        page = html(policy, language)
        for purpose in policy.purposes:
            assert escape_markdown(purpose.name[language]) in text
        assert outline(page).html_lang == language


@pytest.mark.parametrize("policy", reference_policies(), ids=lambda policy: policy.policy_id)
def test_reference_policy_never_titles_a_recipient_with_its_group_heading(policy: Policy) -> None:
    for language in policy.languages:
        lines = markdown(policy, language).splitlines()
        headings = [line for line in lines if line.startswith("#")]
        for group, first in pairwise(headings):
            if group.startswith("### ") and first.startswith("#### "):
                assert group[4:].casefold() != first[5:].casefold(), (language, group)


@pytest.fixture(scope="module")
def pdf_text() -> str:
    from pypdf import PdfReader

    document = render_notice(rich_policy(), "sq", NoticeFormat.PDF)
    reader = PdfReader(io.BytesIO(document))
    return "\n".join(page.extract_text() for page in reader.pages)


@pytest.mark.slow
def test_pdf_notice_is_a_readable_document(pdf_text: str) -> None:
    assert "Example Telecom LLC" in pdf_text
    assert "Politika e privatësisë e Example Telecom" in pdf_text
    assert "ë" in pdf_text


@pytest.mark.slow
def test_pdf_footer_numbers_pages_in_the_notice_language(pdf_text: str) -> None:
    assert re.search(r"Faqja 1 nga \d+", pdf_text)


@pytest.mark.slow
def test_pdf_metadata_title_names_the_controller_when_the_policy_title_does_not() -> None:
    from pypdf import PdfReader

    policy = make_policy(title={"en": "Privacy policy", "sq": "x"})

    document = render_notice(policy, "en", NoticeFormat.PDF)

    metadata = PdfReader(io.BytesIO(document)).metadata
    assert metadata is not None
    assert metadata.title == "Privacy policy – Example"


def test_the_notice_names_the_purposes_data_is_needed_for_not_every_category_they_use() -> None:
    from placet.policy import load_policy_set

    ipko = load_policy_set("ipko").latest
    text = markdown(ipko, "en")
    provision = text.split("The data we ask you for are needed for", 1)[1].split("\n", 1)[0]

    # IPKO 002#106: only what the contract or the law requires, named in the contract; the
    # network's records (traffic, location, call-centre recordings) are asked of nobody.
    assert "The data we ask you for are needed for" in text
    assert "Location data" not in provision
    assert "Call Center calls" not in provision
    assert "Data required for the contract" not in text
    assert "The law requires this data where we ask you for it" in text
    assert "Where we ask you for this data to conclude or perform the contract" in text


def test_the_notice_says_whose_data_it_is_about_and_who_may_consent_for_a_line() -> None:
    from placet.policy import load_policy_set

    text = markdown(load_policy_set("ipko").latest, "sr")

    # 002#29: a person the subscriber lets use the services may give consent within them.
    subjects = text.split("## Čijih podataka se ova politika tiče", 1)[1].split("\n## ", 1)[0]
    assert "### Korisnik IPKO-ovih usluga" in subjects
    assert "pretplatnik će ovlastiti takvo lice da da saglasnost" in subjects
