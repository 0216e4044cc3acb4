"""The CLI mirror of the API: record consents and objections, decide, select an audience."""

from __future__ import annotations

import csv
import json
import re
import shlex
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from placet.cli.main import app
from placet.ledger import CollectedVia, PseudonymKey
from placet.operations import Provenance, record_subject_facts, start_contract
from placet.policy import load_policy_set
from placet.settings import get_settings
from placet.stores.sql_ledger import open_ledger
from tests.doc_pages import as_documented, fenced_block

runner = CliRunner()
KEY_HEX = "11" * 32
SUBSCRIBER = "38344111222"
OTHER = "38344999888"
SHOP = ["--actor", "shop-7", "--via", "shop"]


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'placet.db'}"
    monkeypatch.setenv("PLACET_DATABASE_URL", url)
    monkeypatch.setenv("PLACET_PSEUDONYM_KEY", KEY_HEX)
    monkeypatch.setenv("PLACET_POLICY", "ipko")
    get_settings.cache_clear()
    ledger = open_ledger(url)
    policies = load_policy_set("ipko")
    key = PseudonymKey.from_hex(KEY_HEX)
    started = datetime.now(UTC) - timedelta(days=30)
    provenance = Provenance(collected_via=CollectedVia.SHOP, actor="shop-7")
    for subscriber in (SUBSCRIBER, OTHER):
        start_contract(
            ledger,
            policies,
            key,
            subscriber,
            f"c-{subscriber}",
            provenance=provenance,
            recorded_at=started,
        )
        record_subject_facts(
            ledger,
            policies,
            key,
            subscriber,
            provenance=provenance,
            subject_type="consumer-subscriber",
            recorded_at=started,
        )
    yield url
    get_settings.cache_clear()


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


SMS_OFFERS = ["direct-marketing-current-offers", "--category", "contact", "--channel", "sms"]


def test_consent_given_in_a_shop_permits_the_campaign(database: str) -> None:
    code, output = run("consent", "give", SUBSCRIBER, "current-offers", *SHOP)
    assert code == 0, output
    assert "consent-given recorded" in output
    code, output = run("decide", SUBSCRIBER, *SMS_OFFERS)
    assert code == 0, output
    assert output.startswith("PERMIT (permitted)")
    assert "consent_options.current-offers" in output


def test_withdrawal_denies_the_campaign_with_exit_status_3(database: str) -> None:
    run("consent", "give", SUBSCRIBER, "current-offers", *SHOP)
    code, output = run("consent", "withdraw", SUBSCRIBER, "current-offers", *SHOP)
    assert code == 0, output
    code, output = run("decide", SUBSCRIBER, *SMS_OFFERS)
    assert code == 3
    assert output.startswith("DENY (consent-withdrawn)")


def test_decision_as_of_a_past_instant_replays_the_state_then(database: str) -> None:
    run("consent", "give", SUBSCRIBER, "current-offers", *SHOP)
    before = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    code, output = run("decide", SUBSCRIBER, *SMS_OFFERS, "--at", before)
    assert code == 3
    assert "no-consent" in output


def test_objection_to_direct_marketing_beats_the_consent(database: str) -> None:
    run("consent", "give", SUBSCRIBER, "current-offers", *SHOP)
    code, output = run("objection", "make", SUBSCRIBER, "--all-direct-marketing", *SHOP)
    assert code == 0, output
    code, output = run("decide", SUBSCRIBER, *SMS_OFFERS)
    assert "objection-direct-marketing" in output


def test_withdrawing_the_objection_lets_the_consent_permit_the_campaign_again(
    database: str,
) -> None:
    run("consent", "give", SUBSCRIBER, "current-offers", *SHOP)
    run("objection", "make", SUBSCRIBER, "--all-direct-marketing", *SHOP)
    objected = run("decide", SUBSCRIBER, *SMS_OFFERS)

    code, output = run("objection", "withdraw", SUBSCRIBER, "--all-direct-marketing", *SHOP)
    decided = run("decide", SUBSCRIBER, *SMS_OFFERS)

    assert objected[0] == 3
    assert objected[1].startswith("DENY (objection-direct-marketing)")
    assert code == 0, output
    assert "objection-withdrawn recorded" in output
    assert decided[0] == 0, decided[1]
    assert decided[1].startswith("PERMIT (permitted)")
    assert "consent_options.current-offers" in decided[1]


