"""API keys on requests: `Authorization: Bearer <key>` or `X-API-Key`, checked for a scope.

`require(Scope.DECIDE)` is a dependency that answers 401 without a valid key and 403
without the scope (through the problem handler); it returns the caller's `ApiKey`. The
OpenAPI document names the scope in each operation's security requirement (OpenAPI 3.1
allows role names there for API-key and HTTP schemes).
"""

# No `from __future__ import annotations`: FastAPI reads the annotations of `check`, which
# name the scope of the closure, so they must be evaluated where `check` is defined.
from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Security
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from placet.api.context import Services, services
from placet.operations import ApiKey, Scope, authenticate, authorise

__all__ = ["require"]

_bearer = HTTPBearer(auto_error=False, description="An API key: `Authorization: Bearer <key>`.")
_header = APIKeyHeader(name="X-API-Key", auto_error=False, description="An API key.")


def require(scope: Scope) -> Callable[..., ApiKey]:
    """A dependency: the caller's live API key, which must have `scope` (or `admin`)."""

    def check(
        wired: Annotated[Services, Depends(services)],
        bearer: Annotated[
            HTTPAuthorizationCredentials | None, Security(_bearer, scopes=[scope.value])
        ],
        header: Annotated[str | None, Security(_header, scopes=[scope.value])],
    ) -> ApiKey:
        presented = bearer.credentials if bearer is not None else header
        key = authenticate(wired.api_keys, presented)
        authorise(key, scope)
        return key

    check.__name__ = f"require_{scope.value.replace(':', '_')}"
    return check
