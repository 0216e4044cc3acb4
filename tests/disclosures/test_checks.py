"""`check_disclosure`: each recipient role of both reference policies, what is refused and
why, expired safeguards, transfers inherent to the service (GDPR Art. 49(1)(b))."""

from __future__ import annotations

from typing import Any

import pytest

from placet.disclosures import (
    Agreement,
    AgreementKind,
    Confidentiality,
    DisclosureKind,
    Problem,
    RegisterFlag,
    TransferBasis,
    check_disclosure,
    is_third_country,
    recipient_register,
)
from placet.errors import DisclosureError
from placet.policy import Policy, TransferSafeguard, load_policy_set
from tests.disclosures.register_fixtures import AT, agreement, days, proposal


@pytest.fixture(scope="module")
def ipko() -> Policy:
    return load_policy_set("ipko").in_force(AT)


@pytest.fixture(scope="module")
def ipnordic() -> Policy:
    return load_policy_set("ipnordic").in_force(AT)


IPKO_AGREEMENTS = (
    agreement("contractors", party="CallCentre LLC", countries=("XK",)),
    agreement("suppliers-and-business-partners", party="Install sh.p.k."),
    agreement("co-controller-partners", AgreementKind.JOINT_CONTROLLER_ARRANGEMENT, party="Bank K"),
    agreement("claim-assignees", AgreementKind.ASSIGNMENT_CONTRACT, party="Debt Buyer sh.a."),
    agreement(
        "third-country-suppliers",
        party="CloudCo Inc",
        countries=("US",),
        safeguard=TransferSafeguard.STANDARD_CONTRACTUAL_CLAUSES,
    ),
)

IPKO_ROLES = {
    "processor": proposal("contractors", "contract-performance", "identity", "contact"),
    "processor (supplier)": proposal(
        "suppliers-and-business-partners", "contract-performance", "identity", "contract-data"
    ),
    "joint controller": proposal(
        "co-controller-partners", "contract-performance", "identity", "contract-data"
    ),
    "debt buyer": proposal(
        "claim-assignees",
        "claims-and-disputes",
        "identity",
        "billing-and-payment",
        kind=DisclosureKind.DEBT_ASSIGNMENT,
        party="Debt Buyer sh.a.",
        records=("INV-2025-0001", "INV-2025-0002"),
    ),
    "authority": proposal(
        "state-bodies",
        "legal-obligations",
        "identity",
        legal_ground="Law on Tax Administration, Art. 22",
        reference="ATK-2026-118",
    ),
    "law enforcement": proposal(
        "law-enforcement",
        "law-enforcement-disclosure",
        "mobile-traffic-data",
        "location-data",
        kind=DisclosureKind.LAW_ENFORCEMENT,
        legal_ground="Law 05/L-030 on Interception, Art. 9",
        reference="PPN.nr. 411/2026",
        party="Kosovo Police",
    ),
    "processor in a third country": proposal(
        "third-country-suppliers", "contract-performance", "identity", country="US"
    ),
}


@pytest.mark.parametrize("role", IPKO_ROLES)
def test_each_recipient_role_of_ipko_receives_what_the_policy_names_for_it(
    ipko: Policy, role: str
) -> None:
    check = check_disclosure(ipko, IPKO_AGREEMENTS, IPKO_ROLES[role])
    assert check.allowed, check.refusals
    assert f"recipients.{IPKO_ROLES[role].recipient}" in check.rules


def test_a_transfer_to_a_third_country_rests_on_the_safeguard_in_force(ipko: Policy) -> None:
    check = check_disclosure(ipko, IPKO_AGREEMENTS, IPKO_ROLES["processor in a third country"])
    assert check.transfer is TransferBasis.STANDARD_CONTRACTUAL_CLAUSES
    assert check.agreement is not None
    assert check.agreement.party == "CloudCo Inc"


