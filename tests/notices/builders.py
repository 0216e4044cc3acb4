"""Policies for the document tests: the minimal fixture, a richer one, the reference policies."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from placet.errors import PolicyError
from placet.policy import Policy, load_policy_set
from tests.conftest import FIXTURES

REFERENCE_OPERATORS = ("ipko", "ipnordic")
POLICIES = Path(__file__).resolve().parents[2] / "policies"


@cache
def minimal_policy() -> Policy:
    return load_policy_set(FIXTURES / "minimal").latest


def make_policy(**changes: Any) -> Policy:
    """The minimal policy with top-level fields replaced, validated again."""
    data = minimal_policy().model_dump(by_alias=True, exclude={"translated_paths"})
    data.update(changes)
    return Policy.model_validate(data)


def _text(en: str, sq: str | None = None) -> dict[str, str]:
    return {"en": en, "sq": sq if sq is not None else f"{en} (sq)"}


@cache
def rich_policy() -> Policy:
    """The minimal policy plus every element a notice can show, in English and Albanian."""
    base = minimal_policy().model_dump(by_alias=True, exclude={"translated_paths"})
    base["controller"].update(
        owner="Example Group", registration="CVR 12345678", phone="+383 38 000 000"
    )
    base["controller"]["dpo"].update(phone="+383 38 000 001", address="1 Main Street")
    base["purposes"].append(
        {
            "id": "fraud-prevention",
            "name": _text("Fraud prevention", "Parandalimi i mashtrimit"),
            "description": _text("We look for fraud on the network."),
            "legal_basis": "legitimate-interest",
            "legitimate_interest": _text("Keeping the network and its customers safe."),
            "categories": ["traffic-data", "contact"],
            "uses_automated_decisions": True,
            "conditions": {
                "objection": "overrides",
                "traffic_location_needs_consent": True,
                "unless_anonymised": True,
                "minors": "requires-consent",
            },
        }
    )
    base["data_sources"] = [
        {
            "id": "subscriber",
            "name": _text("You"),
            "description": _text("What you tell us."),
            "origin": "subject",
        }
    ]
    base["retention_rules"].append(
        {
            "id": "invoices",
            "record_type": _text("Invoices", "Faturat"),
            "categories": ["contact"],
            "period": "6 years",
            "anchors": ["end-of-year", "end-of-last-contract"],
            "action": "delete",
            "exceptions": [
                {"description": _text("Not for marketing."), "legal_bases": ["consent"]}
            ],
        }
    )
    base["recipients"].append(
        {
            "id": "cloud-abroad",
            "name": _text("Cloud provider abroad"),
            "kind": "processor",
            "description": _text("Stores backups."),
            "country": "US",
            "third_country": True,
            "safeguard": "standard-contractual-clauses",
        }
    )
    base["transfers"] = {
        "occurs": True,
        "description": _text("Backups abroad and roaming."),
        "safeguards": ["standard-contractual-clauses", "contract-performance-derogation"],
    }
    base["rights"].append(
        {
            "kind": "erasure",
            "description": _text("Ask us to delete your data."),
            "channels": ["email", "shop"],
            "limits": _text("Not while the law makes us keep it."),
        }
    )
    base["complaints"] = {
        "to_controller": {"email": "complaints@example.test"},
        "description": _text("Tell us first if you like."),
    }
    base["minors"] = {"age_below": 18, "description": _text("We ask a parent.")}
    base["automated_decisions"] = {
        "used": True,
        "profiling": False,
        "description": _text("Fraud scores block calls."),
        "logic": _text("Unusual call patterns raise the score."),
    }
    base["provision_requirement"] = _text("Without your name we cannot sign a contract.")
    base["security"] = _text("Access control and encryption.")
    base["cookies"] = {
        "description": _text("Our website uses cookies."),
        "legal_basis": "consent",
        "categories": [
            {
                "id": "necessary",
                "name": _text("Necessary"),
                "description": _text("Keep you logged in."),
                "necessary": True,
            }
        ],
        "banner": {
            "text": _text("We use cookies."),
            "accept_label": _text("OK", "Në rregull"),
            "reject_label": _text("No thanks", "Jo faleminderit"),
        },
    }
    base["sections"] = [
        {"id": "changes", "title": _text("Changes"), "body": _text("We publish every change.")}
    ]
    return Policy.model_validate(base)


def with_languages(policy: Policy, languages: list[str]) -> Policy:
    """The policy with each text copied from English into `languages`, now declared too."""
    data = policy.model_dump(by_alias=True, exclude={"translated_paths"})
    data = _copy_texts(data, languages)
    data["controller"]["languages"] = [*policy.languages, *languages]
    return Policy.model_validate(data)


def _copy_texts(value: Any, languages: list[str]) -> Any:
    if isinstance(value, dict):
        if "en" in value and all(isinstance(text, str) for text in value.values()):
            return {**value, **{language: f"{value['en']} [{language}]" for language in languages}}
        return {key: _copy_texts(item, languages) for key, item in value.items()}
    if isinstance(value, list):
        return [_copy_texts(item, languages) for item in value]
    return value


def with_translated(policy: Policy, paths: list[str]) -> Policy:
    """The policy with these texts marked as translations made for Placet (`!tr` in YAML)."""
    return policy.model_copy(update={"translated_paths": frozenset(paths)})


def with_recipients(policy: Policy, *recipients: dict[str, Any]) -> Policy:
    """The policy with further recipients, each given as its YAML mapping."""
    data = policy.model_dump(by_alias=True, exclude={"translated_paths"})
    data["recipients"] = [*data["recipients"], *recipients]
    return Policy.model_validate(data)


def reference_policies() -> list[Policy]:
    """The reference policies that load today (they are being written alongside this code)."""
    loaded = []
    for operator in REFERENCE_OPERATORS:
        try:
            loaded.append(load_policy_set(POLICIES / operator).latest)
        except PolicyError:
            continue
    return loaded
