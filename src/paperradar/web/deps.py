"""FastAPI dependencies and their aliases (``StoreDep``, ``SettingsDep``) for thin routers."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from paperradar.config import Settings
from paperradar.store import Store


async def get_settings(request: Request) -> Settings:
    return request.app.state.settings


async def get_store(request: Request) -> Store:
    return request.app.state.store


SettingsDep = Annotated[Settings, Depends(get_settings)]
StoreDep = Annotated[Store, Depends(get_store)]
