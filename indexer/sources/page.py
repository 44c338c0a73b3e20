"""Aggregator pages saved as scraped text (the seed pages): one file, one post.

The page layout, top to bottom, every part optional:

    site navigation                      dropped
    source·date time·reading time        header line (Japan time)
    title
    #tag#tag with spaces#tag
    TL;DR / lead paragraph               -> texts["ja"].summary
    AI深層分析<date time>, score, label, weighted sub-scores
    キーポイント: (number,) title, text  -> key_points
    影響分析 / 編集コメント              -> impact / editorial (one paragraph each when last)
    Japanese translation, with 目次      -> texts["ja"].body, toc
    原文を表示, English original         -> texts["en"].body
    関連記事: (source★stars date,) title, summary -> related
    今日のまとめ ..., footer             dropped

Head sections are found in that order only, each within a short window, so a word such as
キーポイント inside the article body is never taken for a section.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from indexer.post import KeyPoint, Lang, LangText, Post, RelatedPost, Scores, SubScore, make_post_id
from indexer.sources._common import join_lines, make_tags, nothing_to_index, read_whole, text_lang
from indexer.sources._dates import jst
from indexer.sources.base import Location, Parsed, Reject, SourceError

# --- site chrome -------------------------------------------------------------------------------

_CHROME = frozenset({
    "影響分析・編集コメントを表示",  # toggle button
    "この記事をシェア",
    "ニュース一覧に戻る元記事を読む",  # footer
    "image",  # image placeholder
})
_NAV = frozenset({  # top navigation, dropped when a page has no header line to cut at
    "AIニュース最前線",
    "最新ニュースAI日報Hacker日報週報動画AIツールトレンド企業",
    "世界中のAI最新情報を日本語で毎時更新",
    "最新ニュース日報トレンド企業プレミアムRSS",
    "ニュース一覧元記事を開く",
})
_IMAGE_LINE = re.compile(r"^!\[[^\]]*\]\(")
_TAIL = "今日のまとめ"  # the daily digest teaser: it and everything after is site chrome
_RELATED = "関連記事"
_ORIGINAL = "原文を表示"
_TOC = "目次"

# --- patterns --------------------------------------------------------------------------------

_JDATE = r"(\d{4})年(\d{1,2})月(\d{1,2})日(?:\s*(\d{1,2}):(\d{2}))?"
_JDATE_RE = re.compile(_JDATE)
_READING_RE = re.compile(r"^約?\s*(\d+)\s*分で読める$")
_RELATED_HEAD_RE = re.compile(rf"^(?P<source>.*?)(?:★(?P<stars>[0-5]))?(?P<date>{_JDATE})?$")
_LABEL_RE = re.compile(r"^(?:(?P<score>[1-5])\s*)?(?P<label>[^\d/\s][^/]*?)\s*/\s*\d+\s*段階$")
_SUB_RE = re.compile(r"^(?P<name>\D+?)\s*(?P<weight>\d{1,3})\s*%(?:\s*(?P<value>\d+(?:\.\d+)?))?$")
_TAGS_RE = re.compile(r"^#[^#\s]")  # "#LLM Safety#Model Welfare" (a Markdown heading has a space)
_NUMBER_RE = re.compile(r"^\d+(?:\.\d+)?$")
_HEADER_WINDOW = 40  # the header line sits right under the navigation
_SECTION_WINDOW = 80  # non-blank lines a head section may span before the next one
_HEAD_ORDER = ("tldr", "analysis", "keypoints", "impact", "editorial")
_FILE_ID_RE = re.compile(r"^\d+_(?P<hex>[0-9a-f]{8,64})$")
_SHORT = 80  # longer lines are paragraphs, not titles or headings


def _jdate(m: re.Match[str], first: int = 1) -> datetime | None:
    y, mo, d, h, mi = (m.group(first + i) for i in range(5))
    try:
        return jst(int(y), int(mo), int(d), int(h or 0), int(mi or 0))
    except ValueError:  # impossible date on the page: leave it out rather than fail the page
        return None


def _head_kind(line: str) -> str | None:
    s = line.strip()
    if s.upper() == "TL;DR":
        return "tldr"
    if s.startswith("AI深層分析"):
        return "analysis"
    return {"キーポイント": "keypoints", "影響分析": "impact", "編集コメント": "editorial"}.get(s)


# --- pieces ----------------------------------------------------------------------------------


@dataclass
class _Header:
    source: str | None = None
    published: datetime | None = None
    reading: int | None = None


def _parse_header(line: str) -> _Header | None:
    """``source·2026年6月2日 00:00·約22分で読める``; None when the line is not a header."""
    parts = [p.strip() for p in line.split("·")]
    if len(parts) < 2:
        return None
    h = _Header()
    found = False
    for part in parts:
        if (m := _JDATE_RE.fullmatch(part)) is not None:
            h.published, found = _jdate(m), True
        elif (m := _READING_RE.match(part)) is not None:
            h.reading, found = int(m.group(1)), True
        elif part and h.source is None:
            h.source = part
    return h if found else None


def _nonblank(lines: list[str], start: int, stop: int) -> list[int]:
    return [i for i in range(start, stop) if lines[i].strip()]


def _parse_scores(lines: list[str]) -> Scores | None:
    """The AI analysis block: its marker line (with the time), then score, label and
    ``name<weight>%`` / value pairs."""
    importance: int | None = None
    label: str | None = None
    analyzed_at: datetime | None = None
    subs: list[SubScore] = []
    pending: SubScore | None = None
    for raw in lines:
        s = raw.strip()
        if not s:
            continue
        if s.startswith("AI深層分析"):
            m = _JDATE_RE.search(s)
            analyzed_at = _jdate(m) if m else None
        elif pending is not None and _NUMBER_RE.match(s):
            pending.value = float(s)
            pending = None
        elif importance is None and s.isdigit() and 1 <= int(s) <= 5:
            importance = int(s)
        elif (m := _LABEL_RE.match(s)) is not None:
            label = m.group("label").strip()
            if m.group("score") and importance is None:
                importance = int(m.group("score"))
        elif (m := _SUB_RE.match(s)) is not None:
            value = m.group("value")
            sub = SubScore(name=m.group("name").strip(), weight=int(m.group("weight")),
                           value=float(value) if value else None)
            subs.append(sub)
            pending = None if value else sub
    if importance is None and label is None and analyzed_at is None and not subs:
        return None
    return Scores(importance=importance, label=label, analyzed_at=analyzed_at, sub_scores=subs)


def _analysis_end(lines: list[str], start: int) -> int:
    """Where the AI analysis block ends when nothing follows it but the body."""
    i = start
    while i < len(lines):
        s = lines[i].strip()
        if s and not (_NUMBER_RE.match(s) or _LABEL_RE.match(s) or _SUB_RE.match(s)):
            break
        i += 1
    return i


def _parse_key_points(lines: list[str], start: int, stop: int, bounded: bool) -> tuple[list[KeyPoint], int]:
    """Key points as ``n / title / text`` (numbered) or ``title / text`` line pairs.

    ``bounded``: another section follows at ``stop``, so every line up to it belongs here.
    Otherwise the body follows directly and each text is one paragraph; an unnumbered list
    stops at the first would-be title that reads like a paragraph.
    Returns the points and the index after the last consumed line.
    """
    idx = _nonblank(lines, start, stop)
    points: list[KeyPoint] = []
    end = start
    if idx and lines[idx[0]].strip().isdigit():
        k = 0
        expected = int(lines[idx[0]].strip())
        while k < len(idx) and lines[idx[k]].strip() == str(expected):
            if k + 1 >= len(idx):
                break
            title = lines[idx[k + 1]].strip()
            texts: list[str] = []
            j = k + 2
            while j < len(idx) and lines[idx[j]].strip() != str(expected + 1):
                texts.append(lines[idx[j]].strip())
                j += 1
                if not bounded:
                    break
            points.append(KeyPoint(title=title, text="\n".join(texts)))
            end = idx[j - 1] + 1
            k = j
            expected += 1
        return points, (stop if bounded else end)
    k = 0
    while k < len(idx):
        title = lines[idx[k]].strip()
        if not bounded and (len(title) > _SHORT or title.endswith("。")):
            break
        text = lines[idx[k + 1]].strip() if k + 1 < len(idx) else ""
        points.append(KeyPoint(title=title, text=text))
        end = idx[min(k + 1, len(idx) - 1)] + 1
        k += 2
    return points, (stop if bounded else end)


def _norm_heading(s: str) -> str:
    return s.strip().rstrip("。.")


def _split_toc(lines: list[str]) -> tuple[list[str], list[str]]:
    """Pull the 目次 block out of the body: (entries, body without the block).

    Entries end where the first entry comes back as the first section heading, or failing that
    at the first paragraph-length line (the short line before it is then that heading).
    """
    try:
        at = next(i for i, s in enumerate(lines) if s.strip() == _TOC)
    except StopIteration:
        return [], lines
    idx = _nonblank(lines, at + 1, len(lines))
    entries: list[int] = []
    repeated = False
    for i in idx:
        s = lines[i].strip()
        if entries and _norm_heading(s) == _norm_heading(lines[entries[0]]):
            repeated = True
            break
        if len(s) > _SHORT or len(entries) >= 100:
            break
        entries.append(i)
    if not repeated and len(entries) > 1:
        entries.pop()
    if not entries:
        return [], lines
    return [lines[i].strip() for i in entries], lines[:at] + lines[entries[-1] + 1:]


def _parse_related(lines: list[str]) -> list[RelatedPost]:
    """``source★stars date`` (optional) / title / summary, repeated."""
    out: list[RelatedPost] = []
    idx = [lines[i].strip() for i in _nonblank(lines, 0, len(lines))]

    def head(s: str) -> re.Match[str] | None:
        # stars mark a header; a date alone only with a short source before it (not a title)
        m = _RELATED_HEAD_RE.match(s)
        if m and (m.group("stars") or (m.group("date") and len(m.group("source")) <= 40)):
            return m
        return None

    k = 0
    while k < len(idx):
        meta = head(idx[k])
        if meta:
            k += 1
            if k >= len(idx) or head(idx[k]):
                continue  # a header without a title: nothing to keep
        title = idx[k]
        summary = ""
        if k + 1 < len(idx) and not head(idx[k + 1]):
            summary = idx[k + 1]
            k += 1
        k += 1
        published = None
        if meta and meta.group("date"):
            published = _jdate(_JDATE_RE.match(meta.group("date")))  # type: ignore[arg-type]
        out.append(RelatedPost(
            title=title,
            source=(meta.group("source").strip() or None) if meta else None,
            stars=int(meta.group("stars")) if meta and meta.group("stars") else None,
            published=published,
            summary=summary,
        ))
    return out


# --- the page --------------------------------------------------------------------------------


@dataclass
class _Head:
    header: _Header = field(default_factory=_Header)
    title: str = ""
    tags: list[str] = field(default_factory=list)
    summary: str = ""
    scores: Scores | None = None
    key_points: list[KeyPoint] = field(default_factory=list)
    impact: str = ""
    editorial: str = ""
    body_start: int = 0


def _next_section(lines: list[str], start: int, after: str | None) -> tuple[int, str] | None:
    allowed = _HEAD_ORDER[_HEAD_ORDER.index(after) + 1:] if after in _HEAD_ORDER else _HEAD_ORDER
    for n, i in enumerate(_nonblank(lines, start, len(lines))):
        if n >= _SECTION_WINDOW:
            return None
        kind = _head_kind(lines[i])
        if kind in allowed:
            return i, kind
    return None


def _parse_head(lines: list[str]) -> _Head:
    h = _Head()
    i = 0
    for j in _nonblank(lines, 0, min(len(lines), _HEADER_WINDOW)):
        if (hdr := _parse_header(lines[j].strip())) is not None:
            h.header, i = hdr, j + 1
            break
    else:  # no header: only the known navigation lines can be told apart from the title
        while i < len(lines) and (not lines[i].strip() or lines[i].strip() in _NAV
                                  or lines[i].strip().startswith("©")):
            i += 1
    rest = _nonblank(lines, i, len(lines))
    if rest and _head_kind(lines[rest[0]]) is None and not _TAGS_RE.match(lines[rest[0]].strip()):
        h.title, i = lines[rest[0]].strip(), rest[0] + 1
        rest = rest[1:]
    if rest and _TAGS_RE.match(lines[rest[0]].strip()):
        h.tags = lines[rest[0]].strip().split("#")
        i = rest[0] + 1

    kind, start = "lead", i
    while True:
        nxt = _next_section(lines, start, kind)
        stop = nxt[0] if nxt else len(lines)
        bounded = nxt is not None
        if kind in ("lead", "tldr", "impact", "editorial"):
            idx = _nonblank(lines, start, stop)
            if not bounded:  # the body follows: a section without an end marker is one paragraph
                idx = idx[:1] if kind != "lead" else []
            text = join_lines(lines[idx[0]: idx[-1] + 1]) if idx else ""
            end = idx[-1] + 1 if idx else start
            if kind in ("lead", "tldr"):  # a lead line before an explicit TL;DR is kept too
                h.summary = join_lines([h.summary, "", text])
            else:
                setattr(h, kind, text)
        elif kind == "analysis":
            end = stop if bounded else _analysis_end(lines, start)
            h.scores = _parse_scores(lines[start - 1: end])  # the marker line carries the time
        else:
            h.key_points, end = _parse_key_points(lines, start, stop, bounded)
        if nxt is None:
            h.body_start = end
            return h
        kind, start = nxt[1], nxt[0] + 1


def _is_chrome(line: str) -> bool:
    s = line.strip()
    return s in _CHROME or bool(_IMAGE_LINE.match(s))


def _last(lines: list[str], marker: str) -> int | None:
    for i in range(len(lines) - 1, -1, -1):
        if lines[i].strip() == marker:
            return i
    return None


def page_id(path: str) -> str | None:
    """The hex id in seed-style file names (``000_4290f064b0d01753.txt``)."""
    name = Path(path).name
    for suffix in (".gz", ".txt"):
        name = name.removesuffix(suffix)
    m = _FILE_ID_RE.match(name)
    return m.group("hex") if m else None


def parse_page(text: str, path: str) -> Post:
    """The post on one scraped aggregator page. Missing parts stay empty; raises SourceError
    only when the page has no text at all."""
    lines = [ln.rstrip() for ln in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    lines = [ln for ln in lines if not _is_chrome(ln)]
    if (tail := _last(lines, _TAIL)) is not None:
        lines = lines[:tail]
    related: list[RelatedPost] = []
    if (at := _last(lines, _RELATED)) is not None:
        related = _parse_related(lines[at + 1:])
        lines = lines[:at]
    en_lines: list[str] = []
    try:
        at = next(i for i, s in enumerate(lines) if s.strip() == _ORIGINAL)
        en_lines, lines = lines[at + 1:], lines[:at]
    except StopIteration:
        pass

    head = _parse_head(lines)
    toc, body_lines = _split_toc(lines[head.body_start:])
    texts: dict[Lang, LangText] = {}
    translated = LangText(title=head.title, summary=head.summary, body=join_lines(body_lines))
    if not translated.is_empty():
        texts[text_lang(translated.joined(), "ja")] = translated
    original = LangText(body=join_lines(en_lines))
    if not original.is_empty():
        lang = text_lang(original.body, "en")
        if lang in texts:  # both parts in one language: keep the original after the translation
            prev = texts[lang]
            texts[lang] = prev.model_copy(update={"body": join_lines([prev.body, "", original.body])})
        else:
            texts[lang] = original
    if nothing_to_index(texts):
        raise SourceError("page has no title and no text")

    hdr = head.header
    return Post(
        id=page_id(path) or make_post_id(None, hdr.source, head.title, hdr.published),
        doc_type="aggregator_page",
        texts=texts,
        source=hdr.source,
        published=hdr.published,
        reading_minutes=hdr.reading,
        tags=make_tags(head.tags),
        scores=head.scores,
        key_points=head.key_points,
        impact=head.impact,
        editorial=head.editorial,
        toc=toc,
        related=related,
    )


def read_page(path: Path) -> Iterator[Parsed | Reject]:
    yield from read_whole(path, Location(str(path)), lambda text: parse_page(text, str(path)))
