"""paperradar: a self-hostable research-paper discovery service.

The package reads as the pipeline: ``ingest`` (sources -> records), ``store`` (SQLite,
the only place that speaks SQL), ``search`` (full text + embeddings), ``rank``
(trending), ``notify`` (digests), ``web`` (HTML, JSON, feeds) and ``cli``.
"""

__version__ = "0.1.0"
