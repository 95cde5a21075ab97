"""Stage 8: the search query language, parsed by hand into the engine's query trees.

Why not `whoosh.qparser`: it would run the field analyzers on the query (loading jieba, ~1 s)
and its syntax errors are not one-line explanations. Here the query is parsed without touching
the index (`parse`), then turned into Whoosh queries (`build`) with the index's word statistics
at hand so bare words are split without jieba.

Syntax: bare words (ANDed here; `dlqa.matching` relaxes them), `"quoted phrases"` (also “…”),
`+term` (required), `OR` / `|`, `NOT` / a leading `-`,
parentheses, and `author:` `site:` `title:` `body:` filters (`author:二哈`, `title:"early stop"`,
`site:(zhihu OR v2ex)`). Precedence: NOT binds tightest, then AND (juxtaposition or `AND`), then
OR. Matching: every term is an exact substring (case-insensitive) of its field, via a phrase of
the `grams` tokens; the jieba word fields only add to the score of answers holding the whole word.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from dlqa.analysis import phrase_grams, segment_query
from dlqa.engine import queries as wq
from dlqa.errors import QueryError
from dlqa.expand import is_glossary_name, variants
from dlqa.textutil import fold

#: Fields a user may name, and what each searches.
FIELDS = ("author", "site", "title", "body")
#: Text fields searched by a bare term: (substring gram field, jieba word field or None).
TEXT_FIELDS: dict[str, tuple[str, str | None]] = {
    "title": ("title_grams", "title"),
    "body": ("body_grams", "body"),
    "author": ("author", None),
}
#: The extra weight of a whole-word match over a substring-only match.
WORD_BOOST = 2.0
#: The extra weight of the name the user typed over the other names of its glossary concept.
TYPED_BOOST = 3.0
#: Shortest typed Latin word also looked for inside longer Latin tokens, and that match's weight.
MIN_INNER_LATIN = 3
INNER_LATIN_BOOST = 0.3
#: Longest run of bare words joined to look up a multi-word glossary name ("transfer learning").
MAX_NAME_WORDS = 4

_OPEN_QUOTES = {'"': '"', "“": "”", "”": "”"}
_FIELD_PREFIX = re.compile(r"^([A-Za-z_]+):(.*)$", re.DOTALL)
_SPACE = re.compile(r"\s+")


# ---------------------------------------------------------------------------------------------
# Syntax tree


@dataclass(frozen=True)
class Term:
    """One search term: `phrase` terms are matched as written, bare ones are split first."""

    text: str
    field: str | None = None
    phrase: bool = False


@dataclass(frozen=True)
class And:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Not:
    child: Node


@dataclass(frozen=True)
class Must:
    """`+term`: every hit matches it, even where other terms may be missing."""

    child: Node


Node = Term | And | Or | Not | Must


# ---------------------------------------------------------------------------------------------
# Tokenizer


@dataclass(frozen=True)
class _Token:
    kind: str  # "word", "phrase", "field", "(", ")", "OR", "AND", "NOT", "-", "+"
    text: str = ""


def tokenize(text: str) -> list[_Token]:
    """Split a query into tokens; raise `QueryError` for an unbalanced quote."""
    tokens: list[_Token] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
        elif ch in "()":
            tokens.append(_Token(ch))
            i += 1
        elif ch == "|":
            tokens.append(_Token("OR"))
            i += 1
        elif ch in _OPEN_QUOTES:
            phrase, i = _read_phrase(text, i)
            tokens.append(_Token("phrase", phrase))
        else:
            start = i
            while i < n and not text[i].isspace() and text[i] not in '()|"“”':
                i += 1
            word = text[start:i]
            if word in ("OR", "AND", "NOT"):
                tokens.append(_Token(word))
            elif word == "-":
                raise QueryError("'-' must be written right before a term, as in -欠拟合")
            elif word.startswith("-"):
                tokens.append(_Token("-"))
                tokens.extend(_word_tokens(word[1:]))
            elif word == "+" and i < n and text[i] == "(":
                tokens.append(_Token("+"))  # +( … ): the group is required
            elif word.startswith("+") and len(word) > 1 and word[1] != "+":
                tokens.append(_Token("+"))
                tokens.extend(_word_tokens(word[1:]))
            else:
                tokens.extend(_word_tokens(word))
    return tokens


def _read_phrase(text: str, i: int) -> tuple[str, int]:
    close = _OPEN_QUOTES[text[i]]
    end = text.find(close, i + 1)
    if close == "”" and end < 0:
        end = text.find('"', i + 1)
    if end < 0:
        raise QueryError(f"unbalanced quote: the {text[i]} at character {i + 1} is never closed")
    return text[i + 1 : end], end + 1


def _word_tokens(word: str) -> list[_Token]:
    """A bare word, or `field:` followed by its value (which may be the next token)."""
    match = _FIELD_PREFIX.match(word)
    if not match or match.group(2).startswith("//"):  # a URL such as https://… is a word
        return [_Token("word", word)]
    name = match.group(1).lower()
    if name not in FIELDS:
        raise QueryError(f"unknown field '{match.group(1)}:'; the fields are {', '.join(f + ':' for f in FIELDS)}")
    tokens = [_Token("field", name)]
    if match.group(2):
        tokens.append(_Token("word", match.group(2)))
    return tokens


# ---------------------------------------------------------------------------------------------
# Parser (recursive descent over the tokens)


class _Parser:
    def __init__(self, tokens: list[_Token]) -> None:
        self.tokens = tokens
        self.pos = 0

    def peek(self) -> _Token | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> _Token:
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def parse(self) -> Node:
        node = self.or_expr(None)
        token = self.peek()
        if token is not None:
            if token.kind == ")":
                raise QueryError("unbalanced parenthesis: a ')' has no matching '('")
            raise QueryError(f"unexpected '{token.text or token.kind}'")  # pragma: no cover
        return node

    def or_expr(self, field_name: str | None) -> Node:
        children = [self.and_expr(field_name)]
        while (token := self.peek()) is not None and token.kind == "OR":
            self.take()
            if self.peek() is None or self.peek().kind in (")", "OR"):
                raise QueryError("'OR' needs a term on each side, as in 过拟合 OR 欠拟合")
            children.append(self.and_expr(field_name))
        return children[0] if len(children) == 1 else Or(tuple(children))

    def and_expr(self, field_name: str | None) -> Node:
        children: list[Node] = []
        while (token := self.peek()) is not None and token.kind not in (")", "OR"):
            if token.kind == "AND":
                self.take()
                nxt = self.peek()
                if not children or nxt is None or nxt.kind in (")", "OR", "AND"):
                    raise QueryError("'AND' needs a term on each side (terms are ANDed anyway)")
                continue
            children.append(self.unary(field_name))
        if not children:
            token = self.peek()
            if token is not None and token.kind == "OR":
                raise QueryError("'OR' needs a term on each side, as in 过拟合 OR 欠拟合")
            if token is not None and token.kind == ")":
                if self.pos > 0 and self.tokens[self.pos - 1].kind == "(":
                    raise QueryError("empty parentheses: put a term inside ( )")
                raise QueryError("unbalanced parenthesis: a ')' has no matching '('")
            raise QueryError("empty query: give a word to search for")
        return children[0] if len(children) == 1 else And(tuple(children))

    def unary(self, field_name: str | None) -> Node:
        token = self.peek()
        if token is not None and token.kind in ("NOT", "-"):
            self.take()
            nxt = self.peek()
            if nxt is None or nxt.kind in (")", "OR", "AND"):
                raise QueryError("'NOT' needs a term after it, as in 拟合 NOT 欠拟合")
            return Not(self.unary(field_name))
        if token is not None and token.kind == "+":
            self.take()
            if self.peek() is None or self.peek().kind in (")", "OR", "AND"):
                raise QueryError("'+' must be written right before a term, as in +正则化")
            return Must(self.atom(field_name))
        return self.atom(field_name)

    def atom(self, field_name: str | None) -> Node:
        token = self.take()
        if token.kind == "(":
            node = self.or_expr(field_name)
            if self.peek() is None:
                raise QueryError("unbalanced parenthesis: a '(' is never closed")
            self.take()
            return node
        if token.kind == "word":
            return Term(token.text, field_name)
        if token.kind == "phrase":
            return Term(token.text, field_name, phrase=True)
        if token.kind == "field":
            if field_name is not None:
                raise QueryError(f"'{token.text}:' inside '{field_name}:' makes no sense")
            nxt = self.peek()
            if nxt is None or nxt.kind not in ("word", "phrase", "("):
                raise QueryError(f"'{token.text}:' needs a value right after it, as in {token.text}:二哈")
            return self.atom(token.text)
        raise QueryError(f"'{token.text or token.kind}' needs a term before it")  # lone ')' handled by parse


def parse(text: str) -> Node:
    """The syntax tree of a query; raise `QueryError` with a one-line reason when malformed."""
    if not text or not text.strip():
        raise QueryError("empty query: give a word to search for")
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(
            f"query too long ({len(text):,} characters; the limit is {MAX_QUERY_CHARS:,}): "
            "search for a few words of it"
        )
    return _Parser(tokenize(text)).parse()


#: Longer queries are refused: Whoosh's phrase matching recurses per term (a 3,000-character
#: term overflows the stack), and no one types a page into a search box.
MAX_QUERY_CHARS = 1000


# ---------------------------------------------------------------------------------------------
# Building the engine's query trees (`dlqa.engine.queries`: Whoosh's query classes)


@dataclass
class Built:
    """A Whoosh query plus the positive terms it looks for (for snippets and `matched`)."""

    query: object
    terms: list[tuple[str, str | None]] = field(default_factory=list)
    #: Typed term → the other glossary names it was expanded to (empty without expansion).
    expansions: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class _Context:
    """What `_build` threads through the tree: statistics, switches and what it collects."""

    word_freq: Callable[[str], int] | None
    terms: list[tuple[str, str | None]]
    expand: bool = False
    expansions: dict[str, list[str]] = field(default_factory=dict)


def build(node: Node, word_freq: Callable[[str], int] | None = None, expand: bool = False) -> Built:
    """Turn a syntax tree into a Whoosh query; raise `QueryError` when nothing is searchable.

    `word_freq(word)` is the document frequency of `word` in the index; it lets
    `analysis.segment_query` split a bare word into the index's own words without jieba.
    With `expand`, a bare term naming a glossary concept (过拟合, overfitting) matches any of
    the concept's names, the typed one boosted; `Built.expansions` says which were applied.
    """
    terms: list[tuple[str, str | None]] = []
    context = _Context(word_freq, terms, expand)
    result = _build(node, context, negated=False)
    if result is None:
        raise QueryError("nothing to search for: the query holds no letters, digits or characters")
    if isinstance(result, _Negative):
        result = _and_not(wq.Every(), result.query)
    unique = list(dict.fromkeys(terms))
    return Built(result, unique, context.expansions)


def _and_not(positive: Any, negative: Any) -> Any:
    return wq.SafeAndNot(positive, negative)


@dataclass
class _Negative:
    """A NOT whose positive partner is not known yet (the And above it supplies it)."""

    query: object


def _build(node: Node, context: _Context, negated: bool) -> object | None:
    if isinstance(node, Term):
        return _expanded_term_query(node, context, negated)
    if isinstance(node, Must):
        return _build(node.child, context, negated)
    if isinstance(node, Not):
        inner = _build(node.child, context, not negated)
        if inner is None:
            return None
        if isinstance(inner, _Negative):  # NOT NOT x is x
            return inner.query
        return _Negative(inner)
    if isinstance(node, And):
        children = join_names(node.children) if context.expand else node.children
        parts = [_build(child, context, negated) for child in children]
        positives = [part for part in parts if part is not None and not isinstance(part, _Negative)]
        negatives = [part.query for part in parts if isinstance(part, _Negative)]
        if not positives and not negatives:
            return None
        if not positives:
            return _Negative(negatives[0] if len(negatives) == 1 else wq.Or(negatives))
        positive = positives[0] if len(positives) == 1 else wq.And(positives)
        if not negatives:
            return positive
        return _and_not(positive, negatives[0] if len(negatives) == 1 else wq.Or(negatives))
    if isinstance(node, Or):
        parts = [_build(child, context, negated) for child in node.children]
        kept = [_and_not(wq.Every(), part.query) if isinstance(part, _Negative) else part
                for part in parts if part is not None]
        if not kept:
            return None
        return kept[0] if len(kept) == 1 else wq.Or(kept)
    raise TypeError(f"not a query node: {node!r}")  # pragma: no cover


def join_names(children: tuple[Node, ...]) -> tuple[Node, ...]:
    """Join runs of bare words that spell a multi-word glossary name into one term.

    `transfer learning` typed without quotes is two ANDed words; joined, it can be expanded
    to 迁移学习 while still matching the two words as typed.
    """
    out: list[Node] = []
    i = 0
    while i < len(children):
        child = children[i]
        joined = None
        if _bare(child):
            for size in range(min(MAX_NAME_WORDS, len(children) - i), 1, -1):
                run = children[i : i + size]
                if all(_bare(c) and c.field == child.field for c in run):  # type: ignore[union-attr]
                    text = " ".join(c.text for c in run)  # type: ignore[union-attr]
                    if is_glossary_name(text):
                        joined = (Term(text, child.field), size)  # type: ignore[union-attr]
                        break
        if joined:
            out.append(joined[0])
            i += joined[1]
        else:
            out.append(child)
            i += 1
    return tuple(out)


def _bare(node: Node) -> bool:
    return isinstance(node, Term) and not node.phrase and node.field in (None, "title", "body")


def _expanded_term_query(term: Term, context: _Context, negated: bool) -> object | None:
    """`_term_query`, or with expansion the OR of every name of the term's glossary concept."""
    typed = _term_query(term, context.word_freq, context.terms, negated)
    if not context.expand or typed is None or not _bare(term):
        return typed
    names = variants(term.text)
    if not names:
        return typed
    options = []
    for name in names:
        # each other name is matched as written (a phrase), like a quoted term
        query = _term_query(Term(name, term.field, phrase=True), context.word_freq, context.terms, negated)
        if query is not None:
            options.append(query)
    if not options:
        return typed
    context.expansions.setdefault(_SPACE.sub(" ", term.text.strip()), names)
    return wq.Or([wq.boosted(typed, TYPED_BOOST), *options])


