"""Columns computed from other columns of the same row, declared in the schema.

A field whose schema carries ``"netbook:derived"`` holds a value that code derives from
other fields of its row: the extractor types it so the CSV reads on its own, and the
loader (:mod:`netbook.tables`) recomputes it with the function registered here under
the declared name and refuses a row where the two differ. The declaration::

    "netbook:derived": {"function": "count", "from": ["count_as_printed"]}

Further keys of the declaration are passed to the function as keyword arguments (so a
rule's parameters, such as a table of spellings, stand in the schema the reader sees).
Each function receives the ``from`` cells in order (``None`` for an empty cell, a list
for a list field) and returns the derived cell (``None`` for empty). It raises
:class:`ValueError` when the printed words cannot be read: the loader reports that too.
"""

from __future__ import annotations

from collections.abc import Callable

from netbook.numbers import normalise_whitespace
from netbook.stats import count_reading, read_count

DERIVATIONS: dict[str, Callable] = {}


def register(name: str):
    """Register a derivation under the name a schema uses."""

    def decorate(function: Callable) -> Callable:
        if name in DERIVATIONS:
            raise ValueError(f"derivation {name!r} registered twice")
        DERIVATIONS[name] = function
        return function

    return decorate


@register("count")
def count(printed: str | None) -> int | None:
    """'Seventeen' -> 17, '2' -> 2, 'neither' -> 0 (:func:`netbook.stats.read_count`)."""
    return None if printed is None else read_count(printed)


@register("count_reading")
def reading(printed: str | None) -> str | None:
    """How a printed count is read: 'digits', 'number word', 'ordinal', 'negation'."""
    return None if printed is None else count_reading(printed)


@register("digits_or_words")
def digits_or_words(digits, words: str | None) -> int | None:
    """A number printed either in digits (first field) or in words (second field)."""
    if digits is not None and words is not None:
        raise ValueError("both the digits and the words are filled; a source prints one of them")
    if digits is not None:
        return int(digits)
    return None if words is None else read_count(words)


@register("agents")
def agents(printed: list[str] | None, spellings: dict[str, str] | None = None) -> list[str] | None:
    """Single agents from a printed list of treatments: each item split at ' and ',
    lower-cased, spelled as the schema's ``spellings`` say, each agent once, in order."""
    if printed is None:
        return None
    spellings = {k.casefold(): v for k, v in (spellings or {}).items()}
    out: list[str] = []
    for item in printed:
        for part in item.split(" and "):
            agent = part.strip().casefold()
            agent = spellings.get(agent, agent)
            if agent not in out:
                out.append(agent)
    return out


@register("term_in_text")
def term_in_text(text: str | None, terms: dict[str, str]) -> str | None:
    """The name of the one printed term (a key of ``terms``) the text holds: 'pNET' in
    the quote -> 'pancreas'. No term, or terms of two names, cannot be read."""
    if text is None:
        return None
    found = sorted({name for term, name in terms.items() if term in normalise_whitespace(text)})
    if len(found) != 1:
        raise ValueError(f"the text names {found or 'none'} of the terms {sorted(terms)}")
    return found[0]


@register("contains")
def contains(text: str | None, words: str) -> bool | None:
    """Whether the text prints these words ('Progression' in an outcome cell)."""
    return None if text is None else words in normalise_whitespace(text)


@register("mapped")
def mapped(value, mapping: dict[str, str]):
    """A value named in the schema's ``mapping`` (keys as text: 'true', 'false', ...)."""
    if value is None:
        return None
    key = str(value).lower() if isinstance(value, bool) else str(value)
    if key not in mapping:
        raise ValueError(f"{value!r} is not one of {sorted(mapping)}")
    return mapping[key]