def test_same_idempotency_key_records_nothing_new(database: str) -> None:
    args = ["consent", "give", SUBSCRIBER, "current-offers", *SHOP, "--idempotency-key", "k-1"]
    run(*args)
    code, output = run(*args)
    assert code == 0
    assert "already recorded" in output


def test_subject_show_prints_state_and_history(database: str) -> None:
    run("consent", "give", SUBSCRIBER, "current-offers", *SHOP)
    code, output = run("subject", "show", SUBSCRIBER, "--history")
    assert code == 0, output
    assert '"option": "current-offers"' in output
    assert "consent-given via shop by shop-7" in output
    assert SUBSCRIBER not in output


def test_subject_show_prints_json_with_lists_and_rfc_3339_instants(database: str) -> None:
    run("consent", "give", SUBSCRIBER, "current-offers", "--channel", "sms", *SHOP)
    run("consent", "withdraw", SUBSCRIBER, "current-offers", *SHOP)
    code, output = run("subject", "show", SUBSCRIBER)

    assert code == 0, output
    state = json.loads(output)
    assert state["withdrawn"] == ["current-offers"]
    assert state["objections"] == []
    assert datetime.fromisoformat(state["as_of"]).tzinfo is not None
    assert "T" in state["as_of"]


def test_audience_lists_permitted_subscribers_and_counts_exclusions(
    database: str, tmp_path: Path
) -> None:
    run("consent", "give", SUBSCRIBER, "current-offers", *SHOP)
    subscribers = tmp_path / "subscribers.csv"
    subscribers.write_text(f"subscriber\n{SUBSCRIBER}\n{OTHER}\n")
    target = tmp_path / "audience.csv"
    code, output = run(
        "audience",
        "--subscribers",
        str(subscribers),
        "--purpose",
        "direct-marketing-current-offers",
        "--category",
        "contact",
        "--channel",
        "sms",
        "--output",
        str(target),
    )
    assert code == 0, output
    assert target.read_text().split() == ["subscriber", SUBSCRIBER]
    assert "1 of 2 subscribers permitted" in output
    assert "excluded, no-consent: 1" in output


def test_audience_quotes_an_identifier_that_holds_a_comma_or_a_quote(
    database: str, tmp_path: Path
) -> None:
    awkward = 'ACME, "north" 7'
    ledger = open_ledger(database)
    policies = load_policy_set("ipko")
    key = PseudonymKey.from_hex(KEY_HEX)
    provenance = Provenance(collected_via=CollectedVia.SHOP, actor="shop-7")
    started = datetime.now(UTC) - timedelta(days=30)
    start_contract(
        ledger, policies, key, awkward, "c-acme", provenance=provenance, recorded_at=started
    )
    record_subject_facts(
        ledger, policies, key, awkward, provenance=provenance,
        subject_type="consumer-subscriber", recorded_at=started,
    )  # fmt: skip
    ledger.engine.dispose()
    for subscriber in (awkward, SUBSCRIBER):
        run("consent", "give", subscriber, "current-offers", *SHOP)
    subscribers = tmp_path / "subscribers.csv"
    with subscribers.open("w", newline="", encoding="utf-8") as table:
        csv.writer(table).writerows([["subscriber"], [awkward], [OTHER], [SUBSCRIBER]])
    target = tmp_path / "audience.csv"

    code, output = run(
        "audience", "--subscribers", str(subscribers), "--purpose",
        "direct-marketing-current-offers", "--category", "contact", "--channel", "sms",
        "--output", str(target),
    )  # fmt: skip

    assert code == 0, output
    with target.open(newline="", encoding="utf-8") as written:
        assert list(csv.reader(written)) == [["subscriber"], [awkward], [SUBSCRIBER]]