IPNORDIC_AGREEMENTS = (
    agreement("enreach", AgreementKind.JOINT_CONTROLLER_ARRANGEMENT, party="Enreach A/S"),
    agreement("processors", party="Hosting ApS", countries=("DK", "SE")),
)

IPNORDIC_ROLES = {
    "joint controller (Enreach)": proposal(
        "enreach", "business-intelligence", "aggregated-statistics"
    ),
    "independent controller (TDC)": proposal("tdc", "traffic-data", "traffic-data"),
    "independent controller (3)": proposal("three", "traffic-data", "traffic-data"),
    "independent controller (ITN vision)": proposal(
        "itn-vision", "leverandorservice-enrolment", "contact-data", "account-number"
    ),
    "directory service": proposal(
        "directory-databases",
        "legal-obligations",
        "contact-data",
        legal_ground="Bekendtgørelse om udbud af elektroniske kommunikationsnet, § 6",
    ),
    "authority": proposal(
        "authorities",
        "legal-obligations",
        "traffic-data",
        legal_ground="Retsplejeloven § 804",
        reference="SKP-2026-77",
    ),
    "processor": proposal("processors", "service-delivery", "contact-data"),
    "legal claims": proposal("legal-claims-recipients", "legal-claims", "contact-data"),
}


@pytest.mark.parametrize("role", IPNORDIC_ROLES)
def test_each_recipient_role_of_ipnordic_receives_what_the_policy_names_for_it(
    ipnordic: Policy, role: str
) -> None:
    check = check_disclosure(ipnordic, IPNORDIC_AGREEMENTS, IPNORDIC_ROLES[role])
    assert check.allowed, check.refusals


def test_roaming_from_denmark_in_sweden_is_not_a_transfer(ipnordic: Policy) -> None:
    check = check_disclosure(
        ipnordic,
        (),
        proposal(
            None,
            "traffic-data",
            "traffic-data",
            kind=DisclosureKind.INHERENT_TRANSFER,
            party="Telia Sverige",
            country="SE",
        ),
    )
    assert check.allowed
    assert check.flags == ()
    assert check.transfer is TransferBasis.WITHIN_EEA
    assert is_third_country(ipnordic, "US")
    assert not is_third_country(ipnordic, "SE")


def test_for_a_controller_in_kosovo_every_other_country_is_a_third_country(ipko: Policy) -> None:
    assert is_third_country(ipko, "DE")
    assert not is_third_country(ipko, "XK")


def codes(
    policy: Policy,
    recipient: str | None,
    purpose: str,
    *categories: str,
    agreements: tuple[Agreement, ...] = IPKO_AGREEMENTS,
    **fields: Any,
) -> set[str]:
    """The refusals' codes for the proposal the arguments make."""
    check = check_disclosure(
        policy, agreements, proposal(recipient, purpose, *categories, **fields)
    )
    return {code.value for code, _ in check.refusals}


def test_a_recipient_the_policy_does_not_name_is_refused(ipko: Policy) -> None:
    check = check_disclosure(ipko, (), proposal("acme-analytics", "marketing-analysis", "identity"))
    ((code, message),) = check.refusals
    assert code is Problem.UNKNOWN_RECIPIENT
    assert "acme-analytics" in message
    assert "contractors" in message


def test_a_purpose_the_recipient_is_not_named_for_is_refused(ipko: Policy) -> None:
    assert codes(ipko, "contractors", "fraud-prevention", "identity") == {"recipient-not-allowed"}


def test_a_category_the_recipient_is_not_named_for_is_refused(ipko: Policy) -> None:
    found = codes(ipko, "contractors", "contract-performance", "mobile-traffic-data")
    assert "recipient-not-allowed" in found


def test_a_category_the_purpose_does_not_cover_is_refused(ipnordic: Policy) -> None:
    found = codes(
        ipnordic, "authorities", "legal-obligations", "cookie-data",
        agreements=IPNORDIC_AGREEMENTS, legal_ground="§ 1",
    )  # fmt: skip
    assert "category-not-covered" in found


