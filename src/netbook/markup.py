"""HTML made and edited through a parser, never by patterns over its text.

Two things the book does with HTML:

- **Free text into HTML** goes through :func:`escape` (``&``, ``<``, ``>`` and both quotes
  as entities: safe in an element and in a quoted attribute). It is the one escaping
  function; :func:`netbook.display.escape` uses it for ``to="html"``.
- **Editing HTML that is already written** (a pandas table, a page Sphinx wrote) goes
  through :func:`parse`, which reads it with the standard library's ``html.parser`` and
  reports where each element and each run of text starts and ends in the text. An edit
  (:class:`Edits`) replaces exactly such a span, so everything else keeps its bytes:
  the built pages and the notebooks' stored outputs stay byte-identical where nothing
  was meant to change. Nested elements are matched by the parser's nesting, not by the
  first closing tag that happens to follow (a regular expression cannot tell
  ``<table>...<table>...</table>...</table>`` apart).
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from html.parser import HTMLParser

#: Elements that have no end tag (HTML's void elements).
VOID = frozenset("area base br col embed hr img input link meta param source track wbr".split())
#: Elements whose content is not markup: their text is never edited.
RAW_TEXT = frozenset({"script", "style"})


def escape(value: object, *, single_quote: bool = True) -> str:
    """Free text as literal text of an HTML element or a quoted attribute value.
    ``single_quote=False`` leaves ``'`` as it is, for a value the book writes between
    double quotes and wants readable there (a Content-Security-Policy's ``'self'``)."""
    text = html.escape("" if value is None else str(value), quote=True)
    return text if single_quote else text.replace("&#x27;", "'")


def attributes(attrs: dict[str, str | None]) -> str:
    """``attrs`` as written in a start tag (a leading space, values escaped, ``None``
    as a bare attribute name)."""
    return "".join(f" {k}" if v is None else f' {k}="{escape(v)}"' for k, v in attrs.items())


def element(name: str, text: str = "", /, *, markup: str | None = None, **attrs: str | None) -> str:
    """``<name attrs>text</name>`` with ``text`` escaped (or ``markup`` inserted as it is,
    for HTML that was itself built here). Attribute names ending in ``_`` lose it
    (``class_=``)."""
    written = {k.rstrip("_").replace("_", "-"): v for k, v in attrs.items()}
    inner = escape(text) if markup is None else markup
    return f"<{name}{attributes(written)}>{inner}</{name}>"


@dataclass(eq=False)
class Element:
    """An element of a parsed text, with its place in that text."""

    name: str
    attrs: dict[str, str | None]
    start: int  # at its start tag's "<"
    open_end: int  # after its start tag's ">"
    close_start: int | None = None  # at its end tag's "<" (None: void or never closed)
    end: int | None = None  # after its end tag's ">"
    parent: Element | None = None
    children: list[Element] = field(default_factory=list)

    @property
    def classes(self) -> list[str]:
        return (self.attrs.get("class") or "").split()

    def ancestors(self):
        node = self.parent
        while node is not None:
            yield node
            node = node.parent

    def descendants(self):
        for child in self.children:
            yield child
            yield from child.descendants()


@dataclass(frozen=True)
class Text:
    """A run of text between two tags, as written (entities not decoded)."""

    start: int
    end: int
    raw: str
    parent: Element | None

    @property
    def text(self) -> str:
        return html.unescape(self.raw)


class Document:
    """A parsed HTML text: its elements in document order, its text runs, and the text."""

    def __init__(self, source: str, elements: list[Element], texts: list[Text]):
        self.source, self.elements, self.texts = source, elements, texts

    def find_all(self, name: str | None = None, *, class_: str | None = None, **attrs) -> list[Element]:
        """Elements named ``name`` (any, if None) having class ``class_`` and the
        attribute values ``attrs`` (``True``: present with any value; ``False``: absent)."""
        found = []
        for e in self.elements:
            if name is not None and e.name != name:
                continue
            if class_ is not None and class_ not in e.classes:
                continue
            if all(
                (k in e.attrs) is v if isinstance(v, bool) else e.attrs.get(k) == v for k, v in attrs.items()
            ):
                found.append(e)
        return found

    def start_tag(self, e: Element) -> str:
        return self.source[e.start : e.open_end]

    def inner(self, e: Element) -> str:
        """The element's content as written."""
        return self.source[e.open_end : e.close_start if e.close_start is not None else e.open_end]

    def outer(self, e: Element) -> str:
        return self.source[e.start : e.end if e.end is not None else e.open_end]

    def text_of(self, e: Element | None = None, *, shown: bool = False) -> str:
        """The text a reader sees inside ``e`` (the whole document if None), entities
        decoded, whitespace as written; ``shown``: without what an ``aria-hidden="true"``
        element inside ``e`` hides from assistive technology."""
        runs = [t for t in self.texts if e is None or _within(t, e)]
        if shown:
            inside = e.descendants() if e is not None else self.elements
            hidden = [d for d in inside if d.attrs.get("aria-hidden") == "true"]
            runs = [t for t in runs if not any(_within(t, h) for h in hidden)]
        return "".join(t.text for t in runs)

    def attribute_span(self, e: Element, name: str) -> tuple[int, int]:
        """Where ``name="..."`` is written in ``e``'s start tag (from its name to the end of
        its value)."""
        found = _attribute_spans(self.start_tag(e)).get(name)
        if found is None:
            raise ValueError(f"<{e.name}> has no attribute {name!r}")
        return e.start + found[0], e.start + found[1]


def _within(t: Text, e: Element) -> bool:
    node = t.parent
    while node is not None:
        if node is e:
            return True
        node = node.parent
    return False


def _attribute_spans(tag: str) -> dict[str, tuple[int, int]]:
    """Name -> (start, end) of each attribute written in the start tag ``tag`` (from its
    name to the end of its value), read by the same rules ``html.parser`` uses."""
    spans: dict[str, tuple[int, int]] = {}
    i = 1
    while i < len(tag) and not tag[i].isspace() and tag[i] not in "/>":
        i += 1  # the tag name
    while i < len(tag):
        while i < len(tag) and (tag[i].isspace() or tag[i] == "/"):
            i += 1
        if i >= len(tag) or tag[i] == ">":
            break
        name_start = i
        while i < len(tag) and not tag[i].isspace() and tag[i] not in "=/>":
            i += 1
        name = tag[name_start:i].lower()
        j = i
        while j < len(tag) and tag[j].isspace():
            j += 1
        if j < len(tag) and tag[j] == "=":
            j += 1
            while j < len(tag) and tag[j].isspace():
                j += 1
            if j < len(tag) and tag[j] in "\"'":
                j = tag.index(tag[j], j + 1) + 1
            else:
                while j < len(tag) and not tag[j].isspace() and tag[j] != ">":
                    j += 1
            i = j
        spans.setdefault(name, (name_start, i))
    return spans


class _Positions(HTMLParser):
    def __init__(self, source: str):
        super().__init__(convert_charrefs=False)
        self.source = source
        self.line_starts = [0] + [i + 1 for i, c in enumerate(source) if c == "\n"]
        self.elements: list[Element] = []
        self.texts: list[Text] = []
        self.open: list[Element] = []
        self._text_start: int | None = None

    def _offset(self) -> int:
        line, column = self.getpos()
        return self.line_starts[line - 1] + column

    def _flush_text(self, until: int) -> None:
        if self._text_start is not None and until > self._text_start:
            parent = self.open[-1] if self.open else None
            raw = self.source[self._text_start : until]
            self.texts.append(Text(self._text_start, until, raw, parent))
        self._text_start = None

    def _text(self) -> None:
        if self._text_start is None:
            self._text_start = self._offset()

    def _element(self, tag: str, attrs, closed: bool) -> None:
        start = self._offset()
        self._flush_text(start)
        written = self.get_starttag_text() or ""
        parent = self.open[-1] if self.open else None
        e = Element(tag, dict(attrs), start, start + len(written), parent=parent)
        if parent is not None:
            parent.children.append(e)
        self.elements.append(e)
        if not closed and tag not in VOID:
            self.open.append(e)

    def handle_starttag(self, tag, attrs):
        self._element(tag, attrs, closed=False)

    def handle_startendtag(self, tag, attrs):
        self._element(tag, attrs, closed=True)

    def handle_endtag(self, tag):
        start = self._offset()
        self._flush_text(start)
        end = self.source.index(">", start) + 1
        for depth in range(len(self.open) - 1, -1, -1):
            if self.open[depth].name == tag:
                for unclosed in self.open[depth + 1 :]:  # closed implicitly (<p>, <li>)
                    unclosed.close_start = unclosed.end = start
                e = self.open[depth]
                e.close_start, e.end = start, end
                del self.open[depth:]
                return

    def handle_data(self, data):
        if self.open and self.open[-1].name in RAW_TEXT:
            return
        self._text()

    def handle_entityref(self, name):
        self._text()

    def handle_charref(self, name):
        self._text()

    def _not_text(self):
        self._flush_text(self._offset())

    handle_comment = handle_decl = handle_pi = unknown_decl = lambda self, *args: self._not_text()


def parse(source: str) -> Document:
    """``source`` parsed, every element and text run with its place in ``source``."""
    parser = _Positions(source)
    parser.feed(source)
    parser.close()
    parser._flush_text(len(source))
    for e in parser.open:  # never closed: they end where the text ends
        e.close_start = e.end = len(source)
    return Document(source, parser.elements, parser.texts)


class Edits:
    """Replacements of spans of one parsed text, applied together (:meth:`apply`).
    Spans may not overlap, except insertions at one place, kept in the order made."""

    def __init__(self, document: Document):
        self.document = document
        self._edits: list[tuple[int, int, int, str]] = []

    def replace(self, start: int, end: int, text: str) -> None:
        self._edits.append((start, end, len(self._edits), text))

    def insert(self, at: int, text: str) -> None:
        self.replace(at, at, text)

    def set_attribute(self, e: Element, name: str, value: str) -> None:
        """``name="value"`` in ``e``'s start tag: in place of the one written, else right
        after the tag's name."""
        written = f'{name}="{escape(value)}"'
        if name in e.attrs:
            self.replace(*self.document.attribute_span(e, name), written)
        else:
            self.insert(e.start + 1 + len(e.name), " " + written)

    def remove_attribute(self, e: Element, name: str) -> None:
        """The attribute and the whitespace before it out of ``e``'s start tag."""
        if name in e.attrs:
            start, end = self.document.attribute_span(e, name)
            while self.document.source[start - 1].isspace():
                start -= 1
            self.replace(start, end, "")

    def replace_element(self, e: Element, text: str) -> None:
        """The whole element (start tag to end tag) replaced by ``text``."""
        self.replace(e.start, e.end if e.end is not None else e.open_end, text)

    def remove(self, e: Element) -> None:
        """The element and the whitespace before it removed."""
        start = e.start
        while start > 0 and self.document.source[start - 1].isspace():
            start -= 1
        self.replace(start, e.end if e.end is not None else e.open_end, "")

    def wrap(self, e: Element, before: str, after: str) -> None:
        """``before`` + the element + ``after``."""
        self.insert(e.start, before)
        self.insert(e.end if e.end is not None else e.open_end, after)

    def apply(self) -> str:
        text = self.document.source
        ordered = sorted(self._edits, key=lambda x: (x[0], x[1], x[2]))
        for (s1, e1, _, _), (s2, _, _, _) in zip(ordered, ordered[1:]):
            if s2 < e1:
                raise ValueError(f"overlapping edits at {s1}-{e1} and {s2}")
        parts, last = [], 0
        for start, end, _, replacement in ordered:
            parts += [text[last:start], replacement]
            last = end
        parts.append(text[last:])
        return "".join(parts)


def replace_in_text(
    source: str, old: str, new: str, *, skip_inside: frozenset[str] = frozenset({"a"})
) -> tuple[str, int]:
    """``source`` with every occurrence of ``old`` (written form, as it appears in the
    HTML text) inside a run of text replaced by the markup ``new``, never in a tag, an
    attribute, a script or inside an element named in ``skip_inside``. Returns the new
    text and the number of replacements."""
    document = parse(source)
    edits = Edits(document)
    count = 0
    for run in document.texts:
        if any(a.name in skip_inside for a in _ancestors_of(run)):
            continue
        at = run.raw.find(old)
        while at >= 0:
            edits.replace(run.start + at, run.start + at + len(old), new)
            count += 1
            at = run.raw.find(old, at + len(old))
    return edits.apply(), count


def _ancestors_of(run: Text):
    node = run.parent
    while node is not None:
        yield node
        node = node.parent


def insert_after_element(source: str, name: str, markup: str, *, first_child: bool = False) -> str:
    """``markup`` after the first ``<name>`` element of ``source`` (after its start tag,
    as its first child, with ``first_child``); at the end if there is none."""
    document = parse(source)
    found = document.find_all(name)
    if not found:
        return source + markup
    e = found[0]
    edits = Edits(document)
    edits.insert(e.open_end if first_child else (e.end if e.end is not None else e.open_end), markup)
    return edits.apply()


def anchor(kind: str, key: object) -> str:
    """The id of row ``key`` of a table of ``kind`` rows in the reading view
    (``audit-<check_id>``, ``contradiction-<id>``, ``difference-<id>``): the one place the
    format is written, for the row's id and for every link to it."""
    return f"{kind}-{key}"
