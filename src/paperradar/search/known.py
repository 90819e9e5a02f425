"""What users paste into a search box: arXiv ids (``2506.17450``, ``arXiv:2506.17450v2``),
abs/pdf/html URLs, DOIs (``10.1000/xyz``, ``doi:...``, ``https://doi.org/...``; arXiv's own
``10.48550/arXiv.<id>`` DOIs map to the id). Pure parsing; the searcher looks them up."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from paperradar.ids import InvalidId, parse_arxiv_id

_DOI = re.compile(r"^(?:doi:|(?:https?://)?(?:dx\.)?doi\.org/)?(10\.\d{4,9}/\S+)$", re.IGNORECASE)
_ARXIV_DOI = re.compile(r"^10\.48550/arxiv\.(.+)$", re.IGNORECASE)
MAX_IDENTIFIERS = 20


@dataclass
class Identifiers:
    arxiv_ids: list[str] = field(default_factory=list)
    dois: list[str] = field(default_factory=list)  # lower-cased
    rest: str = ""  # the query without the identifiers

    @property
    def any(self) -> bool:
        return bool(self.arxiv_ids or self.dois)


def normal_doi(text: str) -> str | None:
    """``10.1000/ABC`` from a DOI in any of its usual spellings, lower-cased; None otherwise."""
    m = _DOI.match((text or "").strip().rstrip(".,;"))
    return m.group(1).lower() if m else None


def _arxiv(token: str) -> str | None:
    try:
        return parse_arxiv_id(token.rstrip(".,;"))[0]
    except InvalidId:
        return None


def find_identifiers(raw: str) -> Identifiers:
    """Split the query into identifiers and the remaining text (order kept, no duplicates)."""
    out = Identifiers()
    rest = []
    for token in (raw or "").split():
        if len(out.arxiv_ids) + len(out.dois) >= MAX_IDENTIFIERS or '"' in token or ":" in token[:1]:
            rest.append(token)
            continue
        aid = _arxiv(token)
        doi = None if aid else normal_doi(token)
        if doi and (m := _ARXIV_DOI.match(doi)):
            aid, doi = _arxiv(m.group(1)), None
        if aid:
            if aid not in out.arxiv_ids:
                out.arxiv_ids.append(aid)
        elif doi:
            if doi not in out.dois:
                out.dois.append(doi)
        else:
            rest.append(token)
    out.rest = " ".join(rest)
    return out
