"""Consent receipts: ISO/IEC TS 27560 fields, the Kantara v1.1 rendering, signing and rotation."""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from placet.errors import LedgerError
from placet.ledger import (
    GENESIS_HASH,
    CollectedVia,
    ConsentGiven,
    ConsentWithdrawn,
    GivenBy,
    LedgerEntry,
    LedgerEvent,
    ObjectionMade,
    PseudonymKey,
    pseudonymise_subject,
    seal_event,
)
from placet.ledger.receipts import (
    ISO_27560_FIELDS,
    KANTARA_VERSION,
    ConsentStatus,
    Receipt,
    ReceiptError,
    ReceiptKeys,
    ReceiptVerificationError,
    SigningKey,
    VerificationKey,
    build_receipt,
    generate_signing_key,
    jwk_thumbprint,
    jwks_document,
    keys_from_jwks,
    receipt_payload,
    render_kantara,
    sign_receipt,
    verify_receipt,
)
from placet.policy import Policy, load_policy_set
from placet.policy.terms import Channel, LegalBasis

OPTION = "offers-just-for-me"
NOTICE_URL = "https://www.ipko.com/en/privacy-policy"
SUBSCRIBER = {
    "msisdn": "+38344123456",
    "email": "arta.krasniqi@example.com",
    "name": "Arta Krasniqi",
}
"""Personal data the operator collected with the consent: it must never reach a receipt."""
PSEUDONYM_KEY = PseudonymKey(bytes(range(32)))
SUBJECT = pseudonymise_subject(SUBSCRIBER["msisdn"], PSEUDONYM_KEY)
GIVEN_AT = datetime(2025, 3, 1, 9, 30, tzinfo=UTC)
ISSUED_AT = datetime(2025, 3, 1, 9, 31, tzinfo=UTC)
OPERATOR_KEY = generate_signing_key()
"""The operator's current receipt key for these tests; made once per run, never stored."""


@cache
def ipko() -> Policy:
    return load_policy_set("ipko").latest


def consent_event(
    *,
    withdrawn: bool = False,
    effective_at: datetime = GIVEN_AT,
    channels: frozenset[Channel] = frozenset(),
    **envelope: Any,
) -> LedgerEvent:
    """IPKO's "Offers just for me" given (or withdrawn) on the self-care portal."""
    kind = ConsentWithdrawn if withdrawn else ConsentGiven
    return LedgerEvent(
        subject=envelope.pop("subject", SUBJECT),
        data=kind(option=OPTION, channels=channels),
        effective_at=effective_at,
        recorded_at=envelope.pop("recorded_at", effective_at + timedelta(seconds=2)),
        collected_via=envelope.pop("collected_via", CollectedVia.WEB),
        actor=envelope.pop("actor", "self-care-portal"),
        policy_id="ipko",
        policy_version=envelope.pop("policy_version", ipko().version),
        personal=envelope.pop("personal", dict(SUBSCRIBER)),
        **envelope,
    )


def make_receipt(event: LedgerEvent | LedgerEntry | None = None, **options: Any) -> Receipt:
    options.setdefault("notice_url", NOTICE_URL)
    return build_receipt(event or consent_event(), ipko(), issued_at=ISSUED_AT, **options)


def attribute(receipt: Receipt, path: str) -> Any:
    value: Any = receipt
    for name in path.split("."):
        value = getattr(value, name)
    return value


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_json(part: str) -> Any:
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def compact_jws(header: dict[str, Any], payload: bytes, key: SigningKey) -> str:
    """A JWS built by hand, as a forger with (or without) a key would build one."""
    signing_input = f"{b64url(json.dumps(header).encode())}.{b64url(payload)}"
    return f"{signing_input}.{b64url(key.private_key.sign(signing_input.encode()))}"


def verification_failure(token: str, keys: list[VerificationKey]) -> ReceiptVerificationError:
    with pytest.raises(ReceiptVerificationError) as caught:
        verify_receipt(token, keys)
    return caught.value


