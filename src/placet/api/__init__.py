"""The HTTP API: FastAPI under `/v1`, API keys with scopes, RFC 9457 problem details.

`create_app(settings)` wires it; `placet serve` runs it with uvicorn.
"""

from placet.api.app import API_PREFIX, app_from_environment, build_api, create_app

__all__ = ["API_PREFIX", "app_from_environment", "build_api", "create_app"]
