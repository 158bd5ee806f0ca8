"""Lighter pages: what a reader's browser downloads on first load, cut to what it uses.

Measured on the theme's defaults (issue 14), every page loaded 2.4-2.8 MB; 1.49 MB of it was
`_static/scripts/fontawesome.js`, the whole Font Awesome icon set as SVG-in-JS, for the
fifteen-odd icons the theme's buttons show. This extension, through Sphinx's and the
theme's supported hooks (a template block override and build events; no installed file
is edited):

1. Icons. The theme's `fontawesome.js` is not loaded. Each `<i class="fa-solid fa-...">`
   the theme writes becomes, at build time, the inline `<svg>` that fontawesome.js would
   have put in its place at run time (same classes, attributes and markup), its path read
   from the SVG file of the pinned icon package (`fontawesomefree`, requirements.txt; an
   alias such as `search` found through the package's metadata). Nothing reads the
   theme's minified bundle: a theme release that changes it cannot break this step. The
   package's stylesheet for those SVGs (which fontawesome.js injected at run time, before
   the theme's CSS) becomes `_static/netbook-icons.css`, linked at the same place. An icon
   the package does not have stops the build. The theme's CSS also draws a few glyphs of
   the icon font (admonition, download, external-link icons): those come from a cut of
   the package's solid font (`netbook-fa-solid-subset.woff`, 2 KB instead of 156 KB),
   declared after the theme's @font-face for exactly those code points, which a CSS
   parser (tinycss2) reads from the theme's stylesheets. The theme's stylesheet is served
   as a copy without its 1,881 `.fa-NAME:before` glyph rules (86 KB), which only served
   `<i>` icons.
2. Search. `searchindex.js`, `searchtools.js` and `language_data.js` load on the search
   page only, where the search runs (the theme's search box submits to it). When a reader
   opens the search box on another page, a small inline script prefetches them, so the
   search page finds them in the cache.
3. Images get `width` and `height` (read from the image file; the page's CSS keeps them
   responsive) so the page does not jump as they load, and `loading="lazy"` unless they
   may be in the first screen (see `is_below_the_fold`).
4. `<meta name="description">` per page: the page's first paragraph (else its key points,
   else its title), shortened to `DESCRIPTION_LIMIT` characters.
5. Scripts and styles: sphinx-design's and togglebutton's files are left out of pages that
   have none of their markup, and scripts are `defer` (they wait for the page to be parsed
   instead of blocking its first paint), except documentation_options.js, which inline
   scripts use, and on the search page.

Every edit of HTML goes through a parser (netbook.markup); no step here applies a regular
expression to HTML or CSS. The steps are not wired to Sphinx here: _ext/html_fixes.py runs
them, with its own, in the one order its docstring states.

The pure functions below are tested in tests/test_page_weight.py; the built pages in
tests/test_built_book.py and tests/test_browser.py (byte budget, icons, search).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from docutils import nodes
from markupsafe import Markup

from netbook import markup
from netbook.numbers import normalise_whitespace

TEMPLATES = Path(__file__).parent / "templates"
ICON_CSS = "netbook-icons.css"
ICON_FONT_CSS = "netbook-icon-font.css"
ICON_FONT = "netbook-fa-solid-subset.woff"
SOLID_FAMILY = "Font Awesome 6 Free"
SEARCH_SCRIPTS = ("_static/searchtools.js", "_static/language_data.js", "searchindex.js")
THEME_ICON_SCRIPT = "_static/scripts/fontawesome.js"
THEME_CSS = "_static/styles/pydata-sphinx-theme.css"
TRIMMED_THEME_CSS = "_static/styles/netbook-pydata-sphinx-theme.css"
DESCRIPTION_LIMIT = 160
# An image with fewer visible characters of text before it may be in the first screen of
# a 390 px phone (about 40 characters a line, 20 lines under the header), so it loads at
# once. Later images are lazy; on a wider screen one that is in view still loads at once.
FOLD_CHARS = 800

# ---------------------------------------------------------------- Font Awesome icons

PREFIXES = {
    "fa": "fas",
    "fas": "fas",
    "fa-solid": "fas",
    "far": "far",
    "fa-regular": "far",
    "fab": "fab",
    "fa-brands": "fab",
}
#: The folder of the icon package's SVG files for each style prefix.
STYLE_FOLDERS = {"fas": "solid", "far": "regular", "fab": "brands"}
#: Elements fontawesome.js replaces by an icon (the theme writes <i> and <span>).
ICON_ELEMENTS = ("i", "span")
_SVG = "{http://www.w3.org/2000/svg}"


@dataclass(frozen=True)
class Icon:
    prefix: str
    name: str  # canonical name, as fontawesome.js writes it in class and data-icon
    width: int
    height: int
    path: str


class IconError(Exception):
    pass


def icon_package() -> Path:
    """The pinned icon package's files (fontawesomefree, requirements.txt)."""
    import fontawesomefree

    return Path(fontawesomefree.__file__).parent / "static" / "fontawesomefree"


