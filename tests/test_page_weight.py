"""The pure functions of _ext/page_weight.py (the build step that lightens the pages)."""

from __future__ import annotations

import importlib.util
import json
import re
import sys

import pytest
from docutils.core import publish_doctree

from netbook import paths

_spec = importlib.util.spec_from_file_location("page_weight", paths.ROOT / "_ext" / "page_weight.py")
pw = importlib.util.module_from_spec(_spec)
sys.modules["page_weight"] = pw  # dataclasses look their module up there
_spec.loader.exec_module(pw)

SVG = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} 512"><!--! licence --><path d="{d}"/></svg>'


@pytest.fixture(scope="module")
def package(tmp_path_factory):
    """A folder laid out as the icon package's (fontawesomefree's static folder)."""
    root = tmp_path_factory.mktemp("fontawesomefree")
    files = {
        "svgs/brands/monero.svg": SVG.format(w=496, d="M1 2"),
        "svgs/regular/trash-can.svg": SVG.format(w=448, d="M3 4"),
        "svgs/solid/moon.svg": SVG.format(w=384, d="M5 6"),
        "svgs/solid/magnifying-glass.svg": SVG.format(w=512, d="M7 8"),
        "svgs/solid/broken.svg": '<svg xmlns="http://www.w3.org/2000/svg"><path d="M0 0"/></svg>',
        "css/svg-with-js.min.css": ":host,:root{--fa-font-solid:x}svg:not(:root).svg-inline--fa{overflow:visible}",
        "metadata/icons.json": json.dumps(
            {
                "magnifying-glass": {"aliases": {"names": ["search"]}},
                "trash-can": {"aliases": {"names": ["trash-alt"]}},
                "moon": {},
            }
        ),
    }
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def icons(package):
    return pw.IconPackage(package)


def test_icons_are_read_from_the_package_svg_files_by_style_with_aliases(icons):
    assert icons[("fas", "moon")] == pw.Icon("fas", "moon", 384, 512, "M5 6")
    assert icons[("fas", "search")] == icons[("fas", "magnifying-glass")]
    assert icons[("fas", "search")].name == "magnifying-glass"
    assert icons[("far", "trash-alt")].name == "trash-can"
    assert icons[("fab", "monero")].width == 496
    assert ("fas", "monero") not in icons and ("fab", "moon") not in icons and ("xyz", "moon") not in icons


def test_an_svg_file_not_shaped_as_the_package_ships_them_is_an_error(icons):
    with pytest.raises(pw.IconError, match="broken.svg: not one <svg viewBox>"):
        icons.get(("fas", "broken"))


def test_the_icon_stylesheet_is_the_package_file(icons):
    css = icons.stylesheet()
    assert css.startswith(":host,:root{") and css.endswith("{overflow:visible}")


def test_the_pinned_package_has_the_icons_the_theme_writes():
    icons = pw.IconPackage(pw.icon_package())
    for name in ("magnifying-glass", "search", "chevron-down", "moon", "sun", "bars", "file-pdf"):
        assert icons[("fas", name)].path.startswith("M")
    assert icons.solid_font().exists()


def test_an_icon_becomes_the_svg_fontawesome_writes(icons):
    page = '<button><i class="fa-solid fa-magnifying-glass fa-lg"></i> Search</button>'
    out, problems = pw.inline_icons(page, icons)
    assert not problems
    assert out == (
        '<button><svg class="svg-inline--fa fa-magnifying-glass fa-lg" aria-hidden="true" '
        'focusable="false" data-prefix="fas" data-icon="magnifying-glass" role="img" '
        'xmlns="http://www.w3.org/2000/svg" viewBox="0 0 512 512"><path fill="currentColor" '
        'd="M7 8"></path></svg> Search</button>'
    )


def test_a_titled_icon_keeps_its_attributes_and_is_labelled(icons):
    page = (
        '<i class="theme-switch fa-solid fa-moon   fa-lg" data-mode="dark"  title="Dark"></i>'
        '<span class="fas fa-search"></span>'
    )
    out, problems = pw.inline_icons(page, icons)
    assert not problems
    assert (
        '<svg class="svg-inline--fa fa-moon theme-switch fa-lg" data-mode="dark" '
        'aria-labelledby="netbook-icon-title-1"' in out
    )
    assert '<title id="netbook-icon-title-1">Dark</title>' in out
    # an alias gives the canonical name, as fontawesome.js does
    assert 'class="svg-inline--fa fa-magnifying-glass"' in out and "<span" not in out
    assert pw.icons_used(out) == set()


