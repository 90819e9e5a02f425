"""CLI commands of the web area: ``paperradar serve`` and ``paperradar demo``."""

from __future__ import annotations

import copy
import os
import socket
from pathlib import Path

import typer

from paperradar.cli import common
from paperradar.cli.common import UserError


def log_config() -> dict:
    """uvicorn's logging plus JSON-line access logs (``paperradar.access``) on stderr."""
    from uvicorn.config import LOGGING_CONFIG

    cfg = copy.deepcopy(LOGGING_CONFIG)
    cfg["formatters"]["json_line"] = {"format": "%(message)s"}
    cfg["handlers"]["json_access"] = {"class": "logging.StreamHandler", "formatter": "json_line",
                                      "stream": "ext://sys.stderr"}
    cfg["loggers"]["paperradar.access"] = {"handlers": ["json_access"], "level": "INFO",
                                           "propagate": False}
    cfg["loggers"]["paperradar"] = {"handlers": ["default"], "level": "INFO", "propagate": False}
    return cfg


def run_server(host: str, port: int, workers: int) -> None:
    import uvicorn

    from paperradar.web.serving import uvicorn_options

    uvicorn.run("paperradar.web.app:create_app", factory=True, host=host, port=port,
                workers=workers, access_log=False, log_config=log_config(),
                **uvicorn_options(common.settings()))


def serve(host: str = typer.Option("127.0.0.1", "--host", help="interface to listen on"),
          port: int = typer.Option(8000, "--port", min=1, max=65535),
          workers: int = typer.Option(1, "--workers", min=1, max=64,
                                      help="worker processes")) -> None:
    """Serve the web app and APIs (settings from PAPERRADAR_* variables)."""
    settings = common.settings()
    if not port_free(host, port):
        raise UserError(f"port {port} on {host} is in use; choose another with --port")
    with common.store_from_settings(settings) as store:  # create/migrate once, fail early
        common.note_if_empty(store, settings)
    announce_mail(settings)
    common.console.print(f"serving {settings.resolved_database_url} on http://{host}:{port}/",
                         highlight=False)
    run_server(host, port, workers)


def announce_mail(settings) -> None:
    """Say where mail goes; loudly when production runs without SMTP."""
    box = settings.mail_outbox
    if box is None:
        return
    if settings.env == "production":
        common.console.print(f"[bold red]warning: mail is OFF[/] (PAPERRADAR_SMTP_URL=outbox): "
                             f"sign-up confirmations and digests are only written to {box}",
                             highlight=False, soft_wrap=True)
    else:
        common.console.print(f"no SMTP server configured: mail is kept in {box.resolve()} "
                             "(paperradar mail outbox; /outbox from this computer)",
                             highlight=False, soft_wrap=True)


def build_demo(data_dir: Path, embed: bool = True) -> dict:
    """Import the bundled demo days into ``data_dir`` and build the search indexes."""
    from paperradar.config import Settings
    from paperradar.demo import extract_demo, extract_listings
    from paperradar.ingest.files import import_paths
    from paperradar.search import Searcher

    settings = Settings(data_dir=data_dir, database_url="")  # never the environment's database
    with common.store_from_settings(settings) as store:
        files = [*extract_demo(data_dir / "demo-source"), extract_listings(data_dir / "demo-source")]
        sizes = {f: f.stat().st_size for f in files}
        done: dict[Path, int] = {}
        with common.progress() as bar:
            task = bar.add_task("importing demo days", total=sum(sizes.values()))

            def on_progress(path: Path, position: int, records: int) -> None:
                done[path] = min(position, sizes.get(path, position))
                bar.update(task, completed=sum(done.values()))

            report = import_paths(store, files, progress=on_progress)
        common.console.print(report.summary(), highlight=False)
        if report.errors:
            raise UserError("demo import failed: " + "; ".join(report.errors[:3]))
        lines = common.ProgressLines("indexing")
        with common.progress() as bar:
            tasks: dict[str, int] = {}

            def progress(stage: str, n: int, total: int | None) -> None:
                if stage not in tasks:
                    tasks[stage] = bar.add_task(f"indexing ({stage})", total=total)
                bar.advance(tasks[stage], n)
                lines.advance(stage, n, total)

            out = Searcher(settings, store).build(progress=progress, embed=embed)
            from paperradar.enrich.build import enrich_new  # keyphrases, summaries, authors

            out.update(enrich_new(store, progress=progress))
    return {"import": report.summary(), "index": out}


def port_free(host: str, port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


READY = "demo-ready"  # written into the data directory once the demo is fully built


def demo_ready(data_dir: Path, embed: bool) -> bool:
    """A demo database from an earlier, finished run (with embeddings when they are wanted)."""
    marker = data_dir / READY
    return marker.is_file() and (not embed or marker.read_text().strip() == "embed")


def demo(port: int = typer.Option(8000, "--port", min=1, max=65535),
         data_dir: Path = typer.Option(None, "--data-dir",
                                       help="where to keep the database (default: the data "
                                            "directory, PAPERRADAR_DATA_DIR or ./paperradar-data, "
                                            "reused when it already holds the demo)"),
         fresh: bool = typer.Option(False, "--fresh", help="rebuild the demo database even if "
                                    "one is there (accounts and comments are kept)"),
         no_serve: bool = typer.Option(False, "--no-serve", help="build the demo database and exit"),
         no_embed: bool = typer.Option(False, "--no-embed", help="skip embeddings (keyword search only)"),
         ) -> None:
    """Create a database from the bundled demo data (60 real days of daily papers), index it
    and serve it on 127.0.0.1. The data directory is kept, so accounts and comments survive."""
    from paperradar.search.embed import EmbedderError

    if not no_serve and not port_free("127.0.0.1", port):
        raise UserError(f"port {port} on 127.0.0.1 is in use; choose another with --port "
                        "(make demo PORT=8001)")
    data_dir = (data_dir or common.settings().data_dir).resolve()
    if not fresh and demo_ready(data_dir, not no_embed):
        common.console.print(f"demo data directory: {data_dir} (reused; --fresh rebuilds it)",
                             highlight=False)
    else:
        common.console.print(f"demo data directory: {data_dir}", highlight=False)
        try:
            build_demo(data_dir, embed=not no_embed)
            (data_dir / READY).write_text("keyword\n" if no_embed else "embed\n")
        except EmbedderError as exc:
            raise UserError(f"{exc} (use --no-embed for keyword search only)") from exc
    if no_serve:
        common.out.print(f"demo database ready in {data_dir}; serve it with "
                         f"PAPERRADAR_DATA_DIR={data_dir} paperradar serve", highlight=False)
        return
    os.environ["PAPERRADAR_DATA_DIR"] = str(data_dir)
    os.environ.pop("PAPERRADAR_DATABASE_URL", None)
    os.environ.setdefault("PAPERRADAR_BASE_URL", f"http://127.0.0.1:{port}")  # links in mails
    announce_mail(common.settings())
    common.out.print(f"paperradar demo: open http://127.0.0.1:{port}/  (Ctrl+C to stop)",
                     highlight=False)
    run_server("127.0.0.1", port, 1)


def register(app: typer.Typer) -> None:
    """Add this area's commands to the main app."""
    app.command("serve")(serve)
    app.command("demo")(demo)
