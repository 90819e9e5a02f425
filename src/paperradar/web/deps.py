"""FastAPI dependencies and their aliases (``StoreDep``, ``SettingsDep``) for thin routers."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path, Query, Request

from paperradar.config import Settings
from paperradar.store import Store


async def get_settings(request: Request) -> Settings:
    return request.app.state.settings


async def get_store(request: Request) -> Store:
    return request.app.state.store


SettingsDep = Annotated[Settings, Depends(get_settings)]
StoreDep = Annotated[Store, Depends(get_store)]


# Integer parameters are bounded so no value can overflow SQLite's 64-bit integers (a 500):
# ids are positive and at most 2**53 - 1 (exact in every JSON parser, far beyond any row);
# offsets stop well before that.
MAX_ROW_ID = 2**53 - 1
MAX_OFFSET = 1_000_000
RowId = Annotated[int, Path(ge=1, le=MAX_ROW_ID, description="a numeric id")]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET, description="items to skip")]