def read_svg(path: Path, prefix: str, name: str) -> Icon:
    """An icon from one SVG file of the package: ``<svg viewBox="0 0 W H"><path d=...>``."""
    from xml.etree import ElementTree

    root = ElementTree.parse(path).getroot()
    box = root.get("viewBox", "").split()
    paths = root.findall(f"{_SVG}path")
    if root.tag != f"{_SVG}svg" or len(box) != 4 or len(paths) != 1:
        raise IconError(f"{path}: not one <svg viewBox> holding one <path> (has the icon package changed?)")
    return Icon(prefix, name, int(box[2]), int(box[3]), paths[0].get("d", ""))


class IconPackage:
    """The icons of the package (``root``, laid out as fontawesomefree's ``static``
    folder), read from its SVG files when first asked for, by (prefix, name); an alias
    (``search``) gives the icon under its canonical name (``magnifying-glass``), from the
    package's own metadata (``metadata/icons.json``)."""

    def __init__(self, root: Path):
        self.root = Path(root)
        self._icons: dict[tuple[str, str], Icon | None] = {}
        self._canonical: dict[str, str] | None = None

    def canonical(self, name: str) -> str:
        if self._canonical is None:
            import json

            metadata = json.loads((self.root / "metadata" / "icons.json").read_text(encoding="utf-8"))
            self._canonical = {
                alias: canonical
                for canonical, icon in metadata.items()
                for alias in (icon.get("aliases") or {}).get("names", [])
            }
        return self._canonical.get(name, name)

    def get(self, key: tuple[str, str]) -> Icon | None:
        if key not in self._icons:
            prefix, name = key
            folder = STYLE_FOLDERS.get(prefix)
            icon = None
            if folder is not None:
                svg = self.root / "svgs" / folder / f"{name}.svg"
                if not svg.exists() and self.canonical(name) != name:
                    name = self.canonical(name)
                    svg = self.root / "svgs" / folder / f"{name}.svg"
                if svg.exists():
                    icon = read_svg(svg, prefix, name)
            self._icons[key] = icon
        return self._icons[key]

    def __contains__(self, key) -> bool:
        return self.get(key) is not None

    def __getitem__(self, key) -> Icon:
        icon = self.get(key)
        if icon is None:
            raise KeyError(key)
        return icon

    def stylesheet(self) -> str:
        """The stylesheet fontawesome.js injects at run time for its SVG icons, as the
        package ships it (``css/svg-with-js.min.css``, copied, not parsed)."""
        return (self.root / "css" / "svg-with-js.min.css").read_text(encoding="utf-8")

    def solid_font(self) -> Path:
        return self.root / "webfonts" / "fa-solid-900.ttf"


