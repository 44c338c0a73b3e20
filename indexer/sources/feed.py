"""RSS 2.0 (and RSS 1.0) and Atom files: one post per item/entry, parsed with defusedxml.

The feed (channel) title becomes each post's source. A file that is not well-formed XML gives
one Reject for the file; an unusable item gives a Reject at its line and byte offset while the
other items still come through.
"""

from __future__ import annotations

import codecs
import re
from bisect import bisect_left
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element, ParseError, TreeBuilder

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser
from pydantic import ValidationError

from indexer.post import Post, make_post_id
from indexer.sources import _encoding, _io
from indexer.sources._common import make_tags, nothing_to_index, read_bytes, single_text, validation_reason
from indexer.sources._dates import rfc822, to_datetime
from indexer.sources._html import html_to_text
from indexer.sources.base import Location, Parsed, Reject, SourceError

ATOM = "{http://www.w3.org/2005/Atom}"
RSS1 = "{http://purl.org/rss/1.0/}"
RDF = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}"
DC = "{http://purl.org/dc/elements/1.1/}"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}"
_ITEM_TAGS = frozenset({"item", f"{RSS1}item", f"{ATOM}entry"})
_EMAIL_NAME = re.compile(r"^\S+@\S+\s*\((?P<name>[^)]+)\)$")  # RSS author: "a@b.c (Name)"


class _Positions(TreeBuilder):
    """A tree builder that remembers where each item starts (expat knows while parsing)."""

    def __init__(self) -> None:
        super().__init__()
        self.expat: Any = None
        self.where: dict[int, tuple[int, int]] = {}

    def start(self, tag: str, attrs: dict[str, str]) -> Element:  # type: ignore[override]
        elem = super().start(tag, attrs)
        if tag in _ITEM_TAGS and self.expat is not None:
            self.where[id(elem)] = (self.expat.CurrentLineNumber, self.expat.CurrentByteIndex)
        return elem


_XML_DECL_ENCODING = re.compile(rb"^(\s*<\?xml[^>]*?encoding\s*=\s*[\"'])([A-Za-z0-9._-]+)([\"'])")
_EXPAT_NATIVE = frozenset({"utf-8", "ascii", "latin-1", "iso8859-1", "utf-16", "utf-16-le", "utf-16-be"})
# bytes XML 1.0 forbids; in UTF-8 (what expat gets, see _readable) none is part of a character
_XML_ILLEGAL = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _readable(data: bytes) -> tuple[bytes, str | None]:
    """(bytes expat can parse, the encoding to note when it was not UTF-8).

    Expat cannot read multi-byte legacy encodings (Shift_JIS, EUC-JP, ...), which Japanese
    feeds still use, declared or not: decode with Python's codec (declared, else detected) and
    hand expat UTF-8. Byte offsets then refer to the UTF-8 text. Raises LookupError or
    UnicodeDecodeError for an unknown or wrongly declared encoding."""
    bom = _encoding.bom_codec(data)
    m = _XML_DECL_ENCODING.match(data[3:] if bom == "utf-8-sig" else data)
    if bom is not None:
        if bom.startswith("utf-32"):  # expat has no UTF-32
            return _declare_utf8(data.decode(bom).encode("utf-8")), "UTF-32"
        return data, _encoding.noted(bom)
    if m is not None:
        codec = codecs.lookup(m.group(2).decode("ascii")).name
        if codec in _EXPAT_NATIVE:
            return data, _encoding.noted(codec)
        return _declare_utf8(data.decode(codec).encode("utf-8")), _encoding.display_name(codec)
    try:
        text, codec = _encoding.decode(data)
    except _encoding.Undecodable:
        return data, None  # expat names where it stops making sense
    if codec == "utf-8":
        return data, None
    return text.encode("utf-8"), _encoding.display_name(codec)


def _declare_utf8(data: bytes) -> bytes:
    return _XML_DECL_ENCODING.sub(rb"\1UTF-8\3", data.removeprefix(codecs.BOM_UTF8), count=1)


