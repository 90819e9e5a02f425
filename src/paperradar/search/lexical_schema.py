"""The lexical index's documents: the tantivy schema, its two analyzers (English words;
author names), a paper's document (title, the combined title + abstract "text" field,
authors, categories, DOI, day, has_code) and the stable integer key shared with the
vector index. Changing any of these needs a rebuild: bump SCHEMA_VERSION.
"""

from __future__ import annotations

import functools
import hashlib

import tantivy

from paperradar.models import IndexFields

SCHEMA_VERSION = 2  # 2: the combined "text" field, DOIs
TEXT_ANALYZER = "pr_en"
NAME_ANALYZER = "pr_names"


def paper_key(paper_id: str) -> int:
    """Stable 63-bit integer key of a paper (shared by the lexical and vector indexes)."""
    return int.from_bytes(hashlib.blake2b(paper_id.encode(), digest_size=8).digest(), "big") >> 1


def day_number(date: str | None) -> int:
    """``2024-05-03...`` -> 20240503 (0 when unknown)."""
    if not date or len(date) < 10:
        return 0
    try:
        return int(date[:4] + date[5:7] + date[8:10])
    except ValueError:
        return 0


def text_analyzer() -> tantivy.TextAnalyzer:
    return (tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
            .filter(tantivy.Filter.remove_long(40)).filter(tantivy.Filter.lowercase())
            .filter(tantivy.Filter.ascii_fold()).filter(tantivy.Filter.stopword("english"))
            .filter(tantivy.Filter.stemmer("english")).build())


def name_analyzer() -> tantivy.TextAnalyzer:
    return (tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
            .filter(tantivy.Filter.remove_long(40)).filter(tantivy.Filter.lowercase())
            .filter(tantivy.Filter.ascii_fold()).build())


def build_schema() -> tantivy.Schema:
    b = tantivy.SchemaBuilder()
    b.add_text_field("id", stored=True, tokenizer_name="raw")
    b.add_integer_field("key", stored=False, indexed=True, fast=True)
    b.add_text_field("title", tokenizer_name=TEXT_ANALYZER)
    b.add_text_field("text", tokenizer_name=TEXT_ANALYZER)
    b.add_text_field("authors", tokenizer_name=NAME_ANALYZER)
    b.add_text_field("cats", tokenizer_name="raw", index_option="basic")
    b.add_text_field("doi", tokenizer_name="raw", index_option="basic")
    b.add_integer_field("day", indexed=True, fast=True)
    b.add_integer_field("has_code", indexed=True)
    return b.build()


@functools.cache
def _schema() -> tantivy.Schema:
    return build_schema()


def fields_document(f: IndexFields) -> tantivy.Document:
    """A paper's document, built in one call into tantivy (``Document.from_dict``); empty
    multi-valued fields are left out, as adding no value does."""
    cats = set()
    for c in f.categories or ([f.primary_category] if f.primary_category else []):
        c = c.lower()
        cats.add(c)
        cats.add(c.split(".")[0])
    title = f.title or ""
    d = {"id": f.id, "key": paper_key(f.id), "title": title,
         "text": f"{title}\n{f.abstract or ''}", "day": day_number(f.published),
         "has_code": int(f.has_code)}
    if f.authors:
        d["authors"] = f.authors
    if cats:
        d["cats"] = sorted(cats)
    if f.doi:
        d["doi"] = f.doi.strip().lower()
    return tantivy.Document.from_dict(d, _schema())