# ---------------------------------------------------------------- the ISO/IEC TS 27560 record


def test_receipt_carries_every_iso_27560_field() -> None:
    receipt = make_receipt()

    missing = [
        field
        for field, path in ISO_27560_FIELDS.items()
        if attribute(receipt, path) in (None, "", ())
    ]

    assert missing == []


def test_receipt_takes_notice_purposes_and_withdrawal_from_the_policy_in_force() -> None:
    policy = ipko()
    option = policy.consent_option(OPTION)

    receipt = make_receipt()

    assert receipt.principal == SUBJECT
    assert (receipt.notice.policy_id, receipt.notice.version) == ("ipko", policy.version)
    assert receipt.notice.url == NOTICE_URL
    assert [purpose.id for purpose in receipt.purposes] == option.purposes
    assert receipt.purposes[0].legal_basis is LegalBasis.CONSENT
    assert receipt.legal_basis is LegalBasis.CONSENT
    assert [category.id for category in receipt.data_categories] == option.categories
    assert receipt.controllers[0].legal_name == policy.controller.legal_name
    assert receipt.controllers[0].dpo.email == policy.controller.dpo.email
    assert receipt.jurisdiction.country == "XK"
    assert "contractors" in {recipient.id for recipient in receipt.recipients}
    assert receipt.withdrawal.channels == tuple(option.withdrawal_channels)


def test_receipt_names_purposes_and_categories_in_the_notice_language() -> None:
    policy = ipko()

    receipt = make_receipt(language="sq")

    assert receipt.notice.language == "sq"
    assert receipt.purposes[0].name == policy.purpose("personalised-offers").name["sq"]
    assert receipt.data_categories[0].name == policy.category("identity").name["sq"]
    assert receipt.consent.statement == policy.consent_option(OPTION).statement["sq"]  # type: ignore[index]


def test_receipt_states_retention_as_iso_8601_durations() -> None:
    receipt = make_receipt()

    durations = {rule.rule: rule.duration for rule in receipt.retention}

    assert durations["traffic-and-location-data"] == "P12M"
    assert durations["post-contract-restriction"] == "P24M"
    assert "invoices" not in durations  # it keeps billing data, which this consent does not cover
    assert durations["contract-period"] is None
    criteria = {rule.rule: rule.criteria for rule in receipt.retention}
    assert criteria["contract-period"]


def test_receipt_records_how_and_by_whom_the_consent_was_given() -> None:
    event = consent_event(collected_via=CollectedVia.SHOP, given_by=GivenBy.REPRESENTATIVE)

    (record,) = make_receipt(event).events

    assert record.status is ConsentStatus.GIVEN
    assert (record.effective_at, record.recorded_at) == (event.effective_at, event.recorded_at)
    assert (record.collected_via, record.given_by) == (CollectedVia.SHOP, GivenBy.REPRESENTATIVE)
    assert record.channels == tuple(ipko().consent_option(OPTION).channels)


def test_withdrawal_receipt_lists_the_grant_before_it() -> None:
    given_event = consent_event()
    withdrawn = consent_event(withdrawn=True, effective_at=GIVEN_AT + timedelta(days=40))

    receipt = make_receipt(withdrawn, earlier=[given_event])

    assert receipt.status is ConsentStatus.WITHDRAWN
    assert [event.status for event in receipt.events] == [
        ConsentStatus.GIVEN,
        ConsentStatus.WITHDRAWN,
    ]
    assert receipt.record_id == make_receipt(given_event).record_id
    assert receipt.receipt_id != make_receipt(given_event).receipt_id


def test_receipt_refuses_earlier_events_of_another_option_or_from_later() -> None:
    withdrawn = consent_event(withdrawn=True, effective_at=GIVEN_AT + timedelta(days=40))
    later = consent_event(effective_at=GIVEN_AT + timedelta(days=41))
    other_subject = consent_event(subject="0" * 64)

    with pytest.raises(ReceiptError, match="takes effect after"):
        make_receipt(withdrawn, earlier=[later])
    with pytest.raises(ReceiptError, match="not about the same subject"):
        make_receipt(withdrawn, earlier=[other_subject])