def icon_svg(attributes: dict[str, str | None], icons, title_id: str) -> str:
    """The `<svg>` fontawesome.js puts in place of `<i ...attributes>` (FA 6 markup)."""
    classes = (attributes.get("class") or "").split()
    prefixes = [PREFIXES[c] for c in classes if c in PREFIXES]
    if not prefixes:
        raise IconError(f'<i class="{" ".join(classes)}">: no Font Awesome style class')
    prefix = prefixes[0]
    candidates = [c[3:] for c in classes if c.startswith("fa-") and (prefix, c[3:]) in icons]
    if not candidates:
        raise IconError(f'<i class="{" ".join(classes)}">: no icon of style {prefix} in the icon package')
    icon = icons[(prefix, candidates[0])]
    rest = [c for c in classes if c not in PREFIXES and c != f"fa-{candidates[0]}"]
    svg = {"class": " ".join(["svg-inline--fa", f"fa-{icon.name}", *rest])}
    svg |= {k: v for k, v in attributes.items() if k not in {"class", "title"}}
    title = attributes.get("title")
    if title:
        svg["aria-labelledby"] = title_id
    elif "aria-hidden" not in attributes:
        svg |= {"aria-hidden": "true", "focusable": "false"}
    svg |= {
        "data-prefix": icon.prefix,
        "data-icon": icon.name,
        "role": "img",
        "xmlns": "http://www.w3.org/2000/svg",
        "viewBox": f"0 0 {icon.width} {icon.height}",
    }
    inner = markup.element("title", title, id=title_id) if title else ""
    inner += markup.element("path", fill="currentColor", d=icon.path)
    return f"<svg{markup.attributes(svg)}>{inner}</svg>"


def is_icon_tag(attributes: dict[str, str | None]) -> bool:
    classes = (attributes.get("class") or "").split()
    return any(c in PREFIXES for c in classes) and any(c.startswith("fa-") for c in classes)


def _icon_elements(document: markup.Document) -> list[markup.Element]:
    """The empty `<i>`/`<span>` elements with a Font Awesome style and icon class (the ones
    fontawesome.js would replace)."""
    return [
        e
        for e in document.elements
        if e.name in ICON_ELEMENTS
        and is_icon_tag(e.attrs)
        and not e.children
        and not document.inner(e).strip()
        and e.end is not None
        and e.end > e.open_end
    ]


def inline_icons(page: str, icons) -> tuple[str, list[str]]:
    """(page with every Font Awesome `<i>` replaced by its `<svg>`, problems found)."""
    problems: list[str] = []
    document = markup.parse(page)
    edits = markup.Edits(document)
    for count, e in enumerate(_icon_elements(document), start=1):
        attributes = e.attrs
        if any("aria-label" in a.attrs for a in e.ancestors()):
            # the control names itself: its icon's title would be read as its text, and
            # the name would no longer hold the words shown (label-content-name-mismatch)
            attributes = {k: v for k, v in attributes.items() if k != "title"}
        try:
            edits.replace_element(e, icon_svg(attributes, icons, f"netbook-icon-title-{count}"))
        except IconError as err:
            problems.append(str(err))
    return edits.apply(), problems


def icons_used(page: str) -> set[str]:
    """Font Awesome `<i>`/`<span>` elements left in a page, as their class attribute."""
    return {normalise_whitespace(e.attrs.get("class") or "") for e in _icon_elements(markup.parse(page))}


# ---------------------------------------------------------------- icons drawn by CSS


def _is_icon_class_rule(prelude) -> bool:
    """Whether every selector of a rule is `.fa-NAME:before` (or `::before`, `:after`)."""
    import tinycss2

    for selector in tinycss2.serialize(prelude).split(","):
        selector = selector.strip()
        name, colons, pseudo = selector.partition(":")
        pseudo = pseudo.lstrip(":")
        if not (
            name.startswith(".fa-")
            and len(name) > 4
            and all(c.isalnum() or c in "-_" for c in name[4:])
            and colons
            and pseudo in {"before", "after"}
        ):
            return False
    return True


def _rules(css: str):
    """The qualified rules of a stylesheet, those inside @media/@supports blocks included."""
    import tinycss2

    def walk(rules):
        for rule in rules:
            if rule.type == "qualified-rule":
                yield rule
            elif (
                rule.type == "at-rule"
                and rule.content is not None
                and rule.lower_at_keyword
                in {
                    "media",
                    "supports",
                    "layer",
                    "container",
                }
            ):
                yield from walk(
                    tinycss2.parse_rule_list(rule.content, skip_whitespace=True, skip_comments=True)
                )

    return walk(tinycss2.parse_stylesheet(css, skip_whitespace=True, skip_comments=True))


