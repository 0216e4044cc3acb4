"""The public names of `placet.notices`, which the CLI calls."""

from __future__ import annotations

import inspect

import placet.notices
from tests.notices.builders import minimal_policy


def test_notices_exports_exactly_its_public_api() -> None:
    assert sorted(placet.notices.__all__) == [
        "AccessCopy",
        "CopiedDataset",
        "LANGUAGES",
        "NoticeFormat",
        "RopaEntry",
        "RopaFormat",
        "RopaRegister",
        "build_ropa",
        "export_dpv",
        "export_jsonld",
        "export_ropa",
        "owed_facts",
        "render_notice",
        "write_printed_copy_html",
        "write_printed_copy_pdf",
    ]
    for name in placet.notices.__all__:
        assert hasattr(placet.notices, name), name


def test_entry_points_keep_the_signatures_the_cli_calls() -> None:
    signatures = {
        "render_notice": ["policy", "language", "fmt"],
        "build_ropa": ["policy", "language"],
        "export_ropa": ["policy", "fmt", "language", "register"],
        "export_dpv": ["policy"],
        "export_jsonld": ["policy"],
    }
    for name, parameters in signatures.items():
        function = getattr(placet.notices, name)
        assert list(inspect.signature(function).parameters) == parameters, name


def test_formats_are_named_by_their_file_extension() -> None:
    assert [fmt.value for fmt in placet.notices.NoticeFormat] == ["md", "html", "pdf"]
    assert [fmt.value for fmt in placet.notices.RopaFormat] == ["csv", "xlsx", "json"]


def test_formats_given_as_plain_strings_are_accepted() -> None:
    policy = minimal_policy()

    assert placet.notices.render_notice(policy, "en", "md").startswith(b"# ")  # type: ignore[arg-type]
    assert placet.notices.export_ropa(policy, "json", "en").startswith(b"{")  # type: ignore[arg-type]
