"""The worked examples of docs/api.md, run as written, in order, against the API.

Each `curl` of the section is sent to a test client (its `$API`, `$AUTH` and `$KEY` those
of the page: an admin key named `crm-campaigns`, the clock at 2025-05-01 09:00 UTC), each
`placet` command is run with its output files in a scratch folder, and what the page says
comes back is checked against what did:

- a fenced `http`, `json` or `csv` block after a block of commands is the answer to its
  last command: the same status, headers and fields, every value equal, except those only
  one run can have (event and record ids, hashes, signatures), which must be present;
  a value written with `…` must start and end as written;
- a `# → …` line under a command names fields the answer has, in that order, with those
  values.

Ids an example takes from an earlier answer (an event's, a decision record's) are replaced
by the ids this run gave.
"""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from placet.api import create_app
from placet.cli.main import app as cli_app
from placet.ledger.receipts import generate_signing_key
from placet.operations import create_key
from tests.api.conftest import NOW, Clock, make_settings

DOC = Path(__file__).resolve().parents[2] / "docs" / "api.md"
SECTION = "## Worked examples"

RUN_SPECIFIC = frozenset({"event_id", "record_id", "receipt_id", "hash", "prev_hash", "token"})
"""Fields whose value only the run that wrote the page had: random ids, the hashes and
signatures over them."""
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
ARROW = "# →"
COMMANDS = ("curl ", "placet ", "export ")
RECORD_HEADER = "Placet-Decision-Record"


@dataclass
class Command:
    line: int
    text: str
    arrows: list[str] = field(default_factory=list)


@dataclass
class Block:
    line: int
    language: str
    text: str


def section_blocks(page: str) -> list[Block]:
    """The fenced blocks of the worked examples, in order, with the line each starts on."""
    lines = page.splitlines()
    start = lines.index(SECTION)
    end = next(i for i in range(start + 1, len(lines)) if lines[i].startswith("## "))
    blocks, index = [], start
    while index < end:
        opening = re.fullmatch(r"```(\w*)", lines[index])
        if opening is None:
            index += 1
            continue
        closing = lines.index("```", index + 1)
        text = "\n".join(lines[index + 1 : closing])
        blocks.append(Block(index + 1, opening.group(1), text))
        index = closing + 1
    return blocks


def commands(block: Block) -> list[Command]:
    """The commands of a `sh` block: each starts a line; a line that does not is a
    continuation, except a `# →` line, which is what its command answers."""
    found: list[Command] = []
    for offset, line in enumerate(block.text.splitlines()):
        stripped = line.strip()
        if stripped.startswith(ARROW):
            found[-1].arrows.append(stripped.removeprefix(ARROW))
        elif stripped.startswith("#") and found and found[-1].arrows:
            found[-1].arrows[-1] += " " + stripped.lstrip("#")
        elif line.startswith(COMMANDS):
            found.append(Command(block.line + 1 + offset, line))
        else:
            assert found, f"docs/api.md:{block.line + 1 + offset}: a line before any command"
            found[-1].text += "\n" + line
    return found


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    text: str

    def json(self) -> Any:
        return json.loads(self.text)


@dataclass
class Session:
    """The page's shell: its variables, the answers so far, and the ids they gave."""

    client: TestClient
    folder: Path
    key: str
    variables: dict[str, str] = field(default_factory=dict)
    ids: dict[str, str] = field(default_factory=dict)
    last: Answer | None = None
    record_id: str | None = None

    def run(self, command: Command) -> Answer:
        words = shlex.split(command.text.replace("\\\n", " "), comments=True)
        if words[0] == "export":
            for assignment in words[1:]:
                name, value = assignment.split("=", 1)
                self.variables[name] = self.expand(value)
            return Answer(0, {}, "")
        words = [self.expand(word) for word in words]
        if words[0] == "placet":
            return self.placet(words[1:])
        return self.curl(words[1:], command)

    def expand(self, word: str) -> str:
        for name, value in sorted(self.variables.items(), key=lambda item: -len(item[0])):
            word = word.replace(f"${name}", value)
        return word.replace("$KEY", self.key)

    def curl(self, words: list[str], command: Command) -> Answer:
        method, headers, body, url, output = "GET", {}, None, None, None
        remaining = iter(words)
        for word in remaining:
            if word == "-s":
                continue
            if word == "-X":
                method = next(remaining)
            elif word == "-H":
                name, value = next(remaining).split(":", 1)
                headers[name.strip()] = value.strip()
            elif word == "-d":
                body = next(remaining)
            elif word == ">":
                output = next(remaining)
            else:
                assert not word.startswith("-"), f"docs/api.md:{command.line}: curl {word}?"
                assert url is None, f"docs/api.md:{command.line}: two URLs"
                url = word
        assert url is not None, f"docs/api.md:{command.line}: a curl without a URL"
        path = self.real_ids(url.removeprefix("http://localhost:8000"), command.line)
        response = self.client.request(method, path, content=body, headers=headers)
        answer = Answer(response.status_code, dict(response.headers), response.text)
        assert response.status_code < 400, f"docs/api.md:{command.line}: {response.text}"
        if RECORD_HEADER.lower() in response.headers:
            self.record_id = response.headers[RECORD_HEADER.lower()]
        if output is not None:
            (self.folder / output).write_text(response.text, encoding="utf-8")
        return answer

    def real_ids(self, path: str, line: int) -> str:
        """`path` with each id an earlier example showed replaced by this run's."""

        def real(match: re.Match[str]) -> str:
            documented = match.group(0)
            if documented in self.ids:
                return self.ids[documented]
            if "/decision-records/" in path and self.record_id is not None:
                return self.record_id
            raise AssertionError(
                f"docs/api.md:{line}: {documented} is no id an earlier example showed"
            )

        return UUID.sub(real, path)

    def placet(self, arguments: list[str]) -> Answer:
        result = CliRunner().invoke(
            cli_app,
            [
                str(self.folder / word) if (self.folder / word).exists() else word
                for word in arguments
            ],
        )
        assert result.exit_code == 0, result.output
        return Answer(0, {}, result.output)