def test_receipt_of_a_ledger_entry_names_its_chain_position_and_hash() -> None:
    event = consent_event()
    row = seal_event(event, 1, GENESIS_HASH, bytes(32))
    entry = LedgerEntry(seq=1, event=event, prev_hash=row.prev_hash, hash=row.hash)

    (record,) = make_receipt(entry).events

    assert (record.ledger_position, record.ledger_hash) == (1, row.hash)


def test_receipt_is_refused_for_an_event_that_is_not_about_consent() -> None:
    objection = consent_event().model_copy(
        update={"data": ObjectionMade(purpose="marketing-analysis")}
    )

    with pytest.raises(ReceiptError, match="consent-given and consent-withdrawn events only"):
        make_receipt(objection)


def test_receipt_is_refused_under_a_policy_version_other_than_the_events() -> None:
    with pytest.raises(ReceiptError, match=r"recorded under policy ipko 0\.9"):
        make_receipt(consent_event(policy_version="0.9"))


def test_receipt_is_refused_in_a_language_the_policy_lacks() -> None:
    with pytest.raises(ReceiptError, match="Ask for one of its languages: en, sq, sr"):
        make_receipt(language="de")


def test_receipt_holds_no_personal_data_of_the_subject() -> None:
    receipt = make_receipt()
    token = sign_receipt(receipt, OPERATOR_KEY.private_key, OPERATOR_KEY.kid)

    texts = [
        receipt_payload(receipt).decode("utf-8"),
        json.dumps(b64url_json(token.split(".")[1]), ensure_ascii=False),
        json.dumps(render_kantara(receipt).to_json(), ensure_ascii=False),
    ]

    personal = [*SUBSCRIBER.values(), "38344123456", "Krasniqi"]
    assert [value for value in personal for text in texts if value in text] == []
    assert all(SUBJECT in text for text in texts)


# ---------------------------------------------------------------- the Kantara v1.1 rendering

KANTARA_REQUIRED = {
    "version",
    "jurisdiction",
    "consentTimestamp",
    "collectionMethod",
    "consentReceiptID",
    "piiPrincipalId",
    "piiControllers",
    "policyUrl",
    "services",
    "sensitive",
    "spiCat",
}
KANTARA_CONTROLLER_REQUIRED = {"piiController", "contact", "address", "email", "phone"}
KANTARA_PURPOSE_REQUIRED = {
    "purpose",
    "purposeCategory",
    "consentType",
    "piiCategory",
    "termination",
    "thirdPartyDisclosure",
}


def test_kantara_rendering_has_the_v1_1_required_fields() -> None:
    receipt = make_receipt()

    document = json.loads(json.dumps(render_kantara(receipt).to_json()))

    assert document.keys() >= KANTARA_REQUIRED
    assert document["version"] == KANTARA_VERSION == "KI-CR-v1.1.0"
    assert document["consentTimestamp"] == int(GIVEN_AT.timestamp())
    assert document["consentReceiptID"] == str(receipt.receipt_id)
    assert document["piiPrincipalId"] == SUBJECT
    assert document["policyUrl"] == NOTICE_URL
    (controller,) = document["piiControllers"]
    assert controller.keys() >= KANTARA_CONTROLLER_REQUIRED
    assert all(controller[key] for key in KANTARA_CONTROLLER_REQUIRED)
    (service,) = document["services"]
    assert service["service"] == "Offers just for me"
    assert [purpose.keys() >= KANTARA_PURPOSE_REQUIRED for purpose in service["purposes"]] == [
        True,
        True,
    ]


