"""Every integer parameter of every route (path, query, form field, JSON body field), found
by walking the app's routes, answers huge, negative and boundary values with a 4xx, never a
500 (e.g. an offset of 2**63 overflowed SQLite's integers)."""

from __future__ import annotations

import types
import typing

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from pydantic import BaseModel

from community_fixtures import add_papers, logged_in
from fastapi.routing import APIRoute, _iter_included_route_candidates

HUGE = st.one_of(st.integers(min_value=2**63 - 10, max_value=2**70),
                 st.integers(max_value=-1, min_value=-2**70),
                 st.sampled_from([0, 2**63 - 1, 2**63, 2**64, -2**63 - 1, 10**30]))


def _is_int(annotation) -> bool:
    if annotation is int:
        return True
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        return int in typing.get_args(annotation)
    return False


def _filler(annotation):
    if _is_int(annotation):
        return 1
    if annotation is bool:
        return False
    return "x"


def api_routes(app) -> list[APIRoute]:
    """Every route of the app, through included routers (FastAPI keeps those nested)."""
    return [r for r in _iter_included_route_candidates(app.routes) if isinstance(r, APIRoute)]


def int_targets(app) -> list[tuple[str, str, str, str]]:
    """(method, path, where, name) for each integer parameter of the app's routes."""
    out = []
    for route in api_routes(app):
        d = route.dependant
        for method in sorted(route.methods - {"HEAD"}):
            for where, fields in (("path", d.path_params), ("query", d.query_params)):
                out += [(method, route.path, where, f.alias) for f in fields
                        if _is_int(f.field_info.annotation)]
            for f in d.body_params:
                ann = f.field_info.annotation
                if isinstance(ann, type) and issubclass(ann, BaseModel):
                    out += [(method, route.path, "json", n) for n, fi in ann.model_fields.items()
                            if _is_int(fi.annotation)]
                elif _is_int(ann):
                    out.append((method, route.path, "form", f.alias))
    return out


def build_request(route: APIRoute, where: str, name: str, value: int, paper_id: str):
    path = route.path_format
    for f in route.dependant.path_params:
        given_value = value if (where == "path" and f.alias == name) else (
            1 if _is_int(f.field_info.annotation) else paper_id)
        path = path.replace("{" + f.alias + "}", str(given_value))
    params = {name: str(value)} if where == "query" else {}
    json_body, form = None, None
    for f in route.dependant.body_params:
        ann = f.field_info.annotation
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            json_body = {n: _filler(fi.annotation) for n, fi in ann.model_fields.items()}
            if where == "json":
                json_body[name] = value
        else:
            form = form or {}
            form[f.alias] = str(value) if (where == "form" and f.alias == name) else \
                str(_filler(ann))
    return path, params, json_body, form


@pytest.fixture
def admin(app, cstore):
    add_papers(cstore, 2)
    return logged_in(app, cstore, "root@example.org", admin=True)


def test_every_integer_parameter_is_bounded(app, admin):
    routes = {(m, r.path): r for r in api_routes(app) for m in r.methods}
    targets = int_targets(app)
    assert len(targets) >= 20, targets  # the walk finds the ids, offsets and pages
    assert ("GET", "/api/collections/{collection_id}", "query", "offset") in targets

    @settings(max_examples=12, suppress_health_check=[HealthCheck.function_scoped_fixture],
              deadline=None)
    @given(value=HUGE)
    def check(value: int) -> None:
        for method, path, where, name in targets:
            url, params, json_body, form = build_request(routes[(method, path)], where, name,
                                                         value, "2611.00001")
            r = admin.request(method, url, params=params, json=json_body, data=form,
                              headers={"Origin": "http://testserver"}, follow_redirects=False)
            assert r.status_code < 500, (method, url, where, name, value, r.text[:300])

    check()
