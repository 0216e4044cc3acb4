"""API keys: created with scopes and shown once, stored hashed, checked, revoked."""

from __future__ import annotations

import pytest

from placet.errors import AuthenticationError, PermissionDeniedError, UnknownApiKeyError
from placet.operations import (
    Scope,
    authenticate,
    authorise,
    create_key,
    hash_key,
    list_keys,
    revoke_key,
)
from placet.stores.sql_api_keys import SqlApiKeys
from placet.stores.sql_ledger import SqlLedger
from tests.operations.conftest import NOW, on


@pytest.fixture
def store(ledger: SqlLedger) -> SqlApiKeys:
    return SqlApiKeys(ledger.engine)


def test_a_created_key_authenticates_with_its_scopes(store: SqlApiKeys) -> None:
    issued = create_key(store, ["decide", "subjects:read"], name="campaign-tool", now=NOW)

    key = authenticate(store, issued.plaintext)

    assert key == issued.key
    assert key.scopes == {Scope.DECIDE, Scope.SUBJECTS_READ}
    assert issued.plaintext.startswith(f"placet_{key.key_id}_")


def test_only_the_hash_of_a_key_is_stored(store: SqlApiKeys) -> None:
    issued = create_key(store, ["decide"], name="crm", now=NOW)

    stored = store.find_key(issued.key.key_id)

    assert stored is not None
    assert stored.key_hash == hash_key(issued.plaintext)
    assert issued.plaintext not in repr(stored)


def test_a_key_without_the_scope_is_not_authorised(store: SqlApiKeys) -> None:
    key = create_key(store, ["decide"], name="crm", now=NOW).key

    with pytest.raises(PermissionDeniedError, match="'events:write'"):
        authorise(key, Scope.EVENTS_WRITE)


def test_admin_is_authorised_for_every_scope(store: SqlApiKeys) -> None:
    key = create_key(store, ["admin"], name="dpo", now=NOW).key

    for scope in Scope:
        authorise(key, scope)


@pytest.mark.parametrize("presented", [None, "", "Bearer x", "placet_nope_nope"])
def test_a_missing_or_malformed_key_does_not_authenticate(
    store: SqlApiKeys, presented: str | None
) -> None:
    with pytest.raises(AuthenticationError):
        authenticate(store, presented)


def test_a_revoked_key_no_longer_authenticates(store: SqlApiKeys) -> None:
    issued = create_key(store, ["decide"], name="crm", now=NOW)

    revoked = revoke_key(store, issued.key.key_id, now=on(6))

    assert revoked.revoked_at == on(6)
    with pytest.raises(AuthenticationError, match="revoked"):
        authenticate(store, issued.plaintext)


def test_revoking_an_unknown_key_is_refused(store: SqlApiKeys) -> None:
    with pytest.raises(UnknownApiKeyError):
        revoke_key(store, "0000000000000000", now=NOW)


def test_keys_are_listed_oldest_first_and_revoked_ones_can_be_left_out(
    store: SqlApiKeys,
) -> None:
    first = create_key(store, ["decide"], name="first", now=on(1)).key
    second = create_key(store, ["admin"], name="second", now=on(2)).key
    revoke_key(store, first.key_id, now=on(3))

    assert [key.name for key in list_keys(store)] == ["first", "second"]
    assert list_keys(store, include_revoked=False) == [second]


def test_a_key_needs_a_known_scope(store: SqlApiKeys) -> None:
    with pytest.raises(ValueError, match="events:write"):
        create_key(store, ["write"], name="crm", now=NOW)