def test_an_icon_inside_a_labelled_control_is_hidden_not_titled(icons):
    """The control's aria-label names it; a title on its icon would be read as the words it
    shows (label-content-name-mismatch)."""
    page = '<button aria-label="Color mode"><i class="fa-solid fa-moon" title="Dark"></i></button>'
    out, problems = pw.inline_icons(page, icons)
    assert not problems
    assert "<title" not in out and 'aria-hidden="true"' in out and "aria-labelledby" not in out


def test_an_unknown_icon_is_reported_and_left_alone(icons):
    page = '<i class="fa-solid fa-unicorn-xyz"></i><i class="fa-brands fa-moon"></i><i class="note"></i>'
    out, problems = pw.inline_icons(page, icons)
    assert len(problems) == 2 and "fa-unicorn-xyz" in problems[0] and "fab" in problems[1]
    assert out == page
    assert pw.icons_used(out) == {"fa-solid fa-unicorn-xyz", "fa-brands fa-moon"}


def test_css_icon_codepoints_skip_the_icon_class_rules():
    css = (
        '.fa-moon:before{content:"\\f186"}.fa-a::before,.fa-b:after{content:"\\f000"}'
        'html{--pst-icon-bell:"\\f0f3";--x:"\uf104"}'
        ".admonition-title:after{content:var(--pst-icon-bell);font:var(--fa-font-solid)}"
        'p:before{content:"a"}'
    )
    assert pw.css_icon_codepoints(css) == {0xF0F3, 0xF104}


def test_font_face_declares_exactly_the_subset():
    face = pw.font_face_css("Font Awesome 6 Free", 900, "x.woff", {0xF104, 0xF071})
    assert 'font-family:"Font Awesome 6 Free"' in face and "font-weight:900" in face
    assert face.rstrip().endswith("unicode-range:U+F071,U+F104}")


def test_subset_font_keeps_only_the_glyphs_asked_for(tmp_path):
    from fontTools.ttLib import TTFont
    from matplotlib import font_manager

    source = font_manager.findfont("DejaVu Sans")
    target = tmp_path / "subset.woff"
    pw.subset_font(source, {ord("A"), ord("B")}, target)
    cmap = TTFont(str(target)).getBestCmap()
    assert set(cmap) == {ord("A"), ord("B")}
    with pytest.raises(pw.IconError, match="no glyph"):
        pw.subset_font(source, {0xF8FF}, tmp_path / "none.woff")


def test_drop_scripts_removes_each_named_script_once():
    block = (
        '<script src="_static/searchtools.js"></script>\n'
        '<script src="../searchindex.js"></script>\n'
        '<script defer src="_static/scripts/fontawesome.js?digest=1"></script>\n'
        '<script src="_static/doctools.js"></script>'
    )
    out = pw.drop_scripts(block, "_static/scripts/fontawesome.js", "searchindex.js")
    assert "fontawesome" not in out and "searchindex" not in out
    assert "searchtools.js" in out and "doctools.js" in out
    with pytest.raises(ValueError, match="expected one <script> loading language_data.js"):
        pw.drop_scripts(block, "language_data.js")


def test_visible_chars_leave_out_folded_code_and_markup():
    assert pw.visible_chars("<p>ab c</p><details><pre>xxxxxxxx</pre></details>&amp;") == 4


def test_images_get_size_and_lazy_loading_below_the_fold():
    sizes = {"a.png": (800, 600), "b.png": (400, 300)}
    early = "<p>Short intro.</p>"
    late = "<p>" + "word " * 300 + "</p>"
    body = f'{early}<img alt="A" src="../_images/a.png" />{late}<img alt="B" src="b.png">'
    out, problems = pw.size_images(body, lambda src: sizes.get(src.rsplit("/", 1)[-1]))
    assert not problems
    first, second = re.findall(r"<img[^>]*>", out)
    assert 'width="800" height="600"' in first and "loading" not in first
    assert 'width="400" height="300"' in second and 'loading="lazy"' in second