def css_icon_codepoints(css: str) -> set[int]:
    """Private-use code points (Font Awesome glyphs) a stylesheet draws with `content:`,
    directly or through custom properties, outside the `.fa-NAME:before` class rules (those
    serve `<i class="fa-NAME">` icons, which the pages no longer have). Read with a CSS
    parser (tinycss2): its string tokens hold the text with CSS escapes decoded."""
    import tinycss2

    def strings(tokens):
        for token in tokens:
            if token.type == "string":
                yield token.value
            elif getattr(token, "content", None) is not None and token.type in {
                "function",
                "() block",
                "[] block",
                "{} block",
            }:
                yield from strings(token.content if token.type != "function" else token.arguments)

    found: set[int] = set()
    for rule in _rules(css):
        if _is_icon_class_rule(rule.prelude):
            continue
        for declaration in tinycss2.parse_blocks_contents(rule.content):
            if declaration.type == "declaration":
                for text in strings(declaration.value):
                    found |= {ord(ch) for ch in text if 0xE000 <= ord(ch) <= 0xF8FF}
    return found


def unicode_range(codepoints) -> str:
    return ",".join(f"U+{c:04X}" for c in sorted(codepoints))


def font_face_css(family: str, weight: int, url: str, codepoints) -> str:
    """An @font-face that, declared after the theme's, serves `codepoints` of that face."""
    return (
        f'@font-face{{font-display:block;font-family:"{family}";font-style:normal;font-weight:{weight:d};'
        f'src:url({url}) format("woff");unicode-range:{unicode_range(codepoints)}}}\n'
    )


def subset_font(source: Path, codepoints, target: Path) -> None:
    import logging

    from fontTools import subset

    # fontTools logs every table it prunes at INFO, and a11y_pygments (imported by the
    # theme) sets the root logger to INFO: a screen of noise on every build
    logging.getLogger("fontTools").setLevel(logging.WARNING)

    options = subset.Options()
    options.flavor = "woff"  # zlib; woff2 would need brotli, not installed
    options.layout_features = []
    options.name_IDs = ["*"]  # keep the licence and copyright names
    font = subset.load_font(str(source), options)
    missing = set(codepoints) - set(font.getBestCmap() or {})
    if missing:
        raise IconError(f"{Path(source).name} has no glyph for {unicode_range(missing)}")
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(codepoints))
    subsetter.subset(font)
    subset.save_font(font, str(target), options)


def drop_icon_class_rules(css: str) -> str:
    """The stylesheet without its `.fa-NAME:before{content:...}` rules (they give a glyph to
    elements with an icon class, and the pages have none left: each is an inline SVG) and
    without its source-map comment (the map is the original's). A CSS parser (tinycss2)
    finds the rules, those inside @media blocks included; each is cut out of the text at
    the place the parser reports, so the rest (licence comments included) keeps its bytes."""
    import tinycss2

    line_starts = [0] + [i + 1 for i, c in enumerate(css) if c == "\n"]

    def offset(node) -> int:
        return line_starts[node.source_line - 1] + node.source_column - 1

    cuts: list[tuple[int, int]] = []

    def visit(nodes_):
        for node in nodes_:
            if node.type == "qualified-rule" and _is_icon_class_rule(node.prelude):
                start = offset(node)
                if "{" in tinycss2.serialize(node.content) or "}" in tinycss2.serialize(node.content):
                    raise IconError(f"an icon class rule at line {node.source_line} holds a block")
                cuts.append((start, css.index("}", css.index("{", start)) + 1))
            elif (
                node.type == "at-rule"
                and node.content is not None
                and node.lower_at_keyword in {"media", "supports"}
            ):
                visit(tinycss2.parse_rule_list(node.content))

    top = tinycss2.parse_stylesheet(css)
    visit(top)
    written = [n for n in top if n.type not in {"whitespace"}]
    if written and written[-1].type == "comment" and written[-1].value.startswith("# sourceMappingURL="):
        cuts.append((offset(written[-1]), len(css)))
    parts, last = [], 0
    for start, end in sorted(cuts):
        parts.append(css[last:start])
        last = end
    parts.append(css[last:])
    return "".join(parts)


# ---------------------------------------------------------------- assets per page


def _has_class_starting(prefix: str):
    return lambda classes: any(c.startswith(prefix) for c in classes)


def _has_class(*names: str):
    return lambda classes: bool(set(names) & set(classes))