def test_audience_run_is_recorded_listed_shown_and_replayed(database: str, tmp_path: Path) -> None:
    run("consent", "give", SUBSCRIBER, "current-offers", *SHOP)
    subscribers = tmp_path / "subscribers.csv"
    subscribers.write_text(f"subscriber\n{SUBSCRIBER}\n{OTHER}\n")
    code, output = run(
        "audience",
        "--subscribers",
        str(subscribers),
        "--purpose",
        *SMS_OFFERS,
        "--actor",
        "crm-campaigns",
        "--output",
        str(tmp_path / "audience.csv"),
    )
    assert code == 0, output
    record_id = re.search(r"Recorded as audience run ([0-9a-f-]{36})", output)
    assert record_id is not None, output
    run("consent", "withdraw", SUBSCRIBER, "current-offers", *SHOP)  # later: not in the replay

    listed = run("decisions", "list", "--kind", "audience-run")
    shown = run("decisions", "show", record_id[1])
    hint = re.search(r"replay it with `placet (decisions replay [^`]+)`", output)
    assert hint is not None, output
    replayed = run(*shlex.split(hint[1]))  # the command the audience run said to use
    subscribers.write_text(f"subscriber\n{OTHER}\n")
    other = run("decisions", "replay", record_id[1], "--subscribers", str(subscribers))

    assert record_id[1] in listed[1]
    assert "1/2 permitted" in listed[1]
    assert json.loads(shown[1])["actor"] == "crm-campaigns"
    assert replayed == (0, replayed[1])
    assert "Replayed: the same subscribers were selected" in replayed[1]
    assert other[0] == 1
    assert "differs: the subscribers given are not those the run was given" in other[1]
    verified = run("ledger", "verify")
    assert "1 decision record verified" in verified[1]


def test_audience_of_the_subscribers_a_sql_query_selects(database: str, tmp_path: Path) -> None:
    run("consent", "give", SUBSCRIBER, "current-offers", *SHOP)
    crm = f"sqlite:///{tmp_path / 'crm.db'}"
    with create_engine(crm).begin() as connection:
        connection.execute(text("CREATE TABLE customers (msisdn TEXT)"))
        connection.execute(
            text("INSERT INTO customers VALUES (:msisdn)"),
            [{"msisdn": SUBSCRIBER}, {"msisdn": OTHER}],
        )

    code, output = run(
        "audience",
        "--query",
        "SELECT msisdn FROM customers",
        "--query-url",
        crm,
        "--purpose",
        *SMS_OFFERS,
        "--output",
        str(tmp_path / "audience.csv"),
    )
    neither = run("audience", "--purpose", *SMS_OFFERS)

    assert code == 0, output
    assert "1 of 2 subscribers permitted" in output
    assert (tmp_path / "audience.csv").read_text().split() == ["subscriber", SUBSCRIBER]
    assert neither[0] != 0
    assert "either --subscribers FILE or --query SQL" in neither[1]


def test_audience_from_a_snapshot_counts_the_events_recorded_since(
    database: str, tmp_path: Path
) -> None:
    run("consent", "give", SUBSCRIBER, "current-offers", *SHOP)
    snapshot = tmp_path / "states.parquet"
    written = run("ledger", "snapshot", str(snapshot))
    run("consent", "give", OTHER, "current-offers", *SHOP)  # after the snapshot
    subscribers = tmp_path / "subscribers.csv"
    subscribers.write_text(f"subscriber\n{SUBSCRIBER}\n{OTHER}\n")

    code, output = run(
        "audience",
        "--subscribers",
        str(subscribers),
        "--purpose",
        *SMS_OFFERS,
        "--snapshot",
        str(snapshot),
        "--output",
        str(tmp_path / "audience.csv"),
    )

    assert written[0] == 0, written[1]
    assert "as of ledger position" in written[1]
    assert code == 0, output
    assert "2 of 2 subscribers permitted" in output


def test_unknown_consent_option_is_refused_with_what_to_fix(database: str) -> None:
    code, output = run("consent", "give", SUBSCRIBER, "current-offer", *SHOP)
    assert code == 1
    assert "current-offer" in output


