"""An OpenAPI document that tells the truth about errors (checked by schemathesis in tests).

Every error the app sends is the same JSON envelope, ``ErrorBody`` (``error`` heading,
``status``, ``detail``), including 422s (whose ``detail`` is FastAPI's list of
``{loc, msg, type}`` for schema violations, or a sentence for rule violations).
``install(app)`` documents it on each operation, derived from the route so new routes stay
true without extra work:

- every operation: 400 (input the schema cannot express, e.g. mutually exclusive
  parameters or a date that does not exist) and 422;
- with path parameters: 404; with a body: 413 (``web.limits``);
- depending on who may call it (its auth dependencies): 401, and 403 for verified/admin;
- anything else (409, 429, 502, 503, 504) a route declares with ``responses=errors(...)``.

Routes that answer in other media types declare them with ``media(...)``.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute
from pydantic import BaseModel, Field

REASONS = {
    400: "Bad request: input the schema cannot express (see detail)",
    401: "Not signed in, or an invalid API token",
    403: "Not allowed (e.g. an unverified address, not an admin, a quota reached)",
    404: "No such resource",
    409: "Conflict with the current state (e.g. already listed, a taken name)",
    413: "The request body is larger than this endpoint accepts",
    422: "Invalid input (detail lists the problems)",
    429: "Too many requests; see Retry-After",
    502: "An upstream (arXiv) failed",
    503: "Temporarily unavailable; try again",
    504: "An upstream (arXiv) did not answer in time",
}


class ErrorBody(BaseModel):
    """The JSON body of every error response."""

    error: str = Field(description="a short heading, e.g. 'Not found'")
    status: int = Field(description="the HTTP status code")
    detail: Any = Field(description="what went wrong: a sentence, an object (e.g. the URL of "
                        "a duplicate), or for 422 a list of {loc, msg, type}")


def errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    """``responses=`` entries for error statuses a route sends beyond the derived ones."""
    return {code: {"model": ErrorBody, "description": REASONS[code]} for code in codes}


def media(*types: str, description: str = "The document") -> dict[int | str, dict[str, Any]]:
    """``responses=`` for a 200 in other media types (Atom, BibTeX, RIS...)."""
    return {200: {"description": description,
                  "content": {t: {"schema": {"type": "string"}} for t in types}}}


def _auth_codes(route: APIRoute) -> set[int]:
    from paperradar.web import auth_deps

    calls, stack = set(), [route.dependant]
    while stack:
        d = stack.pop()
        calls.add(d.call)
        stack.extend(d.dependencies)
    codes: set[int] = set()
    if calls & {auth_deps.optional_user, auth_deps.current_user}:
        codes.add(401)  # a bad Bearer token is refused even where signing in is optional
    if calls & {auth_deps.verified_user, auth_deps.admin_user}:
        codes |= {401, 403}
    return codes


def derived_codes(route: APIRoute) -> set[int]:
    codes = {400, 422} | _auth_codes(route)
    if route.dependant.path_params:
        codes.add(404)
    if route.body_field is not None or route.openapi_extra and "requestBody" in route.openapi_extra:
        codes.add(413)
    return codes


def all_routes(app: FastAPI) -> list:
    """The app's routes, flat (recent FastAPI keeps included routers nested)."""
    try:
        from fastapi.routing import _iter_included_route_candidates
    except ImportError:  # pragma: no cover (older FastAPI: already flat)
        return list(app.routes)
    return list(_iter_included_route_candidates(app.routes))


def _api_routes(app: FastAPI) -> list[APIRoute]:
    return [r for r in all_routes(app) if isinstance(r, APIRoute) and r.include_in_schema]


def _error_ref(code: int) -> dict[str, Any]:
    return {"description": REASONS[code], "content": {"application/json": {
        "schema": {"$ref": "#/components/schemas/ErrorBody"}}}}


def patch_schema(app: FastAPI, schema: dict[str, Any]) -> dict[str, Any]:
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components["ErrorBody"] = ErrorBody.model_json_schema(
        ref_template="#/components/schemas/{model}")
    for route in _api_routes(app):
        item = schema.get("paths", {}).get(route.path_format, {})
        for method in route.methods:
            op = item.get(method.lower())
            if op is None:
                continue
            responses = op.setdefault("responses", {})
            for code in sorted(derived_codes(route)):
                current = responses.get(str(code))
                if current is None or _is_fastapi_422(current):
                    responses[str(code)] = _error_ref(code)
    if "HTTPValidationError" in components and "HTTPValidationError" not in str(schema["paths"]):
        components.pop("HTTPValidationError")
        components.pop("ValidationError", None)
    return schema


def _is_fastapi_422(response: dict[str, Any]) -> bool:
    return "HTTPValidationError" in str(response)


def install(app: FastAPI) -> None:
    """Replace ``app.openapi`` with one that documents the error envelope (built once)."""
    original = app.openapi

    def openapi() -> dict[str, Any]:
        schema = original()
        if not schema.get("x-errors-documented"):
            patch_schema(app, schema)
            schema["x-errors-documented"] = True
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