# Loaded by extensions on every page, used only by pages with their markup in the body:
# the files, and a test of an element's classes that shows the markup is there.
OPTIONAL_ASSETS = {
    "sphinx-design": (("sphinx-design.min.css", "design-tabs.js"), _has_class_starting("sd-")),
    "togglebutton": (("togglebutton.css", "togglebutton.js"), _has_class("toggle", "dropdown")),
}
# Inline scripts may use it while the page is parsed, so it stays a blocking script.
KEEP_BLOCKING = ("documentation_options.js",)


def unused_assets(body: str) -> set[str]:
    """File names of OPTIONAL_ASSETS the page body has no markup for."""
    classes = [e.classes for e in markup.parse(body).elements if e.classes]
    return {
        name
        for files, used in OPTIONAL_ASSETS.values()
        if not any(used(c) for c in classes)
        for name in files
    }


def asset_name(asset) -> str:
    return Path(str(getattr(asset, "filename", "") or "").split("?")[0]).name


def deferred(asset):
    """A script asset as `defer` (runs after parsing, in order), unless it is inline, already
    async/deferred, or in KEEP_BLOCKING. Sphinx's asset objects are immutable: a new one."""
    name = asset_name(asset)
    attributes = getattr(asset, "attributes", None)
    if (
        not name
        or attributes is None
        or name in KEEP_BLOCKING
        or {"defer", "async"} & set(attributes)
        or attributes.get("type", "text/javascript") != "text/javascript"
    ):
        return asset
    return type(asset)(asset.filename, priority=asset.priority, **{**attributes, "defer": "defer"})


# ---------------------------------------------------------------- scripts in templates


def _loads(e: markup.Element, attribute: str, source: str) -> bool:
    """Whether ``e``'s ``attribute`` (a URL, maybe relative, maybe with a ?query) names ``source``."""
    url = (e.attrs.get(attribute) or "").split("?")[0]
    return url == source or url.endswith("/" + source)


def swap_stylesheet(block: str, source: str, replacement: str) -> Markup:
    """`block` with the one `<link rel="stylesheet">` loading `source` loading `replacement`."""
    document = markup.parse(str(block))
    found = [e for e in document.find_all("link") if _loads(e, "href", source)]
    if len(found) != 1:
        raise ValueError(f"expected one stylesheet {source} in the theme's template, found {len(found)}")
    edits = markup.Edits(document)
    edits.set_attribute(found[0], "href", replacement)
    return Markup(edits.apply())


def drop_scripts(block: str, *sources: str) -> Markup:
    """`block` (rendered template HTML) without the `<script src=...>` tags loading `sources`.

    Each source must be there exactly once: a theme that changes how it loads its assets
    stops the build instead of silently loading them again.
    """
    document = markup.parse(str(block))
    edits = markup.Edits(document)
    for source in sources:
        found = [e for e in document.find_all("script") if _loads(e, "src", source)]
        if len(found) != 1:
            raise ValueError(
                f"expected one <script> loading {source} in the theme's template, found {len(found)}"
            )
        edits.remove(found[0])
    return Markup(edits.apply())


# ---------------------------------------------------------------- images

#: Elements whose text a reader does not see on first load (folded code, scripts).
HIDDEN = frozenset({"details", "script", "style"})


def visible_chars(fragment: str) -> int:
    """Characters of text a reader sees in an HTML fragment (folded code and scripts left out)."""
    document = markup.parse(fragment)
    seen = (
        t.text
        for t in document.texts
        if not (t.parent is not None and ({t.parent.name} | {a.name for a in t.parent.ancestors()}) & HIDDEN)
    )
    return sum(len("".join(text.split())) for text in seen)


def is_below_the_fold(body: str, position: int, images_before: int) -> bool:
    """Whether an image at `position` of the page body cannot be in the first screen.

    Only the first image of a page, with under FOLD_CHARS characters of text before it, may
    be; lazy-loading it would delay the largest paint. Every other image is lazy.
    """
    return images_before > 0 or visible_chars(body[:position]) >= FOLD_CHARS


