"""The index contract: every searchable field's name, the languages and the passage size.

The mapping (``mapping.py``), the document builder (``document.py``), the query builder
(``api.query.build``) and the post endpoint import these names, so a field is renamed or
added here once.

Token fields are shared by both languages: the tokenizers follow the script, so a Latin word
gets the same token in a Japanese and in an English post, and one field keeps one word's
statistics together (a model name is not "rare" in Japanese posts just because few Latin
words sit in a Japanese-only field).

Long texts are also indexed as passages (nested documents of at most ``PASSAGE_CHARS``
characters, whole lines): a post is ranked by its best passage, so a 140k-character digest
with one passing mention does not outrank a post about the topic.
"""

from __future__ import annotations

from typing import Final

LANGS: Final = ("ja", "en")

SEARCH: Final = "search"  # the object that holds every token field (left out of _source)

# whole-post token streams, one value per text part (title / summary, body, sections)
TITLE: Final = "search.title"
TITLE_BASE: Final = "search.title_base"
TITLE_BIGRAM: Final = "search.title_bigram"
TEXT: Final = "search.text"
TEXT_BASE: Final = "search.text_base"
TEXT_BIGRAM: Final = "search.text_bigram"

# passages: nested documents under ``search.passages``
PASSAGES: Final = "search.passages"
PASSAGE_TEXT: Final = "search.passages.text"
PASSAGE_BASE: Final = "search.passages.text_base"
PASSAGE_BIGRAM: Final = "search.passages.text_bigram"
PASSAGE_LANG: Final = "search.passages.lang"
PASSAGE_FIELD: Final = "search.passages.field"  # summary, body or section
PASSAGE_START: Final = "search.passages.start"  # character offsets into that field's text
PASSAGE_END: Final = "search.passages.end"

# streams of one searchable text: (stream, field suffix)
STREAM_SUFFIXES: Final = (("tokens", ""), ("bases", "_base"), ("bigrams", "_bigram"))

# ``tag_labels`` keywords are ``<tag key><TAG_LABEL_SEP><display spelling>``: one terms
# aggregation gives the facet both the key it filters by and the spelling it shows
TAG_LABEL_SEP: Final = "\x1f"

PASSAGE_CHARS: Final = 1200  # lines are packed into passages up to this size; a longer line stands alone


def leaf(path: str) -> str:
    """The last part of a dotted field path: the key inside its object (``search.title`` -> ``title``)."""
    return path.rsplit(".", 1)[1]
