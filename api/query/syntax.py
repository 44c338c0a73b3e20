"""The ``q`` language: a string in, a small syntax tree out. Pure, no Elasticsearch.

Grammar (AND binds tighter than OR; adjacency means AND)::

    query   := or_expr
    or_expr := and_expr ("OR" and_expr)*
    and_expr:= unary+
    unary   := ("-" | "NOT") unary | primary
    primary := "(" or_expr ")" | [field ":"] (word | "phrase" | "(" or_expr ")")

Fields: ``title source tag entity lang author``. Anything else before a colon is part of the
word (``https://x.example``, ``C:``). The input is read through ``normalize.fold`` first, so
full-width letters, digits, spaces, parentheses and quotes, and curly quotes, act like their
ASCII forms while every position still points into the original string. ``「…」`` and
``『…』`` quote phrases too.

Slips degrade instead of failing, each with a warning that has the position: a quote left open
runs to the end, a missing ``)`` is added at the end, a stray ``)``, a dangling ``OR``, ``-``
or ``field:`` is ignored. ``QuerySyntaxError`` (HTTP 400 with the position) is kept for what
cannot degrade: nesting or length beyond the limits, and an unsupported ``lang:`` value.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from api.errors import ApiError, ErrorBody
from indexer.analysis import fold

FIELDS = ("title", "source", "tag", "entity", "lang", "author")
MAX_DEPTH = 16
MAX_TERMS = 64
LANG_VALUES = ("ja", "en")

_OPEN_QUOTES = {'"': '"', "「": "」", "『": "』"}
_DELIMS = set(' \t\r\n()"「」『』')


class QuerySyntaxError(ApiError, ValueError):
    """A query that cannot be read (400); ``position`` is a 0-based character offset into
    ``q``. ``message`` says where too; ``reason`` is the bare reason."""

    status = 400
    code = "query_syntax"

    def __init__(self, reason: str, position: int) -> None:
        super().__init__(f"{reason} (at position {position})")
        self.reason = reason
        self.position = position

    def body(self) -> ErrorBody:
        return ErrorBody(code=self.code, message=self.message, position=self.position)


@dataclass(frozen=True)
class Warning_:
    message: str
    position: int


@dataclass(frozen=True)
class Term:
    """A word or a phrase, optionally under a field prefix. ``text`` is the original text."""

    text: str
    phrase: bool = False
    field: str | None = None
    start: int = 0
    end: int = 0


@dataclass(frozen=True)
class Not:
    child: Node


@dataclass(frozen=True)
class And:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    children: tuple[Node, ...]


Node = Term | Not | And | Or


@dataclass
class Parsed:
    tree: Node | None  # None: the query holds nothing to match (empty or only noise)
    warnings: list[Warning_] = field(default_factory=list)


# --- lexer ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Tok:
    kind: str  # WORD PHRASE LPAREN RPAREN OR NOT MINUS FIELD
    text: str  # original text (phrase without its quotes)
    start: int
    end: int


def _lex(q: str, warnings: list[Warning_]) -> list[_Tok]:
    f = fold(q)
    toks: list[_Tok] = []
    i, n = 0, len(f)
    while i < n:
        c = f[i]
        if c.isspace():
            i += 1
            continue
        if c == "(":
            toks.append(_Tok("LPAREN", c, i, i + 1))
            i += 1
            continue
        if c == ")":
            toks.append(_Tok("RPAREN", c, i, i + 1))
            i += 1
            continue
        if c in _OPEN_QUOTES:
            close = _OPEN_QUOTES[c]
            j = f.find(close, i + 1)
            if j < 0:
                warnings.append(Warning_("unclosed quote: the phrase runs to the end of the query", i))
                j = n
            toks.append(_Tok("PHRASE", q[i + 1 : j], i, min(j + 1, n)))
            i = j + 1
            continue
        if c in "」』":  # a closing bracket with no opening one is just punctuation
            i += 1
            continue
        if c == "-" and i + 1 < n and not f[i + 1].isspace() and f[i + 1] != ")":
            # a minus at the start of a word negates it; inside a word (GPT-5) it is literal
            toks.append(_Tok("MINUS", c, i, i + 1))
            i += 1
            continue
        j = i
        while j < n and f[j] not in _DELIMS:
            j += 1
        word = f[i:j]
        head, sep, rest = word.partition(":")
        if sep and head.lower() in FIELDS and head:
            toks.append(_Tok("FIELD", head.lower(), i, i + len(head) + 1))
            if rest:
                toks.append(_Tok("WORD", q[i + len(head) + 1 : j], i + len(head) + 1, j))
            i = j
            continue
        if word == "OR" or word == "|" or word == "||":
            toks.append(_Tok("OR", word, i, j))
        elif word == "NOT":
            toks.append(_Tok("NOT", word, i, j))
        elif word in ("AND", "&&", "&"):
            pass  # AND is the default
        else:
            toks.append(_Tok("WORD", q[i:j], i, j))
        i = j
    return toks


# --- parser -----------------------------------------------------------------------------------


class _Parser:
    def __init__(self, q: str, toks: list[_Tok], warnings: list[Warning_]) -> None:
        self.q = q
        self.toks = toks
        self.i = 0
        self.depth = 0
        self.terms = 0
        self.warnings = warnings

    def peek(self) -> _Tok | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self) -> _Tok:
        tok = self.toks[self.i]
        self.i += 1
        return tok

    def warn(self, message: str, position: int) -> None:
        self.warnings.append(Warning_(message, position))

    def parse(self) -> Node | None:
        parts: list[Node] = []
        while self.peek() is not None:
            node = self.or_expr()
            if node is not None:
                parts.append(node)
            tok = self.peek()
            if tok is not None and tok.kind == "RPAREN":
                self.warn("unmatched ')' ignored", tok.start)
                self.take()
        return _and(parts)

    def or_expr(self) -> Node | None:
        branches: list[Node] = []
        first = self.and_expr()
        if first is not None:
            branches.append(first)
        while (tok := self.peek()) is not None and tok.kind == "OR":
            self.take()
            nxt = self.and_expr()
            if nxt is None or not branches:
                self.warn("'OR' needs a term on each side; ignored", tok.start)
            if nxt is not None:
                branches.append(nxt)
        if not branches:
            return None
        return branches[0] if len(branches) == 1 else Or(tuple(branches))

    def and_expr(self) -> Node | None:
        parts: list[Node] = []
        while (tok := self.peek()) is not None and tok.kind not in ("OR", "RPAREN"):
            node = self.unary()
            if node is not None:
                parts.append(node)
        return _and(parts)

    def unary(self) -> Node | None:
        tok = self.peek()
        assert tok is not None
        if tok.kind in ("MINUS", "NOT"):
            self.take()
            nxt = self.peek()
            if nxt is None or nxt.kind in ("OR", "RPAREN"):
                self.warn(f"'{tok.text}' with nothing to exclude; ignored", tok.start)
                return None
            child = self.unary()
            if child is None:
                return None
            if isinstance(child, Not):  # --x is x
                return child.child
            return Not(child)
        return self.primary(None)

    def primary(self, field_name: str | None) -> Node | None:
        tok = self.take()
        if tok.kind == "LPAREN":
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise QuerySyntaxError(f"parentheses nested deeper than {MAX_DEPTH}", tok.start)
            inner_parts: list[Node] = []
            while (nxt := self.peek()) is not None and nxt.kind != "RPAREN":
                node = self.or_expr()
                if node is not None:
                    inner_parts.append(node)
            if self.peek() is None:
                self.warn("'(' is never closed; closed at the end of the query", tok.start)
            else:
                self.take()
            self.depth -= 1
            inner = _and(inner_parts)
            if inner is None:
                self.warn("empty parentheses ignored", tok.start)
                return None
            return _with_field(inner, field_name) if field_name else inner
        if tok.kind == "FIELD":
            if field_name is not None:  # title:tag:x -> the inner prefix is text
                return self._term(tok.text + ":", False, field_name, tok.start, tok.end)
            nxt = self.peek()
            if nxt is None or nxt.kind not in ("WORD", "PHRASE", "LPAREN") or nxt.start != tok.end:
                self.warn(f"'{tok.text}:' without a value; ignored", tok.start)
                return None
            return self.primary(tok.text)
        if tok.kind == "WORD":
            return self._term(tok.text, False, field_name, tok.start, tok.end)
        if tok.kind == "PHRASE":
            if not tok.text.strip():
                self.warn("empty phrase ignored", tok.start)
                return None
            return self._term(tok.text, True, field_name, tok.start, tok.end)
        # MINUS / NOT / OR / RPAREN cannot start a primary here; unary() handles MINUS and NOT
        self.warn(f"unexpected '{tok.text}' ignored", tok.start)
        return None

    def _term(self, text: str, phrase: bool, field_name: str | None, start: int, end: int) -> Term:
        self.terms += 1
        if self.terms > MAX_TERMS:
            raise QuerySyntaxError(f"more than {MAX_TERMS} terms", start)
        return Term(text=text, phrase=phrase, field=field_name, start=start, end=end)


def _and(parts: list[Node]) -> Node | None:
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else And(tuple(parts))


def _with_field(node: Node, field_name: str) -> Node:
    """``title:(a OR "b c")``: the prefix applies to every term inside."""
    if isinstance(node, Term):
        if node.field is not None:
            return node
        return Term(node.text, node.phrase, field_name, node.start, node.end)
    if isinstance(node, Not):
        return Not(_with_field(node.child, field_name))
    if isinstance(node, And):
        return And(tuple(_with_field(c, field_name) for c in node.children))
    return Or(tuple(_with_field(c, field_name) for c in node.children))


def parse(q: str) -> Parsed:
    """The syntax tree of ``q`` plus warnings for what was ignored or repaired."""
    warnings: list[Warning_] = []
    toks = _lex(q, warnings)
    tree = _Parser(q, toks, warnings).parse()
    for term, _ in terms(tree):
        if term.field == "lang" and term.text.strip().lower() not in LANG_VALUES:
            raise QuerySyntaxError(
                f"lang: takes one of {', '.join(LANG_VALUES)}, not {term.text.strip()!r}", term.start
            )
    return Parsed(tree=tree, warnings=warnings)


def terms(node: Node | None, negated: bool = False) -> list[tuple[Term, bool]]:
    """Every term in the tree with whether it sits under an odd number of negations."""
    if node is None:
        return []
    if isinstance(node, Term):
        return [(node, negated)]
    if isinstance(node, Not):
        return terms(node.child, not negated)
    out: list[tuple[Term, bool]] = []
    for c in node.children:
        out.extend(terms(c, negated))
    return out


def is_negative_only(node: Node | None) -> bool:
    """True when the node matches by exclusion only (``-x``, ``-x -y``)."""
    if isinstance(node, Not):
        return True
    if isinstance(node, And):
        return all(is_negative_only(c) for c in node.children)
    return False
