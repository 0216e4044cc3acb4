"""How Placet runs (not what it allows: that is the policy), read once at the edges.

Environment variables use the `PLACET_` prefix and `__` for nesting.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from placet.errors import SettingsError

__all__ = ["PlacetSettings", "get_settings", "secret_from_hex"]


class PlacetSettings(BaseSettings):
    """Every setting, with the description `docs/configuration.md` is generated from."""

    model_config = SettingsConfigDict(env_prefix="PLACET_", env_nested_delimiter="__")

    demo_dir: Path = Field(
        Path("placet-demo"), description="Folder `placet demo` writes its documents to."
    )
    database_url: str = Field(
        "sqlite:///placet.db",
        description="The ledger's database: a SQLite file (`sqlite:///placet.db`, relative to "
        "the working folder; `sqlite:////var/lib/placet/placet.db` for an absolute path) or "
        "PostgreSQL (`postgresql://user:password@host:5432/placet`).",
    )
    policy: str = Field(
        "ipko",
        description="The operator's policy that decides: a bundled operator (`ipko`, "
        "`ipnordic`) or a folder of `policy*.yaml` files, one per version.",
    )
    pseudonym_key: SecretStr | None = Field(
        None,
        description="Secret key, in hex (at least 32 digits), that turns subscriber identifiers "
        "into the ledger's pseudonyms (HMAC-SHA-256). Generate one with "
        "`python -c 'import secrets; print(secrets.token_hex(32))'`, keep it in a secret "
        "store and out of the ledger database, and never change it: pseudonyms made with "
        "another key name no one. Needed to record events, not to verify the ledger.",
    )
    pseudonymisation_keys: SecretStr | None = Field(
        None,
        description="The keys that pseudonymise datasets (`placet retention pseudonymise`): "
        "`k2:<base64>,k1:<base64>`, the current key first, each at least 32 bytes, each "
        "under an id. Adding a key in front and running `placet retention "
        "rotate-pseudonyms` re-keys what is stored; keep the older keys in the chain, or "
        "pseudonyms made under them no longer link with new ones. Keep them secret.",
    )

    receipt_signing_key: SecretStr | None = Field(
        None,
        description="The Ed25519 private key that signs consent receipts: PEM text, or the path "
        "of a PEM file (`placet receipt keygen` makes one). Keep it secret. Needed to issue "
        "receipts, not to verify them.",
    )
    receipt_key_id: str | None = Field(
        None,
        description="The key id (`kid`) receipts are signed under; by default the key's RFC 7638 "
        "JWK thumbprint. Must match the id published for the key.",
    )
    receipt_published_keys: Path | None = Field(
        None,
        description="A JWKS file of retired receipt keys that are still published, so receipts "
        "they signed keep verifying; the current key is always published with them.",
    )
    notice_url: str | None = Field(
        None,
        description="Where the operator publishes its privacy notice; receipts name it (the "
        "controller's web address if unset).",
    )
    code_key: SecretStr | None = Field(
        None,
        description="Secret key, in hex (at least 32 digits), under which one-time codes "
        "that verify a requester's identity are kept, as HMAC-SHA-256 digests, never as "
        "codes. Generate one with `python -c 'import secrets; print(secrets.token_hex(32))'` "
        "and keep it out of the database. Needed to send and confirm codes; changing it "
        "voids the codes already sent.",
    )
    outbox: str | None = Field(
        None,
        description="Where one-time codes are sent from: "
        "`smtp://[user:password@]host[:port]?from=privacy@operator.example[&starttls=true]` "
        "sends e-mail through that SMTP server (port 25 by default); `folder:PATH` writes "
        "each message, e-mail or SMS, to a file in PATH instead, for the demo (the files "
        "hold the codes: never in production); `memory` keeps them in the process, for "
        "tests. Recipients of a subscriber's data are told of a change to it through the "
        "same outbox's e-mail, unless `PLACET_RECIPIENT_NOTIFIER` is set.",
    )
    sms_gateway: str | None = Field(
        None,
        description="The operator's SMS gateway for one-time codes, as `module:factory`: a "
        "function importable from Placet's environment that returns an object with "
        "`send_sms(to, text)`. Without it, codes go by SMS only through a `folder:` or "
        "`memory` outbox.",
    )
    recipient_notifier: str | None = Field(
        None,
        description="How recipients of a subscriber's data are told of its rectification, "
        "erasure or restriction (GDPR Art. 19), as `module:factory`: a function importable "
        "from Placet's environment that returns an object with a `channel` name and "
        "`send(notice)`, which returns a reference to the message sent. Without it they are "
        "told by e-mail through `PLACET_OUTBOX`, at the contact address of their agreement "
        "in the disclosure register; with neither, each notification is recorded as failed "
        "for the DPO to see.",
    )
    unsubscribe_key: SecretStr | None = Field(
        None,
        description="Secret key, in hex (at least 32 digits), that signs the one-click "
        "unsubscribe links of marketing e-mails (HMAC-SHA-256; RFC 8058). Keep it apart from "
        "the pseudonym key and secret: whoever holds it can make links for anyone. Changing "
        "it breaks the links in e-mails already sent. Needed for `/v1/unsubscribe`.",
    )
    opendsr_callback_key: SecretStr | None = Field(
        None,
        description="Secret key, in hex (at least 32 digits), that signs OpenDSR status "
        "callbacks and answers under `/opendsr` (`X-OpenDSR-Signature`: base64 of the "
        "body's HMAC-SHA-256), in place of the certificate signature the OpenDSR "
        "specification asks for. Share it with the request tools that verify callbacks. "
        "Without it, OpenDSR requests with `status_callback_urls` are refused.",
    )
    web_session_key: SecretStr | None = Field(
        None,
        description="Secret key, in hex (at least 32 digits), that signs the web pages' "
        "session cookies (the privacy center's sign-in) and their forms' CSRF tokens "
        "(HMAC-SHA-256). Generate one with `python -c 'import secrets; "
        "print(secrets.token_hex(32))'`; changing it signs everyone out. Without it the "
        "pages that need a sign-in answer that this setting is missing.",
    )
    datamap: Path | None = Field(
        None,
        description="The estate's data map (YAML): where subjects' requests find their data "
        "(access, portability, erasure, rectification). The systems' connections it names "
        "(`env:VARIABLE`) are read from the environment.",
    )
    answers_dir: Path = Field(
        Path("placet-answers"),
        description="The folder access answers, printed copies and portability packages are "
        "written to, one folder per request, readable by their owner only: they hold "
        "personal data, so keep it on encrypted storage and delete an answer once delivered.",
    )
    api_host: str = Field(
        "127.0.0.1",
        description="The address `placet serve` listens on; `0.0.0.0` for every interface.",
    )
    api_port: int = Field(8000, description="The port `placet serve` listens on.")
    cookie_origins: Annotated[list[str], NoDecode] = Field(
        [],
        description="The web sites whose cookie banner may record choices with "
        "`POST /v1/cookie-consents`: their origins, comma-separated "
        "(`https://www.ipko.com,https://shop.ipko.com`: scheme, host and port, no path). "
        "Requests from other origins are refused, and CORS allows only these. Placet's own "
        "pages (the banner demo) are always allowed.",
    )
    cookie_rate_limit: int = Field(
        30,
        ge=1,
        description="How many requests one client address may send to "
        "`POST /v1/cookie-consents` in a minute; more are answered 429 with Retry-After. "
        "Behind a reverse proxy, run uvicorn with `--proxy-headers` so that the address is "
        "the visitor's, not the proxy's. Addresses are counted in memory only, never stored.",
    )

    @field_validator("cookie_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: Any) -> Any:
        """Origins as a comma-separated string or a JSON list (the environment), or a list;
        each checked."""
        if isinstance(value, str) and value.strip().startswith("["):
            try:
                value = json.loads(value)
            except json.JSONDecodeError as exc:
                raise ValueError(f"'{value}' is not a JSON list of origins ({exc})") from exc
        elif isinstance(value, str):
            value = [part for part in value.split(",") if part.strip()]
        if isinstance(value, list | tuple):
            return [_origin(str(part)) for part in value]
        return value


@lru_cache(maxsize=1)
def get_settings() -> PlacetSettings:
    """The settings, read from the environment once."""
    return PlacetSettings()


_ORIGIN = re.compile(r"^https?://([a-z0-9.-]+|\[[0-9a-f:.]+\])(:[0-9]{1,5})?$")


def _origin(text: str) -> str:
    """A web origin as browsers send it (`https://www.ipko.com`), lowercased, no end slash."""
    origin = text.strip().lower().removesuffix("/")
    if not _ORIGIN.match(origin):
        raise ValueError(
            f"'{text.strip()}' is not a web origin; write it as scheme://host[:port], "
            "e.g. https://www.ipko.com, with no path"
        )
    return origin


def secret_from_hex(text: str, setting: str, *, least: int, needed_for: str, fix: str) -> bytes:
    """A secret key as the setting `setting` holds it: hex digits, at least `least` bytes;
    `SettingsError` otherwise (`has 8 bytes; {needed_for} at least 16`), saying `fix`."""
    try:
        key = bytes.fromhex(text.strip())
    except ValueError as exc:
        raise SettingsError(setting, "is not written in hex digits", fix) from exc
    if len(key) < least:
        raise SettingsError(setting, f"has {len(key)} bytes; {needed_for} at least {least}", fix)
    return key
