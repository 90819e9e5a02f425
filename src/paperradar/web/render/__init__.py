"""Shared renderings of papers (JSON shapes, BibTeX/RIS/Markdown, Atom), used by every route."""