def term_query(term: Term, word_freq: Callable[[str], int] | None,
               terms: list[tuple[str, str | None]]) -> object | None:
    """The engine query matching one positive term (its pieces ANDed), collecting its terms."""
    return _term_query(term, word_freq, terms, negated=False)


def _term_query(term: Term, word_freq: Callable[[str], int] | None, terms: list[tuple[str, str | None]],
                negated: bool) -> object | None:
    text = term.text.strip()
    if term.field == "site":
        value = fold(text)
        if not value:
            return None
        if not negated:
            terms.append((value, "site"))
        return wq.Term("site", value)
    if term.phrase or term.field == "author":
        pieces = [text]
    else:
        pieces = [piece for piece in segment_query(text, word_freq) if piece.strip()] or [text]
    queries = []
    for piece in pieces:
        query = _substring_query(piece, term.field)
        if query is not None and not term.phrase:
            query = _with_inner_latin(query, piece, term.field)
        if query is not None:
            queries.append(query)
            if not negated:
                terms.append((_SPACE.sub(" ", piece.strip()), term.field))
    if not queries:
        return None
    return queries[0] if len(queries) == 1 else wq.And(queries)


def _with_inner_latin(query: Any, piece: str, field_name: str | None) -> Any:
    """Also match a typed Latin word inside longer Latin tokens (feather → feather12315).

    Latin runs are whole gram tokens, so `query` alone matches whole words only; a user name
    or model name typed in part still finds its answers, ranked after whole-word matches.
    Glossary names (GAN, BP) and words under `MIN_INNER_LATIN` characters stay whole-word:
    GAN must not find "organ".
    """
    grams = phrase_grams(piece)
    if len(grams) != 1 or len(grams[0][0]) < MIN_INNER_LATIN or not grams[0][0].isascii():
        return query
    if is_glossary_name(piece) or field_name == "site":
        return query
    names = [field_name] if field_name else list(TEXT_FIELDS)
    token = grams[0][0]
    inner = [wq.Wildcard(TEXT_FIELDS[name][0], f"*{token}*", boost=INNER_LATIN_BOOST) for name in names]
    return wq.Or([query, *inner])