def test_an_image_after_a_screen_of_text_is_lazy_even_if_first():
    body = "<p>" + "x" * pw.FOLD_CHARS + '</p><img alt="A" src="a.png" />'
    out, _ = pw.size_images(body, lambda src: (10, 10))
    assert 'loading="lazy"' in out


def test_an_image_of_unknown_size_is_a_problem():
    out, problems = pw.size_images('<img alt="A" src="gone.png" />', lambda src: None)
    assert problems == ["cannot read the size of image gone.png"]
    out, problems = pw.size_images('<img alt="A" src="a.svg" />', lambda src: (-1, -1))
    assert problems


def test_shorten_cuts_at_a_word():
    assert pw.shorten("  a  b\n c ") == "a b c"
    text = "word " * 100
    short = pw.shorten(text, 30)
    assert len(short) <= 30 and short.endswith("word…")


def _doctree(rst: str):
    return publish_doctree(rst, settings_overrides={"report_level": 5})


def test_description_is_the_first_paragraph_of_running_text():
    doctree = _doctree(".. warning:: Not advice.\n\nTitle\n=====\n\nFirst *real* paragraph.\n\nSecond.\n")
    assert pw.description(doctree, "Title", "Book") == "First real paragraph."


def test_description_falls_back_to_key_points_then_title():
    doctree = _doctree("Title\n=====\n\n.. admonition:: Key points\n\n   - One thing.\n   - Another\n")
    assert pw.description(doctree, "Title", "Book") == "One thing; Another."
    assert pw.description(None, "Search", "Book") == "Search: Book"
    assert pw.description(_doctree("Book\n====\n"), "Book", "Book") == "Book"


def test_icon_class_rules_are_dropped_and_the_rest_kept():
    css = (
        '.a{color:red}.fa-moon:before{content:"\\f186"}.fa-x::after,.fa-y:before{content:"x"}'
        '.fa-lg{font-size:1.25em}.fa-moon:before,.other:before{content:"\\f186"}'
    )
    assert pw.drop_icon_class_rules(css) == (
        '.a{color:red}.fa-lg{font-size:1.25em}.fa-moon:before,.other:before{content:"\\f186"}'
    )


def test_swap_stylesheet_keeps_the_relative_prefix():
    block = (
        '<link href="../_static/styles/theme.css?digest=1" rel="stylesheet" />'
        '<link href="../_static/styles/pydata-sphinx-theme.css?digest=1" rel="stylesheet" />'
    )
    out = pw.swap_stylesheet(block, "_static/styles/pydata-sphinx-theme.css", "../_static/styles/new.css")
    assert out == (
        '<link href="../_static/styles/theme.css?digest=1" rel="stylesheet" />'
        '<link href="../_static/styles/new.css" rel="stylesheet" />'
    )
    with pytest.raises(ValueError, match="expected one stylesheet"):
        pw.swap_stylesheet(block, "_static/styles/missing.css", "x.css")


def test_assets_of_unused_extensions_are_found_from_the_body():
    assert pw.unused_assets('<p class="x">text</p>') == {
        "sphinx-design.min.css",
        "design-tabs.js",
        "togglebutton.css",
        "togglebutton.js",
    }
    assert pw.unused_assets('<div class="sd-card">') == {"togglebutton.css", "togglebutton.js"}
    assert pw.unused_assets('<div class="admonition dropdown">') == {
        "sphinx-design.min.css",
        "design-tabs.js",
    }
    assert pw.unused_assets('<div class="toggle">') == {"sphinx-design.min.css", "design-tabs.js"}
    # a word inside a longer class name is not the class
    assert "togglebutton.js" in pw.unused_assets('<div class="sidebar-toggle">')


def test_scripts_are_deferred_except_inline_and_blocking_ones():
    from sphinx.builders.html._assets import _JavaScript

    plain = pw.deferred(_JavaScript("_static/doctools.js?v=1", priority=200))
    assert plain.attributes == {"defer": "defer"} and plain.priority == 200
    assert plain.filename == "_static/doctools.js?v=1"
    for kept in (
        _JavaScript("_static/documentation_options.js", priority=1),
        _JavaScript(None, body="let x = 1;"),
        _JavaScript("a.js", **{"async": "async"}),
        _JavaScript("c.js", type="text/x-thebe-config"),
    ):
        assert pw.deferred(kept) is kept