def test_a_processor_without_a_processor_agreement_is_refused(ipko: Policy) -> None:
    check = check_disclosure(ipko, (), proposal("contractors", "contract-performance", "identity"))
    ((code, message),) = check.refusals
    assert code is Problem.NO_AGREEMENT
    assert "Art. 28(3)" in message


def test_a_processor_whose_agreement_ended_is_refused(ipko: Policy) -> None:
    ended = agreement("contractors", until=AT - days(1))
    check = check_disclosure(
        ipko, (ended,), proposal("contractors", "contract-performance", "identity")
    )
    assert [code for code, _ in check.refusals] == [Problem.AGREEMENT_EXPIRED]


def test_an_agreement_ending_soon_is_flagged_not_refused(ipko: Policy) -> None:
    ending = agreement("contractors", until=AT + days(10))
    check = check_disclosure(
        ipko, (ending,), proposal("contractors", "contract-performance", "identity")
    )
    assert check.allowed
    assert [code for code, _ in check.flags] == [Problem.AGREEMENT_EXPIRING]


def test_an_agreement_with_another_party_does_not_cover_the_disclosure(ipko: Policy) -> None:
    check = check_disclosure(
        ipko,
        IPKO_AGREEMENTS,
        proposal("contractors", "contract-performance", "identity", party="Other LLC"),
    )
    assert [code for code, _ in check.refusals] == [Problem.NO_AGREEMENT]


def test_an_expired_safeguard_refuses_the_transfer(ipko: Policy) -> None:
    lapsed = agreement(
        "third-country-suppliers",
        party="CloudCo Inc",
        countries=("US",),
        safeguard=TransferSafeguard.STANDARD_CONTRACTUAL_CLAUSES,
        until=AT - days(30),
    )
    processing = agreement("third-country-suppliers", agreement_id="dpa", party="CloudCo Inc")
    check = check_disclosure(
        ipko,
        (lapsed, processing),
        proposal("third-country-suppliers", "contract-performance", "identity", country="US"),
    )
    assert [code for code, _ in check.refusals] == [Problem.SAFEGUARD_EXPIRED]
    assert check.transfer is TransferBasis.NOT_COVERED


def test_an_expired_safeguard_is_flagged_in_the_register(ipko: Policy) -> None:
    lapsed = agreement(
        "third-country-suppliers",
        party="CloudCo Inc",
        countries=("US",),
        safeguard=TransferSafeguard.STANDARD_CONTRACTUAL_CLAUSES,
        until=AT - days(30),
    )
    entries = {entry.recipient.id: entry for entry in recipient_register(ipko, [lapsed], AT)}
    flags = [flag for flag, _ in entries["third-country-suppliers"].flags]
    assert RegisterFlag.SAFEGUARD_EXPIRED in flags
    assert RegisterFlag.NO_SAFEGUARD in flags
    assert [flag for flag, _ in entries["contractors"].flags] == [RegisterFlag.NO_AGREEMENT]
    assert entries["law-enforcement"].flags == ()


def test_the_register_refuses_an_agreement_with_a_recipient_the_policy_does_not_name(
    ipko: Policy,
) -> None:
    with pytest.raises(DisclosureError, match="names recipient 'acme'"):
        recipient_register(ipko, [agreement("acme")], AT)


def test_a_safeguard_for_another_country_does_not_cover_the_transfer(ipko: Policy) -> None:
    found = codes(ipko, "third-country-suppliers", "contract-performance", "identity", country="IN")
    assert found == {"no-safeguard"}


def test_a_transfer_the_policy_does_not_tell_subscribers_of_is_refused(
    ipnordic: Policy,
) -> None:
    found = codes(
        ipnordic, "processors", "service-delivery", "contact-data",
        agreements=IPNORDIC_AGREEMENTS, country="US",
    )  # fmt: skip
    assert found == {"transfer-not-in-policy", "country-not-allowed"}


