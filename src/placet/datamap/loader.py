"""Load a data map file, reporting every problem with its file, line and field.

Imports nothing outside the standard library, pydantic, `placet.policy` and `placet.errors`.
"""

from __future__ import annotations

import logging
from pathlib import Path

from pydantic import ValidationError

from placet.datamap.model import DataMap
from placet.errors import DataMapValidationError
from placet.policy.yamlsource import located_issues, read_yaml

__all__ = ["load_datamap"]

log = logging.getLogger(__name__)


def load_datamap(path: Path | str) -> DataMap:
    """The data map in `path`; raises `DataMapValidationError` with every issue found.

    Only the file's own shape is checked here; `check_datamap` checks it against a policy.
    """
    document = read_yaml(Path(path))
    issues = list(document.issues)
    if document.data is None:
        raise DataMapValidationError(issues)
    if not isinstance(document.data, dict):
        issues.append(document.issue((), "not-a-mapping", "a data map file is a YAML mapping"))
        raise DataMapValidationError(issues)
    try:
        datamap = DataMap.model_validate(document.data)
    except ValidationError as exc:
        raise DataMapValidationError(issues + located_issues(document, exc, DataMap)) from None
    if issues:
        raise DataMapValidationError(issues)
    log.debug("data map loaded", extra={"datamap": str(path), "estate": datamap.estate})
    return datamap.with_source(str(path), document.lines)