def test_recording_without_a_pseudonym_key_says_which_setting_to_set(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PLACET_DATABASE_URL", f"sqlite:///{tmp_path / 'x.db'}")
    monkeypatch.delenv("PLACET_PSEUDONYM_KEY", raising=False)
    get_settings.cache_clear()
    code, output = run("consent", "give", SUBSCRIBER, "current-offers", *SHOP)
    get_settings.cache_clear()
    assert code == 1
    assert "PLACET_PSEUDONYM_KEY" in output


def test_api_key_is_shown_once_listed_by_id_and_revoked(database: str) -> None:
    result = runner.invoke(app, ["keys", "create", "--name", "crm", "--scope", "decide"])
    assert result.exit_code == 0, result.output
    plaintext = result.stdout.strip().splitlines()[0]
    assert plaintext.startswith("placet_")
    code, listing = run("keys", "list")
    assert "crm" in listing
    assert plaintext not in listing
    key_id = listing.split()[0]
    code, output = run("keys", "revoke", key_id)
    assert code == 0, output
    assert "revoked" in run("keys", "list")[1]


IMPORT_HEADER = (
    "subject,event,option_or_purpose,channels,effective_at,collected_via,given_by,actor,"
    "evidence,idempotency_key\n"
)


def test_ledger_import_records_a_crm_export_and_is_idempotent(
    database: str, tmp_path: Path
) -> None:
    export = tmp_path / "crm.csv"
    export.write_text(
        IMPORT_HEADER
        + f"{SUBSCRIBER},consent-given,current-offers,sms,2025-05-01T12:00:00Z,shop,,shop-7,,\n"
    )
    code, output = run("ledger", "import", str(export))
    assert code == 0, output
    assert "Imported 1 events" in output
    code, output = run("ledger", "import", str(export))
    assert "Imported 0 events" in output
    assert run("decide", SUBSCRIBER, *SMS_OFFERS)[0] == 0


def test_ledger_import_with_a_bad_row_imports_nothing_and_names_the_line(
    database: str, tmp_path: Path
) -> None:
    export = tmp_path / "crm.csv"
    export.write_text(
        IMPORT_HEADER
        + f"{SUBSCRIBER},consent-given,current-offers,,2025-05-01T12:00:00Z,shop,,shop-7,,\n"
        + f"{OTHER},consent-given,no-such-option,,2025-05-01T12:00:00Z,shop,,shop-7,,\n"
    )
    code, output = run("ledger", "import", str(export))
    assert code == 1
    assert "line 3" in output
    assert "no-such-option" in output
    assert run("decide", SUBSCRIBER, *SMS_OFFERS)[0] == 3


def test_audience_of_a_numbered_table_selects_what_the_plain_table_selects(
    database: str, tmp_path: Path
) -> None:
    run("consent", "give", SUBSCRIBER, "current-offers", *SHOP)
    subscribers = tmp_path / "subscribers.csv"
    subscribers.write_text(f"subscriber\n{OTHER}\n{SUBSCRIBER}\n")
    numbered = tmp_path / "numbered.parquet"
    snapshot = tmp_path / "states.parquet"
    run("ledger", "snapshot", str(snapshot))

    made = run("number-subscribers", "--subscribers", str(subscribers), "--output", str(numbered))
    outputs = {}
    for name, table in (("plain", subscribers), ("numbered", numbered)):
        code, output = run(
            "audience",
            "--subscribers",
            str(table),
            "--purpose",
            *SMS_OFFERS,
            "--snapshot",
            str(snapshot),
            "--output",
            str(tmp_path / f"{name}.csv"),
        )
        assert code == 0, output
        outputs[name] = output

    assert made == (0, made[1])
    assert "Numbered 2 subscribers" in made[1]
    assert (tmp_path / "numbered.csv").read_text().split() == ["subscriber", SUBSCRIBER]
    assert (tmp_path / "plain.csv").read_text().split() == ["subscriber", SUBSCRIBER]
    assert "1 of 2 subscribers permitted" in outputs["numbered"]
    assert "excluded, no-consent: 1" in outputs["numbered"]


def test_the_import_examples_of_the_ledger_page_answer_as_it_says(
    database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    rows = fenced_block("ledger.md", "csv", "## Importing consent history")
    export = Path("crm-consents.csv")
    # The page's two mistakes: a misspelt option on line 3, a channel that is none on line 5.
    misspelt = rows.replace("consent-withdrawn,current-offers", "consent-withdrawn,curent-offers")
    export.write_text(
        misspelt.replace("offer-in-person-at-home,,", "offer-in-person-at-home,fax,"),
        encoding="utf-8",
    )
    errors = fenced_block("ledger.md", "console", "### All or nothing, or skip the bad rows")
    command, _, expected = errors.partition("\n")
    assert command == "$ placet ledger import crm-consents.csv"
    code, output = run("ledger", "import", "crm-consents.csv")
    assert code == 1
    assert as_documented(output, expected), output

    export.write_text(rows, encoding="utf-8")
    code, output = run("ledger", "import", "crm-consents.csv")
    assert code == 0, output
    printed = fenced_block("ledger.md", "python", "## Importing consent history")
    said = re.search(r"print\(report\)  # (.*)", printed)
    assert said is not None
    assert as_documented(output, said.group(1)), output