def _parse_xml(data: bytes) -> tuple[Element, dict[int, tuple[int, int]]]:
    builder = _Positions()
    parser = DefusedXMLParser(target=builder)
    builder.expat = parser.parser  # the pure-Python parser exposes its expat object
    parser.feed(data)
    return parser.close(), builder.where


def _text(elem: Element | None) -> str:
    return "".join(elem.itertext()).strip() if elem is not None else ""


def _atom_text(elem: Element | None) -> str:
    """Atom text constructs: type text, html (escaped markup) or xhtml (inline markup)."""
    if elem is None:
        return ""
    if elem.get("type") in ("html", "text/html"):
        return html_to_text(_text(elem))
    return _text(elem)  # text, or xhtml whose inline markup itertext already drops


def _rss_author(item: Element) -> list[str]:
    out = []
    for el in [*item.findall("author"), *item.findall(f"{DC}creator")]:
        s = _text(el)
        if m := _EMAIL_NAME.match(s):
            s = m.group("name").strip()
        if s:
            out.append(s)
    return out


def _date(text: str, parse: Any, what: str) -> datetime | None:
    if not text:
        return None
    try:
        return parse(text)
    except ValueError:
        raise SourceError(f"bad {what} {text!r}") from None


def _post(title: str, link: str | None, summary: str, body: str, published: datetime | None,
          source: str | None, authors: list[str], tags: list[str]) -> Post:
    if summary and summary == body:
        summary = ""
    texts = single_text(title, summary, body)
    if nothing_to_index(texts):
        raise SourceError("item has no title and no text")
    # ids from the link (as every other reader does) so one article seen in several feeds is
    # one post; guids are only unique within their feed
    return Post(
        id=make_post_id(link, source, title, published),
        url=link,
        doc_type="feed_item",
        texts=texts,
        source=source,
        authors=authors,
        published=published,
        tags=make_tags(tags),
    )


def _rss_item(item: Element, source: str | None, rss1: bool) -> Post:
    ns = RSS1 if rss1 else ""
    title = html_to_text(_text(item.find(f"{ns}title")))
    link = _text(item.find(f"{ns}link")) or None
    guid = item.find("guid")
    if not link and guid is not None and guid.get("isPermaLink", "true") == "true":
        link = _text(guid) or None
    description = html_to_text(_text(item.find(f"{ns}description")))
    content = html_to_text(_text(item.find(f"{CONTENT}encoded")))
    body, summary = (content, description) if content else (description, "")
    pub = _date(_text(item.find("pubDate")), rfc822, "pubDate")
    if pub is None:
        pub = _date(_text(item.find(f"{DC}date")), to_datetime, "dc:date")
    tags = [_text(c) for c in [*item.findall("category"), *item.findall(f"{DC}subject")]]
    return _post(title, link, summary, body, pub, source, _rss_author(item), tags)


def _atom_link(entry: Element) -> str | None:
    links = entry.findall(f"{ATOM}link")
    for ln in links:
        if ln.get("rel", "alternate") == "alternate" and ln.get("href"):
            return ln.get("href")
    return next((ln.get("href") for ln in links if ln.get("href")), None)


def _atom_entry(entry: Element, source: str | None) -> Post:
    title = _atom_text(entry.find(f"{ATOM}title"))
    summary = _atom_text(entry.find(f"{ATOM}summary"))
    content = _atom_text(entry.find(f"{ATOM}content"))
    body, summary = (content, summary) if content else (summary, "")
    pub = _date(_text(entry.find(f"{ATOM}published")), to_datetime, "published")
    if pub is None:
        pub = _date(_text(entry.find(f"{ATOM}updated")), to_datetime, "updated")
    authors = [_text(a.find(f"{ATOM}name")) for a in entry.findall(f"{ATOM}author")]
    tags = [c.get("label") or c.get("term") or "" for c in entry.findall(f"{ATOM}category")]
    return _post(title, _atom_link(entry), summary, body, pub, source, authors, tags)


