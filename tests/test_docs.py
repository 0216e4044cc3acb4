"""The docs say what the code does: every code, command and field has its line in docs/."""

from __future__ import annotations

import ast
import importlib
import inspect
import re
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from placet.errors import POLICY_ISSUE_CODES
from placet.policy import coverage as coverage_module
from placet.policy import model as policy_model
from placet.policy.completeness import WARNING_CODES

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
GEN_DOCS = ROOT / "scripts" / "gen_docs.py"
BEGIN = "<!-- BEGIN GENERATED FIELD REFERENCE -->"
END = "<!-- END GENERATED FIELD REFERENCE -->"


def read_doc(name: str) -> str:
    return (DOCS / name).read_text(encoding="utf-8")


def table_row(text: str, key: str) -> str | None:
    """The table row of `text` whose first cell is `key` in backticks, or None."""
    match = re.search(rf"^\| `{re.escape(key)}` \|.*$", text, flags=re.MULTILINE)
    return match.group(0) if match else None


def field_reference_sections() -> dict[str, str]:
    """The generated field reference of docs/policy.md, one text per model name."""
    page = read_doc("policy.md")
    reference = page.split(BEGIN, 1)[1].split(END, 1)[0]
    parts = re.split(r"^#### Model `(\w+)`$", reference, flags=re.MULTILINE)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def documented_models() -> list[type[BaseModel]]:
    defined = [
        cls
        for _, cls in inspect.getmembers(policy_model, inspect.isclass)
        if issubclass(cls, BaseModel)
        and cls.__module__ == policy_model.__name__
        and not cls.__name__.startswith("_")
    ]
    coverage_models = [
        coverage_module.CoverageFile,
        coverage_module.Mapping,
        coverage_module.Reading,
        coverage_module.Acknowledgement,
    ]
    return [*defined, *coverage_models]


def walk_commands(command: Any, name: str, parent: Any = None) -> Iterator[tuple[str, Any]]:
    """Every command with its full name; duck-typed, since Typer may ship its own click."""
    context = command.context_class(command, info_name=name.rsplit(maxsplit=1)[-1], parent=parent)
    yield name, command
    if hasattr(command, "list_commands"):
        for sub_name in command.list_commands(context):
            sub = command.get_command(context, sub_name)
            if sub is not None and not sub.hidden:
                yield from walk_commands(sub, f"{name} {sub_name}", context)


def test_every_policy_issue_code_is_documented() -> None:
    page = read_doc("policy.md")

    undocumented = [code for code in POLICY_ISSUE_CODES if table_row(page, code) is None]

    assert not undocumented, f"add a row to the error code table of docs/policy.md: {undocumented}"


def test_every_completeness_warning_code_is_documented() -> None:
    page = read_doc("policy.md")

    undocumented = [
        code
        for code, item in WARNING_CODES.items()
        if (row := table_row(page, code)) is None or item.split(":")[0] not in row
    ]

    assert not undocumented, (
        f"add a row with the GDPR article to the warning table of docs/policy.md: {undocumented}"
    )


def test_generated_docs_are_up_to_date() -> None:
    result = subprocess.run(
        [sys.executable, str(GEN_DOCS), "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0, result.stderr + result.stdout


def test_every_cli_command_has_help_and_is_documented_in_cli_md() -> None:
    import typer.main

    from placet.cli.main import app

    cli_md = read_doc("cli.md")

    commands = list(walk_commands(typer.main.get_command(app), "placet"))

    assert len(commands) > 1
    for name, command in commands:
        assert (command.help or "").strip(), f"`{name}` has no help text"
        assert f"`{name}`" in cli_md, f"`{name}` is not in docs/cli.md"


def test_every_model_field_is_in_the_field_reference() -> None:
    sections = field_reference_sections()

    missing = [
        f"{model.__name__}.{field.alias or name}"
        for model in documented_models()
        for name, field in model.model_fields.items()
        if table_row(sections.get(model.__name__, ""), field.alias or name) is None
    ]

    assert not missing, f"run `python scripts/gen_docs.py`; missing from the reference: {missing}"


def python_examples() -> Iterator[tuple[str, str]]:
    """Every Python block of docs/, dedented, with `page:line` of where it starts."""
    for page in sorted(DOCS.glob("*.md")):
        text = page.read_text(encoding="utf-8")
        for match in re.finditer(r"^( *)```python\n(.*?)^ *```", text, re.MULTILINE | re.DOTALL):
            line = text.count("\n", 0, match.start()) + 1
            yield f"docs/{page.name}:{line}", textwrap.dedent(match.group(2))


def example_problems(where: str, code: str) -> Iterator[str]:
    """What in one example names something Placet does not have: a module or name it
    imports from `placet`, or a call to such a name with arguments it does not take."""
    try:
        tree = ast.parse(code)
    except SyntaxError as exc:
        yield f"{where}: not Python: {exc}"
        return
    imported: dict[str, Any] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("placet"):
            try:
                module = importlib.import_module(node.module or "")
            except ImportError as exc:
                yield f"{where}: {exc}"
                continue
            for alias in node.names:
                if not hasattr(module, alias.name):
                    yield f"{where}: {node.module} has no {alias.name}"
                else:
                    imported[alias.asname or alias.name] = getattr(module, alias.name)
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
            continue
        called = imported.get(node.func.id)
        if called is None or any(isinstance(arg, ast.Starred) for arg in node.args):
            continue
        keywords = {keyword.arg: None for keyword in node.keywords if keyword.arg is not None}
        try:
            inspect.signature(called).bind(*[None] * len(node.args), **keywords)
        except TypeError as exc:
            yield f"{where}, line {node.lineno} of the example: {node.func.id}(…): {exc}"


def test_the_python_examples_of_the_docs_use_what_placet_has() -> None:
    examples = list(python_examples())
    assert len(examples) >= 15
    problems = [problem for where, code in examples for problem in example_problems(where, code)]
    assert not problems, "\n".join(problems)