def size_images(body: str, size_of) -> tuple[str, list[str]]:
    """Every `<img>` of `body` with width, height (from `size_of(src)`) and, below the fold,
    loading="lazy". Returns (body, problems): an image whose size cannot be read is a problem."""
    problems: list[str] = []
    document = markup.parse(body)
    edits = markup.Edits(document)
    for index, image in enumerate(document.find_all("img")):
        attributes = image.attrs
        src = attributes.get("src") or ""
        extra = []
        if "width" not in attributes and "height" not in attributes:
            size = size_of(src)
            if not size or size[0] <= 0 or size[1] <= 0:
                problems.append(f"cannot read the size of image {src}")
            else:
                extra.append(f'width="{size[0]}" height="{size[1]}"')
        if "loading" not in attributes and is_below_the_fold(body, image.start, index):
            extra.append('loading="lazy"')
        if extra:  # the new attributes last, and the tag closed as XHTML, as docutils writes it
            tag = document.start_tag(image)[:-1].rstrip()
            tag = tag[:-1].rstrip() if tag.endswith("/") else tag
            edits.replace(image.start, image.open_end, tag + " " + " ".join(extra) + " />")
    return edits.apply(), problems


# ---------------------------------------------------------------- meta description
#
# Written here rather than by sphinxext-opengraph: its <meta name="description">
# (ogp_enable_meta_description) is the page's text from its start, cut at a number of
# characters, where the book wants the first paragraph of running text (not a key-points
# box, a figure's caption or a table), falling back to the key points, cut at a word
# (tests/test_built_book.py checks it); and it would add og: tags whose URLs need a site
# address (ogp_site_url) the book, also read from disk, does not have.