def _substring_query(text: str, field_name: str | None) -> object | None:
    """Answers whose field(s) contain `text` as a substring; whole words score higher."""
    names = [field_name] if field_name else list(TEXT_FIELDS)
    options = []
    for name in names:
        gram_field, word_field = TEXT_FIELDS[name]
        gram_query = gram_match(gram_field, text)
        if gram_query is None:
            return None
        options.append(gram_query)
        if word_field:
            options.append(wq.Term(word_field, fold(text).strip(), boost=WORD_BOOST))
    return options[0] if len(options) == 1 else wq.Or(options)


def gram_match(gram_field: str, text: str) -> object | None:
    """The query matching `text` as a substring of a gram field, or None if it has no tokens.

    `analysis.phrase_grams` gives the grams at consecutive positions; a trailing single CJK
    character is a prefix (in the indexed text it may start a bigram), so a term ending in one
    becomes a `Sequence` of terms and that prefix.
    """
    pieces = phrase_grams(text)
    if not pieces:
        return None
    if len(pieces) == 1:
        gram, is_prefix = pieces[0]
        return wq.Prefix(gram_field, gram) if is_prefix else wq.Term(gram_field, gram)
    if not any(is_prefix for _, is_prefix in pieces):
        return wq.Phrase(gram_field, [gram for gram, _ in pieces])
    return wq.Sequence([wq.Prefix(gram_field, gram) if is_prefix else wq.Term(gram_field, gram)
                        for gram, is_prefix in pieces])
