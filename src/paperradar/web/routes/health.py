"""Liveness and readiness probes."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from paperradar.web.deps import StoreDep

router = APIRouter(tags=["ops"])


@router.get("/healthz")
def healthz() -> dict:
    return {"status": "ok"}


@router.get("/readyz")
def readyz(store: StoreDep):
    try:
        store.max_seq()
    except Exception as exc:  # database unreachable or broken
        return JSONResponse({"status": "unavailable", "detail": str(exc)[:200]}, status_code=503,
                            headers={"Retry-After": "5"})
    return {"status": "ready"}