def read_feed(path: Path) -> Iterator[Parsed | Reject]:
    name = str(path)
    data = read_bytes(path, Location(name))
    if isinstance(data, Reject):
        yield data
        return
    if not data.strip():
        yield Reject(Location(name), "empty file", _io.cap(data))
        return
    try:
        data, encoding = _readable(data)
    except (LookupError, UnicodeDecodeError) as e:  # unknown or wrongly declared encoding
        yield Reject(Location(name, offset=getattr(e, "start", None)), f"cannot decode feed: {e}",
                     _io.cap(data))
        return
    # A control byte makes the whole document ill-formed XML; read it as a space so that only
    # the item holding it is rejected, wherever it sits (below)
    bad = [] if _encoding.is_wide(_encoding.bom_codec(data)) else [
        m.start() for m in _XML_ILLEGAL.finditer(data)]
    parsed = _XML_ILLEGAL.sub(b" ", data) if bad else data
    try:
        root, where = _parse_xml(parsed)
    except ParseError as e:
        yield Reject(Location(name), f"malformed XML: {e}", _io.cap(data), encoding=encoding)
        return
    except DefusedXmlException as e:
        yield Reject(Location(name), f"forbidden XML construct: {e}", _io.cap(data), encoding=encoding)
        return

    if root.tag == "rss":
        channel = root.find("channel")
        source = html_to_text(_text(channel.find("title"))) if channel is not None else ""
        items = channel.findall("item") if channel is not None else []
        kind = "rss"
    elif root.tag == f"{RDF}RDF":
        source = _text(root.find(f"{RSS1}channel/{RSS1}title"))
        items = root.findall(f"{RSS1}item")
        kind = "rss1"
    elif root.tag == f"{ATOM}feed":
        source = _atom_text(root.find(f"{ATOM}title"))
        items = root.findall(f"{ATOM}entry")
        kind = "atom"
    else:
        yield Reject(Location(name), f"not an RSS or Atom feed (root element <{root.tag}>)",
                     _io.cap(data), encoding=encoding)
        return
    if not items:
        yield Reject(Location(name), "feed has no items", _io.cap(data), encoding=encoding)
        return

    inside: set[int] = set()
    for n, item in enumerate(items, 1):
        line, offset = where.get(id(item), (None, None))
        loc = Location(name, line, offset)
        whole = _item_bytes(data, offset)
        raw = _io.cap(whole)
        start = offset if offset is not None else len(data)
        hits = bad[bisect_left(bad, start): bisect_left(bad, start + len(whole))]
        if hits:
            inside.update(hits)
            yield Reject(loc, f"item {n}: binary data: control character 0x{data[hits[0]]:02x} at byte "
                         f"{hits[0]} (not allowed in XML)", raw, encoding=encoding,
                         kind="binary data (control characters)")
            continue
        try:
            if kind == "atom":
                post = _atom_entry(item, source or None)
            else:
                post = _rss_item(item, source or None, kind == "rss1")
            yield Parsed(post, loc, encoding=encoding)
        except SourceError as e:
            yield Reject(loc, f"item {n}: {e}", raw, encoding=encoding)
        except ValidationError as e:
            yield Reject(loc, f"item {n}: {validation_reason(e)}", raw, encoding=encoding)
    if outside := [b for b in bad if b not in inside]:
        yield Reject(Location(name, offset=outside[0]),
                     f"binary data: {len(outside)} control character(s) outside any item, first 0x"
                     f"{data[outside[0]]:02x} at byte {outside[0]} (read as spaces; the items were read)",
                     _io.cap(data), encoding=encoding, kind="binary data (control characters)")


def _item_bytes(data: bytes, offset: int | None) -> bytes:
    """The raw item for the rejects file: from its start tag to the next closing item tag."""
    if offset is None:
        return b""
    ends = [i + len(t) for t in (b"</item>", b"</entry>") if (i := data.find(t, offset)) >= 0]
    return data[offset: min(ends, default=len(data))]