def test_kantara_termination_of_a_withdrawal_says_when_it_was_withdrawn() -> None:
    withdrawn = consent_event(withdrawn=True, effective_at=GIVEN_AT + timedelta(days=40))

    document = render_kantara(make_receipt(withdrawn)).to_json()

    termination = document["services"][0]["purposes"][0]["termination"]
    assert termination == "withdrawn at 2025-04-10T09:30:00.000000Z"


def test_kantara_rendering_needs_a_policy_url() -> None:
    receipt = make_receipt(notice_url=None)
    controller = receipt.controllers[0].model_copy(update={"web": None})
    without_url = receipt.model_copy(update={"controllers": (controller,)})

    assert render_kantara(receipt).policy_url == "https://www.ipko.com"
    with pytest.raises(ReceiptError, match="Kantara requires a policyUrl"):
        render_kantara(without_url)


# ---------------------------------------------------------------- signing and verifying


def test_signed_receipt_verifies_offline_with_the_published_jwks() -> None:
    receipt = make_receipt()
    token = sign_receipt(receipt, OPERATOR_KEY.private_key, OPERATOR_KEY.kid)
    published = json.dumps(jwks_document([OPERATOR_KEY.verification_key]))

    verified = verify_receipt(token, keys_from_jwks(json.loads(published)))

    assert verified == receipt


