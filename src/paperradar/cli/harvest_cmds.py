"""CLI commands of the harvest area (arXiv OAI-PMH, API, listing feeds) (registered by ``paperradar.cli``)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add this area's commands to the main app."""
