"""Hardened XML parsing for everything paperradar reads from the network or from files.

``parse_xml`` refuses DTDs, entity declarations and external references (so "billion
laughs" and XXE attacks fail before expanding anything), refuses oversized documents,
and turns every failure (malformed, truncated, wrong encoding) into one ``ParseError``
line. The helpers below look elements up by *local* name, so documents with or without
namespace prefixes parse the same way.
"""

from __future__ import annotations

from typing import Iterator
from xml.etree.ElementTree import Element
from xml.etree.ElementTree import ParseError as _ExpatError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from paperradar.ingest.errors import ParseError

MAX_XML_BYTES = 256 * 1024 * 1024


def parse_xml(data: bytes) -> Element:
    """Parse untrusted XML bytes; raise ``ParseError`` with a one-line reason."""
    if not isinstance(data, (bytes, bytearray)):
        raise TypeError("parse_xml expects bytes")
    if len(data) > MAX_XML_BYTES:
        raise ParseError(f"XML document too large ({len(data):,} bytes; the limit is "
                         f"{MAX_XML_BYTES:,})")
    if not data.strip():
        raise ParseError("empty document")
    try:
        return fromstring(bytes(data), forbid_dtd=True, forbid_entities=True,
                          forbid_external=True)
    except DefusedXmlException as exc:
        raise ParseError(f"refused unsafe XML ({type(exc).__name__}): DTDs and entity "
                         "declarations are not accepted") from exc
    except _ExpatError as exc:
        raise ParseError(f"malformed XML: {exc}") from exc
    except (ValueError, LookupError) as exc:  # e.g. an unknown encoding in the declaration
        raise ParseError(f"unreadable XML: {exc}") from exc


def local(tag: object) -> str:
    """``{namespace}name`` or ``prefix:name`` -> ``name``."""
    if not isinstance(tag, str):
        return ""
    if tag[:1] == "{":
        return tag.rsplit("}", 1)[-1]
    return tag.rsplit(":", 1)[-1]


def children(el: Element | None, name: str) -> Iterator[Element]:
    """Direct children with the given local name."""
    if el is None:
        return
    for c in el:
        if local(c.tag) == name:
            yield c


def child(el: Element | None, name: str) -> Element | None:
    return next(children(el, name), None)


def descendants(el: Element | None, name: str) -> Iterator[Element]:
    if el is None:
        return
    for c in el.iter():
        if c is not el and local(c.tag) == name:
            yield c


def text_of(el: Element | None) -> str:
    """All text inside an element (including nested elements), '' for None."""
    if el is None:
        return ""
    return "".join(el.itertext())


def child_text(el: Element | None, name: str) -> str:
    return text_of(child(el, name))