def test_a_recipient_named_in_one_country_is_refused_in_another(ipko: Policy) -> None:
    found = codes(ipko, "contractors", "contract-performance", "identity", country="DE")
    assert "country-not-allowed" in found


def test_a_recipient_named_in_no_country_receives_only_at_home_as_the_engine_decides(
    ipnordic: Policy,
) -> None:
    # The decision engine denies a country the policy does not name for the recipient;
    # the register agrees with it, even within the EEA (the protective reading).
    found = codes(
        ipnordic, "processors", "service-delivery", "contact-data",
        agreements=IPNORDIC_AGREEMENTS, country="SE",
    )  # fmt: skip
    assert found == {"country-not-allowed"}


def test_a_law_enforcement_disclosure_needs_an_authority_a_reference_and_a_ground(
    ipko: Policy,
) -> None:
    found = codes(
        ipko, "contractors", "contract-performance", "identity",
        kind=DisclosureKind.LAW_ENFORCEMENT,
    )  # fmt: skip
    assert {"not-an-authority", "no-reference"} <= found
    found = codes(ipko, "law-enforcement", "law-enforcement-disclosure", "identity")
    assert found == {"no-legal-ground"}


def test_claims_are_assigned_only_to_a_debt_buyer(ipko: Policy) -> None:
    found = codes(
        ipko, "contractors", "contract-performance", "identity",
        kind=DisclosureKind.DEBT_ASSIGNMENT, party="CallCentre LLC", records=("INV-1",),
    )  # fmt: skip
    assert found == {"not-a-debt-buyer"}


def test_a_debt_assignment_names_its_buyer_and_records() -> None:
    with pytest.raises(DisclosureError, match="buyer"):
        proposal(
            "claim-assignees", "claims-and-disputes", "identity",
            kind=DisclosureKind.DEBT_ASSIGNMENT,
        )  # fmt: skip


def test_roaming_abroad_is_a_transfer_under_the_contract_derogation(ipko: Policy) -> None:
    check = check_disclosure(
        ipko,
        (),
        proposal(
            None,
            "contract-performance",
            "mobile-traffic-data",
            "location-data",
            kind=DisclosureKind.INHERENT_TRANSFER,
            party="Turkcell",
            country="TR",
        ),
    )
    assert check.allowed
    assert check.flags == ()
    assert check.transfer is TransferBasis.CONTRACT_PERFORMANCE_DEROGATION


def test_an_inherent_transfer_the_notice_does_not_mention_is_recorded_and_flagged(
    ipnordic: Policy,
) -> None:
    check = check_disclosure(
        ipnordic,
        (),
        proposal(
            None,
            "traffic-data",
            "traffic-data",
            kind=DisclosureKind.INHERENT_TRANSFER,
            party="Turkcell",
            country="TR",
        ),
    )
    assert check.allowed
    assert [code for code, _ in check.flags] == [Problem.DEROGATION_NOT_IN_NOTICE]


def test_a_transfer_for_a_purpose_that_is_not_the_contract_is_not_inherent(ipko: Policy) -> None:
    found = codes(
        ipko, None, "marketing-analysis", "identity",
        kind=DisclosureKind.INHERENT_TRANSFER, party="Turkcell", country="TR",
    )  # fmt: skip
    assert found == {"not-for-the-contract"}


def test_only_a_law_enforcement_disclosure_carries_a_confidentiality_flag() -> None:
    with pytest.raises(DisclosureError, match="only a law-enforcement disclosure"):
        proposal(
            "contractors", "contract-performance", "identity",
            confidentiality=Confidentiality("secrecy order", AT + days(30)),
        )  # fmt: skip
    with pytest.raises(DisclosureError, match="ends after the disclosure"):
        proposal(
            "law-enforcement", "law-enforcement-disclosure", "identity",
            kind=DisclosureKind.LAW_ENFORCEMENT,
            confidentiality=Confidentiality("secrecy order", AT - days(1)),
        )  # fmt: skip
