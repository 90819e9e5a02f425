"""CLI commands of the search area: ``paperradar index`` and ``paperradar search``."""

from __future__ import annotations

import json

import typer
from rich.markup import escape

from paperradar.cli import common
from paperradar.cli.common import UserError


def index(rebuild: bool = typer.Option(False, "--rebuild",
                                       help="rebuild the indexes from the database"),
          no_embed: bool = typer.Option(False, "--no-embed",
                                        help="full-text index only (no embeddings)")) -> None:
    """Embed new papers, bring the full-text and vector indexes up to date, and compute
    keyphrases and summaries of new or changed papers."""
    from paperradar.search import Searcher
    from paperradar.search.embed import EmbedderError

    settings = common.settings()
    with common.store_from_settings(settings) as store, common.progress() as bar:
        common.note_if_empty(store, settings)
        tasks: dict[str, int] = {}

        def progress(stage: str, n: int, total: int | None) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.advance(tasks[stage], n)

        try:
            out = Searcher(settings, store).build(progress=progress, embed=not no_embed,
                                                  rebuild=rebuild)
        except EmbedderError as exc:
            raise UserError(str(exc)) from exc
        from paperradar.enrich.build import enrich_new  # keyphrases, summaries, author rows

        out.update(enrich_new(store, progress=progress))
    line = (f"full text: {common.plural(out['lexical_indexed'], 'paper')} indexed "
            f"({out['lexical_seconds']} s)")
    if not no_embed:
        line += (f"; embeddings ({out['model']}): {out['embedded']:,} new, "
                 f"{out['embed_unchanged']:,} unchanged ({out['embed_seconds']} s)")
    line += f"; vectors: {out['vectors']:,} ({out['vector_index']}"
    if out.get("breadth"):  # chosen by measuring recall against exact search at build time
        line += f", search breadth {out['breadth']}"
        if out.get("recall") is not None:
            line += f" for recall@10 {out['recall']:.3f} on sampled queries"
    line += ")"
    line += f"; keyphrases: {out['enriched']:,} new, {out['enrich_unchanged']:,} unchanged"
    common.out.print(line, highlight=False)


def search(query: str = typer.Argument(..., help="the query (same syntax as the search box)"),
           mode: str = typer.Option("hybrid", "--mode", help="hybrid | lexical | semantic"),
           limit: int = typer.Option(10, "--limit", min=1, max=100),
           offset: int = typer.Option(0, "--offset", min=0),
           sort: str = typer.Option("relevance", "--sort", help="relevance | date | upvotes"),
           as_json: bool = typer.Option(False, "--json", help="print a JSON array")) -> None:
    """Search the database."""
    from paperradar.search import Searcher
    from paperradar.search.searcher import MODES, SORTS

    if not query.strip():
        raise UserError("the query is empty (try e.g. paperradar search \"diffusion models\")")
    if mode not in MODES:
        raise UserError(f"--mode must be one of {', '.join(MODES)}")
    if sort not in SORTS:
        raise UserError(f"--sort must be one of {', '.join(SORTS)}")
    settings = common.settings()
    with common.store_from_settings(settings) as store:
        if common.note_if_empty(store, settings):
            if as_json:
                print("[]")
            return
        page = Searcher(settings, store).search(query, mode=mode, limit=limit, offset=offset,
                                                sort=sort)
    if as_json:
        rows = [{k: v for k, v in h.to_dict().items() if k != "snippet_html"} for h in page.hits]
        print(json.dumps(rows, ensure_ascii=False))
        if page.message:
            common.console.print(page.message, highlight=False)
        return
    if page.message:
        common.console.print(page.message, highlight=False)
    for n, h in enumerate(page.hits, offset + 1):
        p = h.paper
        year = (p.published or "")[:10]
        common.out.print(f"{n:3d}. [bold]{escape(h.title)}[/]  ({escape(h.id)}, {year}, "
                         f"score {h.score:.3f})",
                         highlight=False)


def distill_static(out_dir: str = typer.Argument(..., help="directory to write the model to"),
                   sample: int = typer.Option(20000, "--sample", min=0,
                                              help="papers of the database used for IDF")) -> None:
    """Distil a static embedding model from the bundled MiniLM (fast bulk embedding; use it
    with PAPERRADAR_EMBED_MODEL=static:OUT_DIR)."""
    from pathlib import Path

    from paperradar.search.embed import EmbedderError, bundled_model_dir, paper_text, verify_model_dir
    from paperradar.search.static import distill

    settings = common.settings()
    with common.store_from_settings(settings) as store:
        corpus = []
        for _, paper in store.iter_changed_papers(0):
            if len(corpus) >= sample:
                break
            corpus.append(paper_text(paper))
    try:
        source = bundled_model_dir()
        verify_model_dir(source)
    except EmbedderError as exc:
        raise UserError(str(exc)) from exc
    with common.progress() as bar:
        task = bar.add_task("embedding the vocabulary", total=None)
        meta = distill(source, Path(out_dir), corpus, threads=settings.embed_threads,
                       progress=lambda done, total: bar.update(task, completed=done, total=total))
    common.out.print(f"static model written to {out_dir} ({meta['vocab']:,} tokens, "
                     f"{meta['dim']} dims, IDF from {meta['idf_docs']:,} papers); use "
                     f"PAPERRADAR_EMBED_MODEL=static:{out_dir}", highlight=False)


def register(app: typer.Typer) -> None:
    """Add this area's commands to the main app."""
    app.command("index")(index)
    app.command("search")(search)
    app.command("distill-static")(distill_static)
