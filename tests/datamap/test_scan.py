"""What looks personal, and which of it the data map does not map (no store involved)."""

from __future__ import annotations

from pathlib import Path

import pytest

from placet.datamap import load_datamap
from placet.datamap.model import SystemKind
from placet.datamap.scan import (
    Evidence,
    ObservedTable,
    SystemLocation,
    find_unmapped,
    looks_personal,
    system_locations,
)
from placet.errors import DataMapError

IPKO_MAP = Path(__file__).resolve().parents[2] / "examples" / "datamap" / "ipko.yaml"


@pytest.mark.parametrize(
    ("column", "looks_like"),
    [
        ("msisdn", "a phone number"),
        ("contactPhone", "a phone number"),
        ("b_number", "a phone number"),
        ("customer_first_name", "a person's name"),
        ("email_address", "an e-mail address"),
        ("src_ip", "an IP address"),
        ("mac_address", "a MAC address"),
        ("home_address", "a postal address"),
        ("date_of_birth", "a birth date"),
        ("passport_number", "an identity number"),
        ("iban", "a payment account"),
        ("cell_id", "a location"),
        ("imsi", "a subscriber identity (IMSI)"),
    ],
)
def test_a_column_named_for_personal_data_looks_personal(column: str, looks_like: str) -> None:
    assert looks_personal(column, []) == (looks_like, Evidence.NAME)


@pytest.mark.parametrize(
    "column",
    ["device_name", "company_name", "amount", "created_at", "storage_uri", "subscriber_type"],
)
def test_a_column_named_for_other_things_does_not(column: str) -> None:
    assert looks_personal(column, ["12.50", "voice", "2026-01-01"]) is None


@pytest.mark.parametrize(
    ("values", "looks_like"),
    [
        (["+38344111222", "+38349000111", "+4520304050"], "a phone number"),
        (["ana@example.com", "ben@example.org"], "an e-mail address"),
        (["10.1.2.3", "2001:db8::1"], "an IP address"),
        (["5c:35:3b:ac:b6:b0", "00-1A-2B-3C-4D-5E"], "a MAC address"),
    ],
)
def test_a_column_whose_values_have_a_personal_shape_looks_personal(
    values: list[str], looks_like: str
) -> None:
    assert looks_personal("x7", values) == (looks_like, Evidence.VALUES)


def test_a_few_personal_values_among_many_others_are_not_enough() -> None:
    assert looks_personal("notes", ["+38344111222"] + ["ok"] * 9) is None
    assert looks_personal("customer_ref", ["1197561991", "C000001"]) is None


def test_unmapped_personal_columns_are_found_mapped_ones_are_not() -> None:
    datamap = load_datamap(IPKO_MAP)
    locations = [SystemLocation(system.id, system.kind, "db") for system in datamap.systems]
    observed = [
        ObservedTable(
            "db", "subscribers", {"email": ["a@b.com"], "backup_phone": [], "amount": []}
        ),
        ObservedTable("db", "loyalty_members", {"member_email": [], "points": ["12"]}),
    ]

    findings = find_unmapped(datamap, locations, observed)

    assert [(f.location, f.column, f.dataset) for f in findings] == [
        ("subscribers", "backup_phone", "subscribers"),
        ("loyalty_members", "member_email", None),
    ]
    assert "not mapped (a table the map does not name)" in findings[1].message


def test_a_table_of_the_same_name_elsewhere_is_not_the_mapped_one() -> None:
    datamap = load_datamap(IPKO_MAP)
    locations = [SystemLocation(system.id, system.kind, "db") for system in datamap.systems]

    findings = find_unmapped(
        datamap, locations, [ObservedTable("other-db", "subscribers", {"email": []})]
    )

    assert [(f.where, f.dataset) for f in findings] == [("other-db", None)]


def test_a_system_is_found_from_an_override_or_its_environment_variable() -> None:
    datamap = load_datamap(IPKO_MAP)
    environment = {
        "PLACET_CRM_URL": "sqlite:///crm.db",
        "PLACET_BILLING_URL": "sqlite:///b.db",
        "PLACET_CARE_URL": "sqlite:///c.db",
        "PLACET_NETWORK_URL": "sqlite:///n.db",
    }

    locations = system_locations(datamap, {"lake": "/data/lake"}, environment)

    assert locations[0] == SystemLocation("crm", SystemKind.SQL, "sqlite:///crm.db")
    assert locations[-1] == SystemLocation("lake", SystemKind.DELTA, "/data/lake")


def test_an_unset_environment_variable_names_the_system_and_how_to_give_it() -> None:
    datamap = load_datamap(IPKO_MAP)

    with pytest.raises(DataMapError, match=r"system crm is reached through .*PLACET_CRM_URL"):
        system_locations(datamap, {}, {})


def test_an_override_for_a_system_the_map_lacks_is_refused() -> None:
    with pytest.raises(DataMapError, match="no system warehouse; its systems are: crm"):
        system_locations(load_datamap(IPKO_MAP), {"warehouse": "x"}, {})
