"""Post in, analysis out: the language, token streams, entities and key terms of one post.

Pure and process-local (models and the line memo are per process), so the ingest pool can
run it on every core. Each line is tokenized once; fields, key terms and entities share the
result (``lines``).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from indexer.analysis.lang import detect_lang
from indexer.analysis.lines import PassageSpan, analyze_text
from indexer.analysis.text import IndexText
from indexer.index.fields import PASSAGE_CHARS  # a constants module: no import cycle
from indexer.post import Lang, Post

DEFAULT_MAX_CHARS = 1_000_000  # per language; the rest of a huge post is stored, not tokenized
KEY_TERMS_PER_POST = 30


@dataclass(frozen=True, slots=True)
class Passage:
    """A passage of one text part: ``field`` is ``summary``, ``body`` or ``section``."""

    field: str
    span: PassageSpan


@dataclass
class LangAnalysis:
    titles: list[IndexText] = field(default_factory=list)
    texts: list[IndexText] = field(default_factory=list)
    passages: list[Passage] = field(default_factory=list)


@dataclass
class PostAnalysis:
    lang: str | None
    langs: list[str]
    search: dict[str, LangAnalysis]
    entities: dict[str, int]
    key_terms: list[str]
    truncated: bool
    text_chars: int


def text_parts(post: Post, lang: Lang) -> tuple[list[str], list[tuple[str, str]]]:
    """(title parts, named body parts) of one language: everything a reader may search for.
    Body parts are named ``summary``, ``body`` or ``section`` (an aggregator's analysis)."""
    t = post.text(lang)
    titles = [t.title] if t.title.strip() else []
    parts = [("summary", t.summary), ("body", t.body)]
    if lang == _page_lang(post):
        # aggregator analysis sections are written in the page's own language
        for kp in post.key_points:
            parts.extend((("section", kp.title), ("section", kp.text)))
        parts.extend(("section", x) for x in (post.impact, post.editorial, *post.toc))
    return titles, [(name, p) for name, p in parts if p and p.strip()]


def _page_lang(post: Post) -> Lang:
    sample = " ".join([kp.title for kp in post.key_points[:3]] + [post.impact[:500], post.editorial[:500]])
    return detect_lang(sample) or "ja"


def _budgeted(parts: list[tuple[str, str]], budget: int) -> tuple[list[tuple[str, str]], int, bool]:
    out: list[tuple[str, str]] = []
    truncated = False
    for name, p in parts:
        if budget <= 0:
            truncated = True
            break
        if len(p) > budget:
            out.append((name, p[:budget]))
            truncated = True
            budget = 0
        else:
            out.append((name, p))
            budget -= len(p)
    return out, budget, truncated


def detect_post_lang(post: Post) -> tuple[str | None, list[str]]:
    present = [lang for lang in ("ja", "en") if not post.text(lang).is_empty()]  # type: ignore[arg-type]
    if not present:
        return None, []
    if len(present) == 2:
        return "both", present
    return present[0], present


def _by_count(item: tuple[str, int]) -> tuple[int, str]:
    return -item[1], item[0]


def analyze_post(post: Post, max_chars: int = DEFAULT_MAX_CHARS) -> PostAnalysis:
    lang, langs = detect_post_lang(post)
    entities: Counter[str] = Counter()
    terms: Counter[str] = Counter()
    search: dict[str, LangAnalysis] = {}
    truncated = False
    chars = 0
    for code in langs:
        title_parts, parts = text_parts(post, code)  # type: ignore[arg-type]
        budget = max_chars
        titles, budget, cut_t = _budgeted([("title", t) for t in title_parts], budget)
        parts, budget, cut_p = _budgeted(parts, budget)
        truncated = truncated or cut_t or cut_p
        la = LangAnalysis()
        for name, text in titles + parts:
            chars += len(text)
            is_title = name == "title"
            analyzed = analyze_text(text, code, 0 if is_title else PASSAGE_CHARS)
            (la.titles if is_title else la.texts).append(analyzed.fields)
            la.passages.extend(Passage(name, span) for span in analyzed.passages)
            terms.update(analyzed.terms)
            entities.update(analyzed.entities)
        search[code] = la
    return PostAnalysis(
        lang=lang,
        langs=langs,
        search=search,
        entities=dict(entities),
        # ties broken by the term, so the list does not depend on the order of paragraphs
        key_terms=[t for t, _ in sorted(terms.items(), key=_by_count)[:KEY_TERMS_PER_POST]],
        truncated=truncated,
        text_chars=chars,
    )
