"""`placet retention explain` answers as docs/retention.md shows it, continuation lines
joined; contradictory facts are a usage error naming both options."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from placet.cli.main import app
from tests.doc_pages import as_documented, console_steps, fenced_block


@pytest.mark.parametrize(
    "after",
    ["## `placet retention explain`", "`--never-had-contract` says there never"],
)
def test_the_explain_examples_of_the_retention_page_answer_as_they_say(after: str) -> None:
    block = fenced_block("retention.md", "console", after).replace("\\\n", " ")
    (arguments, _, printed), *others = console_steps(block)
    assert not others

    result = CliRunner().invoke(app, arguments)

    assert result.exit_code == 0, result.output
    assert as_documented(result.output, printed), result.output


def test_a_contract_that_ended_and_no_contract_ever_cannot_both_be_given() -> None:
    result = CliRunner().invoke(
        app,
        [
            "retention",
            "explain",
            "ipko",
            "--record-type",
            "invoices",
            "--last-contract-end",
            "2024-02-01",
            "--never-had-contract",
        ],
    )

    assert result.exit_code == 2
    assert "--never-had-contract" in result.output
    assert "--last-contract-end" in result.output