def elided_match(written: str, actual: Any) -> bool:
    """`actual` is a text that starts and ends as `written`, which elides its middle (`…`)."""
    head, _, tail = written.partition("…")
    return (
        isinstance(actual, str)
        and actual.startswith(head.rstrip())
        and actual.endswith(tail.lstrip())
    )


def check_fields(documented: Any, actual: Any, where: str, session: Session) -> None:
    """`actual` has every field of `documented` and no other, with the same values (see the
    module's docstring for those only a run can have)."""
    if isinstance(documented, dict):
        assert isinstance(actual, dict), f"{where}: {actual!r} is not an object"
        assert set(actual) == set(documented), (
            f"{where}: the page shows {sorted(documented)}, the answer has {sorted(actual)}"
        )
        for name, value in documented.items():
            if name in RUN_SPECIFIC and value is not None:
                assert isinstance(actual[name], str), f"{where}.{name}: {actual[name]!r}"
                assert actual[name], f"{where}.{name} is empty"
                if isinstance(value, str) and UUID.fullmatch(value):
                    session.ids[value] = actual[name]
                continue
            check_fields(value, actual[name], f"{where}.{name}", session)
    elif isinstance(documented, list):
        assert isinstance(actual, list), f"{where}: {actual!r} is not a list"
        assert len(actual) == len(documented), (
            f"{where}: the page shows {len(documented)} items, the answer {actual!r}"
        )
        for index, (value, got) in enumerate(zip(documented, actual, strict=True)):
            check_fields(value, got, f"{where}[{index}]", session)
    elif isinstance(documented, str) and "…" in documented:
        assert elided_match(documented, actual), (
            f"{where}: the page shows {documented!r}, the answer {actual!r}"
        )
    elif isinstance(documented, str) and UUID.search(documented):
        assert isinstance(actual, str), f"{where}: {actual!r}"
        assert actual == session.real_ids(documented, 0), f"{where}: {actual!r}"
    else:
        assert actual == documented, (
            f"{where}: the page shows {documented!r}, the answer {actual!r}"
        )


def check_block(block: Block, answer: Answer, session: Session) -> None:
    where = f"docs/api.md:{block.line}"
    if block.language == "csv":
        assert answer.text.splitlines() == block.text.splitlines(), f"{where}: {answer.text!r}"
        return
    head, text = ("", block.text)
    if block.language == "http":
        head, _, text = block.text.partition("\n\n")
    check_fields(json.loads(text), answer.json(), where, session)
    if head:
        status, *header_lines = head.splitlines()
        assert answer.status == int(status.split()[1]), f"{where}: {answer.status}"
        for line in header_lines:
            name, value = line.split(":", 1)
            got = answer.headers.get(name.lower())
            assert got == session.real_ids(value.strip(), block.line), f"{where}: {name} is {got!r}"


def flattened(value: Any) -> Iterator[tuple[str, Any]]:
    """Every (field, value) of a JSON answer, depth first, in order."""
    if isinstance(value, dict):
        for name, item in value.items():
            yield name, item
            yield from flattened(item)
    elif isinstance(value, list):
        for item in value:
            yield from flattened(item)


def check_arrow(arrow: str, answer: Answer, command: Command) -> None:
    """The fields a `# →` line names are in the answer, in that order, with its values
    (`"field": …` says only that the field is there)."""
    pairs = flattened(answer.json())
    for match in re.finditer(r'"(\w+)": ("(?:[^"\\]|\\.)*"|[-\w.]+|…)', arrow):
        name, written = match.groups()
        for found, value in pairs:
            if found != name:
                continue
            if written == "…":
                break
            expected = json.loads(written)
            if isinstance(expected, str) and "…" in expected:
                if elided_match(expected, value):
                    break
            elif value == expected:
                break
        else:
            raise AssertionError(
                f"docs/api.md:{command.line}: the answer has no {name}: {written} where the "
                f"page says it does: {answer.text[:2000]}"
            )


@pytest.fixture
def session(sqlite_url: str, tmp_path: Path) -> Iterator[Session]:
    signing_key = generate_signing_key("ipko-2025")
    app = create_app(make_settings(sqlite_url, tmp_path, signing_key), clock=Clock(NOW))
    with TestClient(app) as client:
        key = create_key(
            app.state.services.api_keys, ["admin"], name="crm-campaigns", now=NOW
        ).plaintext
        folder = tmp_path / "shell"
        folder.mkdir()
        yield Session(client, folder, key)
    app.state.services.ledger.engine.dispose()


def test_the_worked_examples_of_api_md_answer_as_the_page_says(session: Session) -> None:
    checked = 0
    for block in section_blocks(DOC.read_text(encoding="utf-8")):
        if block.language == "sh":
            for command in commands(block):
                session.last = session.run(command)
                for arrow in command.arrows:
                    check_arrow(arrow, session.last, command)
                    checked += 1
        else:
            assert session.last is not None, f"docs/api.md:{block.line}: an answer to nothing"
            check_block(block, session.last, session)
            session.last = None  # one answer a command
            checked += 1
    assert checked >= 10