def test_signed_receipt_header_names_eddsa_and_the_key_id() -> None:
    token = sign_receipt(make_receipt(), OPERATOR_KEY.private_key, OPERATOR_KEY.kid)

    header = b64url_json(token.split(".")[0])

    assert header == {"alg": "EdDSA", "kid": OPERATOR_KEY.kid, "typ": "JOSE"}


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl is not installed")
def test_signed_receipt_verifies_with_openssl_and_the_published_pem(tmp_path: Path) -> None:
    token = sign_receipt(make_receipt(), OPERATOR_KEY.private_key, OPERATOR_KEY.kid)
    header, payload, signature = token.split(".")
    (tmp_path / "key.pem").write_text(OPERATOR_KEY.verification_key.to_pem())
    (tmp_path / "signing-input").write_text(f"{header}.{payload}")
    (tmp_path / "signature").write_bytes(base64.urlsafe_b64decode(signature + "=="))

    command = "openssl pkeyutl -verify -pubin -inkey key.pem -rawin -in signing-input"
    result = subprocess.run(
        [*command.split(), "-sigfile", "signature"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr


def test_receipt_with_an_altered_payload_fails_verification() -> None:
    token = sign_receipt(make_receipt(), OPERATOR_KEY.private_key, OPERATOR_KEY.kid)
    header, payload, signature = token.split(".")
    altered = b64url_json(payload)
    altered["status"] = "withdrawn"
    forged = f"{header}.{b64url(json.dumps(altered).encode())}.{signature}"

    failure = verification_failure(forged, [OPERATOR_KEY.verification_key])

    assert failure.code == "bad-signature"
    assert "does not verify" in str(failure)
    assert isinstance(failure, LedgerError)


def test_receipt_signed_with_another_key_under_the_published_key_id_fails() -> None:
    forger = generate_signing_key()
    forged = sign_receipt(make_receipt(), forger.private_key, OPERATOR_KEY.kid)

    failure = verification_failure(forged, [OPERATOR_KEY.verification_key])

    assert failure.code == "bad-signature"
    assert f"under key '{OPERATOR_KEY.kid}'" in str(failure)


def test_receipt_signed_with_an_unknown_key_id_fails() -> None:
    forger = generate_signing_key("ipko-2025")
    forged = sign_receipt(make_receipt(), forger.private_key, forger.kid)

    failure = verification_failure(forged, [OPERATOR_KEY.verification_key])

    assert failure.code == "unknown-key"
    assert "'ipko-2025', which is not among the published keys" in str(failure)
    assert OPERATOR_KEY.kid in str(failure)


@pytest.mark.parametrize("algorithm", ["none", "HS256", "RS256", None])
def test_receipt_with_another_algorithm_than_eddsa_fails(algorithm: str | None) -> None:
    header = {"alg": algorithm, "kid": OPERATOR_KEY.kid, "typ": "JOSE"}
    unsigned = f"{b64url(json.dumps(header).encode())}.{b64url(receipt_payload(make_receipt()))}."

    failure = verification_failure(unsigned, [OPERATOR_KEY.verification_key])

    assert failure.code == "algorithm"
    assert "EdDSA (Ed25519) only" in str(failure)


@pytest.mark.parametrize(
    "token",
    ["", "not-a-token", "a.b", "a.b.c.d", "!!!.eyJ9.AA", "eyJhbGciOiJFZERTQSJ9.e30.AA"],
)
def test_malformed_token_fails_verification(token: str) -> None:
    failure = verification_failure(token, [OPERATOR_KEY.verification_key])

    assert failure.code == "malformed"


def test_token_signed_by_the_operator_key_but_holding_no_receipt_fails() -> None:
    header = {"alg": "EdDSA", "kid": OPERATOR_KEY.kid, "typ": "JOSE"}
    token = compact_jws(header, b'{"hello": "world"}', OPERATOR_KEY)

    failure = verification_failure(token, [OPERATOR_KEY.verification_key])

    assert failure.code == "bad-payload"


def test_header_with_a_duplicated_member_fails_verification() -> None:
    header = b'{"alg":"none","alg":"EdDSA","kid":"%s"}' % OPERATOR_KEY.kid.encode()
    payload = b64url(receipt_payload(make_receipt()))
    signing_input = f"{b64url(header)}.{payload}"
    signature = b64url(OPERATOR_KEY.private_key.sign(signing_input.encode()))

    failure = verification_failure(f"{signing_input}.{signature}", [OPERATOR_KEY.verification_key])

    assert failure.code == "malformed"


@given(position=st.integers(min_value=0, max_value=10_000), replacement=st.sampled_from("AQgw_-"))
def test_any_change_to_a_signed_token_fails_verification(position: int, replacement: str) -> None:
    token = sign_receipt(make_receipt(), OPERATOR_KEY.private_key, OPERATOR_KEY.kid)
    index = position % len(token)
    if token[index] in (".", replacement):
        return
    changed = token[:index] + replacement + token[index + 1 :]

    with pytest.raises(ReceiptVerificationError):
        verify_receipt(changed, [OPERATOR_KEY.verification_key])


# ---------------------------------------------------------------- sign then verify, any receipt

instants = st.datetimes(
    min_value=datetime(2023, 1, 1), max_value=datetime(2030, 12, 31), timezones=st.just(UTC)
)


@st.composite
def consent_events(draw: st.DrawFn) -> LedgerEvent:
    """A consent to IPKO's "Offers just for me" given or withdrawn, in any way allowed."""
    channels = ipko().consent_option(OPTION).channels
    effective_at = draw(instants)
    return consent_event(
        withdrawn=draw(st.booleans()),
        effective_at=effective_at,
        channels=draw(st.frozensets(st.sampled_from(channels), max_size=3)),
        subject=draw(st.text("0123456789abcdef", min_size=64, max_size=64)),
        recorded_at=effective_at + draw(st.timedeltas(timedelta(0), timedelta(days=30))),
        collected_via=draw(st.sampled_from(CollectedVia)),
        given_by=draw(st.sampled_from(GivenBy)),
        evidence=draw(st.none() | st.text(min_size=1, max_size=40)),
    )


@given(
    event=consent_events(),
    language=st.sampled_from(["en", "sq", "sr"]),
    issued_at=instants,
    notice_url=st.none() | st.just(NOTICE_URL),
)
def test_sign_then_verify_returns_the_same_receipt(
    event: LedgerEvent, language: str, issued_at: datetime, notice_url: str | None
) -> None:
    receipt = build_receipt(
        event, ipko(), issued_at=issued_at, language=language, notice_url=notice_url
    )

    verified = verify_receipt(
        sign_receipt(receipt, OPERATOR_KEY.private_key, OPERATOR_KEY.kid),
        [OPERATOR_KEY.verification_key],
    )

    assert verified == receipt
    assert receipt_payload(verified) == receipt_payload(receipt)


# ---------------------------------------------------------------- keys and rotation


def test_receipt_signed_with_an_old_key_verifies_while_that_key_is_published() -> None:
    keys = ReceiptKeys(current=generate_signing_key())
    receipt = make_receipt()
    old_token = keys.sign(receipt)

    rotated = keys.rotate(generate_signing_key())
    new_token = rotated.sign(receipt)

    assert rotated.verify(old_token) == receipt
    assert rotated.verify(new_token) == receipt
    assert b64url_json(new_token.split(".")[0])["kid"] == rotated.current.kid
    assert [key["kid"] for key in rotated.jwks()["keys"]] == [
        rotated.current.kid,
        keys.current.kid,
    ]


def test_receipt_signed_with_a_withdrawn_key_no_longer_verifies() -> None:
    keys = ReceiptKeys(current=generate_signing_key())
    old_token = keys.sign(make_receipt())
    rotated = keys.rotate(generate_signing_key())

    withdrawn = rotated.withdraw(keys.current.kid)

    with pytest.raises(ReceiptVerificationError) as caught:
        withdrawn.verify(old_token)
    assert caught.value.code == "unknown-key"


def test_key_set_refuses_two_keys_under_one_key_id() -> None:
    current = generate_signing_key("ipko-2025")

    with pytest.raises(ReceiptError, match="share a key id"):
        ReceiptKeys(current, retired=(generate_signing_key("ipko-2025").verification_key,))


def test_published_jwks_holds_no_private_key_material() -> None:
    keys = ReceiptKeys(generate_signing_key()).rotate(generate_signing_key())

    document = keys.jwks()

    assert all(set(jwk) == {"kty", "crv", "x", "kid", "alg", "use"} for jwk in document["keys"])
    assert "PRIVATE" not in json.dumps(document)


def test_jwk_with_a_private_part_is_refused() -> None:
    jwk = {**OPERATOR_KEY.verification_key.to_jwk(), "d": "secret"}

    with pytest.raises(ReceiptError, match="holds a private key"):
        keys_from_jwks({"keys": [jwk]})


def test_keys_survive_pem_export_with_their_key_ids() -> None:
    key = generate_signing_key("ipko-2025")

    assert SigningKey.from_pem(key.to_pem(), "ipko-2025").verification_key == key.verification_key
    assert SigningKey.from_pem(key.to_pem()).kid == jwk_thumbprint(key.private_key.public_key())
    public = VerificationKey.from_pem(key.verification_key.to_pem(), "ipko-2025")
    assert public == key.verification_key


def test_key_id_defaults_to_the_rfc_7638_thumbprint() -> None:
    # RFC 8037 appendix A.2 and A.3: an Ed25519 public key and its JWK thumbprint.
    key = VerificationKey.from_jwk(
        {"kty": "OKP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}
    )

    assert key.kid == "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"


def test_signature_in_a_non_canonical_encoding_fails_verification() -> None:
    token = sign_receipt(make_receipt(), OPERATOR_KEY.private_key, OPERATOR_KEY.kid)
    last = token[-1]
    # 64 bytes leave the last of 86 characters two unused bits: set one of them.
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    twin = alphabet[alphabet.index(last) + 1]

    failure = verification_failure(token[:-1] + twin, [OPERATOR_KEY.verification_key])

    assert failure.code == "bad-signature"


def test_current_key_cannot_be_withdrawn_before_a_rotation() -> None:
    keys = ReceiptKeys(generate_signing_key())

    with pytest.raises(ReceiptError, match="Rotate to a new key first"):
        keys.withdraw(keys.current.kid)
