"""Lighter pages: what a reader's browser downloads on first load, cut to what it uses.

Measured on the theme's defaults (issue 14), every page loaded 2.4-2.8 MB; 1.49 MB of it was
`_static/scripts/fontawesome.js`, the whole Font Awesome icon set as SVG-in-JS, for the
fifteen-odd icons the theme's buttons show. This extension, through Sphinx's and the
theme's supported hooks (a template block override and build events; no installed file
is edited):

1. Icons. The theme's `fontawesome.js` is not loaded. Each `<i class="fa-solid fa-...">`
   the theme writes becomes, at build time, the inline `<svg>` that fontawesome.js would
   have put in its place at run time (same classes, attributes and markup), its path read
   from the theme's own bundle. The bundle's stylesheet for those SVGs (which it injected
   at run time, before the theme's CSS) becomes `_static/netbook-icons.css`, linked at
   the same place. An icon the bundle does not have stops the build. The theme's CSS also
   draws a few glyphs of the icon font (admonition, download, external-link icons): those
   come from a cut of its solid font (`netbook-fa-solid-subset.woff`, 2 KB instead of
   156 KB), declared after the theme's @font-face for exactly those code points. The
   theme's stylesheet is served as a copy without its 1,881 `.fa-NAME:before` glyph rules
   (86 KB), which only served `<i>` icons.
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

The pure functions below are tested in tests/test_page_weight.py; the built pages in
tests/test_built_book.py and tests/test_browser.py (byte budget, icons, search).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path

from docutils import nodes
from markupsafe import Markup
from written_pages import written_pages

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
_PACK = re.compile(r'var (\w+)=\{(?=(?:"[^"]+"|[\w$]+):\[\d+,\d+,\[)')
_DEFINE = re.compile(r'\bd\("(fas|far|fab)",(\w+)\)')
_ENTRY = re.compile(r'(?:"([^"]+)"|([\w$]+)):\[(\d+),(\d+),\[([^\]]*)\],"([0-9a-f]+)","([^"\\]*)"\]')
_CSS_ANCHOR = "svg:not(:root).svg-inline--fa"
# fontawesome.js replaces any element with a style class; the theme writes <i> and <span>
_ICON_TAG = re.compile(r"<(i|span)\s+([^<>]*?)\s*>\s*</\1>", re.S)
_ATTR = re.compile(r'([\w:-]+)\s*=\s*"([^"]*)"')


@dataclass(frozen=True)
class Icon:
    prefix: str
    name: str  # canonical name, as fontawesome.js writes it in class and data-icon
    width: int
    height: int
    path: str


class IconError(Exception):
    pass


def parse_icon_packs(bundle: str) -> dict[tuple[str, str], Icon]:
    """Every icon of the bundle by (prefix, name), aliases included.

    The bundle defines each style as `var p={name:[width,height,[aliases],"unicode","path"],...}`
    and registers it with `d("fas",p)`; the pack is the text between its `var` and that call.
    """
    icons: dict[tuple[str, str], Icon] = {}
    starts = [(m.start(), m.group(1)) for m in _PACK.finditer(bundle)]
    for define in _DEFINE.finditer(bundle):
        prefix, var = define.groups()
        start = max((s for s, v in starts if v == var and s < define.start()), default=None)
        if start is None:
            raise IconError(f'icon bundle: no `var {var}={{` before d("{prefix}",{var})')
        for m in _ENTRY.finditer(bundle, start, define.start()):
            name = m.group(1) or m.group(2)
            icon = Icon(prefix, name, int(m.group(3)), int(m.group(4)), m.group(7))
            icons[(prefix, name)] = icon
            for alias in re.findall(r'"([^"]+)"', m.group(5)):
                icons.setdefault((prefix, alias), icon)
    if not icons:
        raise IconError("icon bundle: no icon definitions found (has the theme's bundle changed?)")
    return icons


def extract_icon_css(bundle: str) -> str:
    """The stylesheet fontawesome.js injects at run time, a single-quoted literal in the bundle."""
    at = bundle.find(_CSS_ANCHOR)
    if at < 0:
        raise IconError(f"icon bundle: no stylesheet containing {_CSS_ANCHOR!r}")
    start, end = bundle.rfind("'", 0, at), bundle.find("'", at)
    css = bundle[start + 1 : end]
    if "\\" in css or not css.startswith(":"):
        raise IconError("icon bundle: the stylesheet literal is not where it was expected")
    return css


def icon_svg(attributes: dict[str, str], icons: dict[tuple[str, str], Icon], title_id: str) -> str:
    """The `<svg>` fontawesome.js puts in place of `<i ...attributes>` (FA 6 markup)."""
    classes = attributes.get("class", "").split()
    prefixes = [PREFIXES[c] for c in classes if c in PREFIXES]
    if not prefixes:
        raise IconError(f'<i class="{" ".join(classes)}">: no Font Awesome style class')
    prefix = prefixes[0]
    candidates = [c[3:] for c in classes if c.startswith("fa-") and (prefix, c[3:]) in icons]
    if not candidates:
        raise IconError(f'<i class="{" ".join(classes)}">: no icon of style {prefix} in the bundle')
    icon = icons[(prefix, candidates[0])]
    rest = [c for c in classes if c not in PREFIXES and c != f"fa-{candidates[0]}"]
    out = [f'class="{" ".join(["svg-inline--fa", f"fa-{icon.name}", *rest])}"']
    out += [f'{k}="{v}"' for k, v in attributes.items() if k not in {"class", "title"}]
    title = attributes.get("title")
    if title:
        out.append(f'aria-labelledby="{title_id}"')
    elif "aria-hidden" not in attributes:
        out += ['aria-hidden="true"', 'focusable="false"']
    out += [
        f'data-prefix="{icon.prefix}"',
        f'data-icon="{icon.name}"',
        'role="img"',
        'xmlns="http://www.w3.org/2000/svg"',
        f'viewBox="0 0 {icon.width} {icon.height}"',
    ]
    inner = f'<title id="{title_id}">{title}</title>' if title else ""
    return f'<svg {" ".join(out)}>{inner}<path fill="currentColor" d="{icon.path}"></path></svg>'


def is_icon_tag(attributes: dict[str, str]) -> bool:
    classes = attributes.get("class", "").split()
    return any(c in PREFIXES for c in classes) and any(c.startswith("fa-") for c in classes)


def inline_icons(page: str, icons: dict[tuple[str, str], Icon]) -> tuple[str, list[str]]:
    """(page with every Font Awesome `<i>` replaced by its `<svg>`, problems found)."""
    problems: list[str] = []
    count = 0

    def replace(m: re.Match) -> str:
        nonlocal count
        attributes = dict(_ATTR.findall(m.group(2)))
        if not is_icon_tag(attributes):
            return m.group(0)
        count += 1
        try:
            return icon_svg(attributes, icons, f"netbook-icon-title-{count}")
        except IconError as err:
            problems.append(str(err))
            return m.group(0)

    return _ICON_TAG.sub(replace, page), problems


def icons_used(page: str) -> set[str]:
    """Font Awesome `<i>`/`<span>` elements left in a page, as their class attribute."""
    return {
        normalise_whitespace(a.get("class", ""))
        for m in _ICON_TAG.finditer(page)
        if is_icon_tag(a := dict(_ATTR.findall(m.group(2))))
    }


# ---------------------------------------------------------------- icons drawn by CSS

_RULE = re.compile(r"([^{}]+)\{([^{}]*)\}")
_CSS_ESCAPE = re.compile(r"\\([0-9a-fA-F]{1,6})\s?")
_ICON_CLASS_RULE = re.compile(r"\.fa-[\w-]+::?(?:before|after)")


def css_icon_codepoints(css: str) -> set[int]:
    """Private-use code points (Font Awesome glyphs) a stylesheet draws with `content:`,
    directly or through custom properties, outside the `.fa-NAME:before` class rules (those
    serve `<i class="fa-NAME">` icons, which the pages no longer have)."""
    found: set[int] = set()
    for m in _RULE.finditer(css):
        selectors, declarations = m.groups()
        if all(_ICON_CLASS_RULE.fullmatch(s.strip()) for s in selectors.split(",")):
            continue
        text = _CSS_ESCAPE.sub(lambda e: chr(int(e.group(1), 16)), declarations)
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
    """The stylesheet without its `.fa-NAME:before{content:...}` rules: they give a glyph to
    elements with an icon class, and the pages have none left (each is an inline SVG)."""
    return _RULE.sub(
        lambda m: (
            "" if all(_ICON_CLASS_RULE.fullmatch(s.strip()) for s in m.group(1).split(",")) else m.group(0)
        ),
        css,
    )


# ---------------------------------------------------------------- assets per page

# Loaded by extensions on every page, used only by pages with their markup in the body.
OPTIONAL_ASSETS = {
    "sphinx-design": (("sphinx-design.min.css", "design-tabs.js"), re.compile(r'class="[^"]*\bsd-')),
    "togglebutton": (
        ("togglebutton.css", "togglebutton.js"),
        re.compile(r'class="(?:[^"]*\s)?(?:toggle|dropdown)(?:\s[^"]*)?"'),
    ),
}
# Inline scripts may use it while the page is parsed, so it stays a blocking script.
KEEP_BLOCKING = ("documentation_options.js",)


def unused_assets(body: str) -> set[str]:
    """File names of OPTIONAL_ASSETS the page body has no markup for."""
    return {name for files, used in OPTIONAL_ASSETS.values() if not used.search(body) for name in files}


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


def swap_stylesheet(block: str, source: str, replacement: str) -> Markup:
    """`block` with the one `<link rel="stylesheet">` loading `source` loading `replacement`."""
    tag = re.compile(r'(<link\b[^>]*\bhref=")(?:[^"]*/)?' + re.escape(source) + r'(?:\?[^"]*)?"')
    found = tag.findall(block)
    if len(found) != 1:
        raise ValueError(f"expected one stylesheet {source} in the theme's template, found {len(found)}")
    return Markup(tag.sub(lambda m: m.group(1) + replacement + '"', block))


def drop_scripts(block: str, *sources: str) -> Markup:
    """`block` (rendered template HTML) without the `<script src=...>` tags loading `sources`.

    Each source must be there exactly once: a theme that changes how it loads its assets
    stops the build instead of silently loading them again.
    """
    for source in sources:
        tag = re.compile(
            r'\s*<script\b[^>]*\bsrc="(?:[^"]*/)?' + re.escape(source) + r'(?:\?[^"]*)?"[^>]*>\s*</script>'
        )
        found = tag.findall(block)
        if len(found) != 1:
            raise ValueError(
                f"expected one <script> loading {source} in the theme's template, found {len(found)}"
            )
        block = tag.sub("", block)
    return Markup(block)


# ---------------------------------------------------------------- images

_IMG = re.compile(r"<img\s[^>]*?/?>", re.S)
_TAG = re.compile(r"<[^>]*>")
_HIDDEN = re.compile(r"<details\b.*?</details>|<script\b.*?</script>|<style\b.*?</style>", re.S)


def visible_chars(fragment: str) -> int:
    """Characters of text a reader sees in an HTML fragment (folded code and scripts left out)."""
    text = _TAG.sub(" ", _HIDDEN.sub(" ", fragment))
    return len(re.sub(r"\s+", "", html.unescape(text)))


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
    parts: list[str] = []
    last = 0
    for index, m in enumerate(_IMG.finditer(body)):
        tag = m.group(0)
        attributes = dict(_ATTR.findall(tag))
        src = attributes.get("src", "")
        extra = []
        if "width" not in attributes and "height" not in attributes:
            size = size_of(src)
            if not size or size[0] <= 0 or size[1] <= 0:
                problems.append(f"cannot read the size of image {src}")
            else:
                extra.append(f'width="{size[0]}" height="{size[1]}"')
        if "loading" not in attributes and is_below_the_fold(body, m.start(), index):
            extra.append('loading="lazy"')
        if extra:
            tag = re.sub(r"\s*/?>$", "", tag) + " " + " ".join(extra) + " />"
        parts += [body[last : m.start()], tag]
        last = m.end()
    parts.append(body[last:])
    return "".join(parts), problems


# ---------------------------------------------------------------- meta description


def shorten(text: str, limit: int = DESCRIPTION_LIMIT) -> str:
    """Whitespace collapsed; cut at a word boundary with an ellipsis if over `limit`."""
    text = re.sub(r"\s+", " ", text).strip()
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
                return "; ".join(re.sub(r"\s+", " ", i).strip().rstrip(".;") for i in items) + "."
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
    title = re.sub(r"<[^>]*>", "", html.unescape(title or "")).strip()
    return shorten(f"{title}: {book_title}" if title and title != book_title else book_title)


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


def _theme_bundle(app) -> Path:
    for directory in app.builder.theme.get_theme_dirs():
        candidate = Path(directory) / "static" / "scripts" / "fontawesome.js"
        if candidate.exists():
            return candidate
    raise IconError("the theme ships no static/scripts/fontawesome.js to take the icons from")


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


def _page_context(app, pagename, templatename, context, doctree):
    if app.builder.format != "html":
        return
    context["netbook_drop_scripts"] = drop_scripts
    context["netbook_icon_css"] = ICON_CSS
    context["netbook_search_scripts"] = SEARCH_SCRIPTS
    context["netbook_theme_icon_script"] = THEME_ICON_SCRIPT
    context["netbook_search_prefetch"] = Markup(SEARCH_PREFETCH)
    context["netbook_swap_stylesheet"] = swap_stylesheet
    context["netbook_theme_css"] = (THEME_CSS, TRIMMED_THEME_CSS)
    unused = unused_assets(context.get("body", "")) if "body" in context else set()
    if "css_files" in context:
        context["css_files"] = [a for a in context["css_files"] if asset_name(a) not in unused]
    if "script_files" in context:
        scripts = [a for a in context["script_files"] if asset_name(a) not in unused]
        # the search page runs searchtools.js while parsing, which needs doctools.js
        context["script_files"] = scripts if pagename == "search" else [deferred(a) for a in scripts]
    text = description(
        doctree, context.get("title", ""), context.get("docstitle") or app.config.html_title or ""
    )
    tag = f'<meta name="description" content="{html.escape(text, quote=True)}">\n'
    context["metatags"] = context.get("metatags", "") + tag
    if "body" in context:
        body, problems = size_images(context["body"], _image_sizer(app, pagename))
        if problems:
            raise IconError(f"{pagename}: " + "; ".join(problems))
        context["body"] = body


def _build_finished(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    bundle_path = _theme_bundle(app)
    bundle = bundle_path.read_text(encoding="utf-8")
    icons = parse_icon_packs(bundle)
    licence = bundle_path.parent / "fontawesome.js.LICENSE.txt"
    header = licence.read_text(encoding="utf-8") if licence.exists() else ""
    out = Path(app.outdir)
    (out / "_static" / ICON_CSS).write_text(
        header + "/* The stylesheet the theme's fontawesome.js injects at run time, taken from it at"
        " build time by _ext/page_weight.py. */\n" + extract_icon_css(bundle) + "\n",
        encoding="utf-8",
    )
    _write_icon_font(out)
    theme_css = out / THEME_CSS
    trimmed = drop_icon_class_rules(theme_css.read_text(encoding="utf-8"))
    trimmed = re.sub(r"/\*# sourceMappingURL=[^*]*\*/\s*$", "", trimmed)  # the map is the original's
    (out / TRIMMED_THEME_CSS).write_text(trimmed, encoding="utf-8")
    problems = []
    for page in written_pages(app):
        text = page.read_text(encoding="utf-8")
        new, found = inline_icons(text, icons)
        problems += [f"{page.relative_to(out)}: {p}" for p in found]
        if new != text:
            page.write_text(new, encoding="utf-8")
    if problems:
        raise IconError("icons not in the theme's bundle:\n" + "\n".join(problems))
    # Nothing loads the bundle now; leave it out of the published site.
    for name in ("fontawesome.js", "fontawesome.js.map"):
        (out / "_static" / "scripts" / name).unlink(missing_ok=True)


def _write_icon_font(out: Path) -> None:
    """The theme's solid icon font cut to the glyphs its stylesheets draw (admonition,
    download and link icons), declared after the theme's @font-face so it is used instead."""
    static = out / "_static"
    codepoints = set()
    for css in sorted(static.rglob("*.css")):
        if css.name not in {ICON_CSS, ICON_FONT_CSS}:
            codepoints |= css_icon_codepoints(css.read_text(encoding="utf-8"))
    source = static / "vendor" / "fontawesome" / "webfonts" / "fa-solid-900.ttf"
    if not source.exists():
        raise IconError(f"the theme's solid icon font is not at {source}")
    from fontTools.ttLib import TTFont

    solid = codepoints & set(TTFont(str(source)).getBestCmap())  # brand glyphs stay in theirs
    subset_font(source, solid, static / ICON_FONT)
    (static / ICON_FONT_CSS).write_text(
        "/* Font Awesome Free solid, cut by _ext/page_weight.py to the glyphs the theme's CSS draws"
        " (Icons: CC BY 4.0, Fonts: SIL OFL 1.1). */\n" + font_face_css(SOLID_FAMILY, 900, ICON_FONT, solid),
        encoding="utf-8",
    )


def setup(app):
    app.setup_extension("written_pages")
    app.add_css_file(ICON_FONT_CSS)
    app.connect("config-inited", _config_inited)
    app.connect("html-page-context", _page_context)
    app.connect("build-finished", _build_finished)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