def shorten(text: str, limit: int = DESCRIPTION_LIMIT) -> str:
    """Whitespace collapsed; cut at a word boundary with an ellipsis if over `limit`."""
    text = normalise_whitespace(text)
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:(")
    return cut + "…"


def _in_section_body(node: nodes.Node) -> bool:
    """A paragraph of running text: its parent is a section (or the document)."""
    return isinstance(node.parent, (nodes.section, nodes.document))


def key_points(doctree: nodes.document) -> str | None:
    for node in doctree.findall(lambda n: isinstance(n, (nodes.section, nodes.Admonition))):
        title = next(iter(node.findall(nodes.title)), None)
        if title is not None and title.astext().strip().lower() in {"key points", "key point"}:
            items = [i.astext() for i in node.findall(nodes.list_item)]
            if items:
                return "; ".join(normalise_whitespace(i).rstrip(".;") for i in items) + "."
    return None


def description(doctree: nodes.document | None, title: str, book_title: str) -> str:
    """The page's first paragraph of running text, else its key points, else its title."""
    if doctree is not None:
        for paragraph in doctree.findall(nodes.paragraph):
            if _in_section_body(paragraph) and paragraph.astext().strip():
                return shorten(paragraph.astext())
        points = key_points(doctree)
        if points:
            return shorten(points)
    title = markup.parse(title or "").text_of().strip()  # the title as HTML: its text
    return shorten(f"{title}: {book_title}" if title and title != book_title else book_title)


def description_tag(doctree, title: str, book_title: str) -> str:
    return f'<meta name="description" content="{markup.escape(description(doctree, title, book_title))}">\n'


# ---------------------------------------------------------------- Sphinx wiring

SEARCH_PREFETCH = """
document.addEventListener("focusin", function prefetchSearch(event) {
  if (!event.target.matches || !event.target.matches('input[name="q"]')) return;
  document.removeEventListener("focusin", prefetchSearch);
  var root = document.documentElement.dataset.content_root || "";
  [FILES].forEach(function (file) {
    var link = document.createElement("link");
    link.rel = "prefetch";
    link.href = root + file;
    document.head.appendChild(link);
  });
});
""".replace("FILES", ", ".join(f'"{s}"' for s in SEARCH_SCRIPTS))


def _config_inited(app, config):
    config.templates_path = [str(TEMPLATES), *config.templates_path]


def _image_sizer(app, pagename):
    import imagesize

    by_name = {Path(dest).name: src for src, dest in app.builder.images.items()}

    def size_of(src: str):
        source = by_name.get(Path(src).name)
        if source is None:
            return None
        return imagesize.get(str(Path(app.srcdir) / source))

    return size_of


def template_context(context) -> None:
    """What _ext/templates/layout.html uses to leave out and swap the theme's assets."""
    context["netbook_drop_scripts"] = drop_scripts
    context["netbook_icon_css"] = ICON_CSS
    context["netbook_search_scripts"] = SEARCH_SCRIPTS
    context["netbook_theme_icon_script"] = THEME_ICON_SCRIPT
    context["netbook_search_prefetch"] = Markup(SEARCH_PREFETCH)
    context["netbook_swap_stylesheet"] = swap_stylesheet
    context["netbook_theme_css"] = (THEME_CSS, TRIMMED_THEME_CSS)


def page_assets(pagename: str, context) -> None:
    """The page's css_files and script_files without the optional assets its body does not
    use (point 5), its scripts deferred (except on the search page, which runs
    searchtools.js while parsing, and that needs doctools.js)."""
    unused = unused_assets(context.get("body", "")) if "body" in context else set()
    if "css_files" in context:
        context["css_files"] = [a for a in context["css_files"] if asset_name(a) not in unused]
    if "script_files" in context:
        scripts = [a for a in context["script_files"] if asset_name(a) not in unused]
        context["script_files"] = scripts if pagename == "search" else [deferred(a) for a in scripts]


def page_description(app, context, doctree) -> str:
    """The page's `<meta name="description">` (point 4)."""
    return description_tag(
        doctree, context.get("title", ""), context.get("docstitle") or app.config.html_title or ""
    )


def page_images(app, pagename: str, body: str) -> str:
    """The body with its images sized and, below the fold, lazy (point 3)."""
    body, problems = size_images(body, _image_sizer(app, pagename))
    if problems:
        raise IconError(f"{pagename}: " + "; ".join(problems))
    return body


def write_assets(app) -> IconPackage:
    """After the build, before the pages are finished: the icon stylesheet and font and the
    theme's trimmed stylesheet in _static, the theme's bundle left out. Returns the icons
    the pages' `<i>` become (:func:`inline_icons`, run on each page by _ext/html_fixes.py)."""
    icons = IconPackage(icon_package())
    out = Path(app.outdir)
    (out / "_static" / ICON_CSS).write_text(
        "/* The stylesheet fontawesome.js injects at run time for its SVG icons, as the pinned icon"
        " package (fontawesomefree, requirements.txt) ships it; copied by _ext/page_weight.py. */\n"
        + icons.stylesheet()
        + "\n",
        encoding="utf-8",
    )
    _write_icon_font(out, icons.solid_font())
    theme_css = out / THEME_CSS
    (out / TRIMMED_THEME_CSS).write_text(
        drop_icon_class_rules(theme_css.read_text(encoding="utf-8")), encoding="utf-8"
    )
    # Nothing loads the bundle now; leave it out of the published site.
    for name in ("fontawesome.js", "fontawesome.js.map"):
        (out / "_static" / "scripts" / name).unlink(missing_ok=True)
    return icons


def _write_icon_font(out: Path, source: Path) -> None:
    """The icon package's solid font cut to the glyphs the theme's stylesheets draw
    (admonition, download and link icons), declared after the theme's @font-face so it is
    used instead."""
    static = out / "_static"
    codepoints = set()
    for css in sorted(static.rglob("*.css")):
        if css.name not in {ICON_CSS, ICON_FONT_CSS} and css.name.endswith(".css"):
            codepoints |= css_icon_codepoints(css.read_text(encoding="utf-8"))
    if not source.exists():
        raise IconError(f"the icon package's solid font is not at {source}")
    from fontTools.ttLib import TTFont

    solid = codepoints & set(TTFont(str(source)).getBestCmap())  # brand glyphs stay in theirs
    subset_font(source, solid, static / ICON_FONT)
    (static / ICON_FONT_CSS).write_text(
        "/* Font Awesome Free solid, cut by _ext/page_weight.py to the glyphs the theme's CSS draws"
        " (Icons: CC BY 4.0, Fonts: SIL OFL 1.1). */\n" + font_face_css(SOLID_FAMILY, 900, ICON_FONT, solid),
        encoding="utf-8",
    )


def setup(app):
    """Loaded by _ext/html_fixes.py, which runs this module's steps in its stated order."""
    app.add_css_file(ICON_FONT_CSS)
    app.connect("config-inited", _config_inited)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
