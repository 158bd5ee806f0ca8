"""netbook.texts: a source's text by source_id, its figure legends, sentences and the
sentences citing a reference."""

from __future__ import annotations

import pytest

from netbook import paths
from netbook.dates import printed_months
from netbook.provenance import normalise_whitespace
from netbook.texts import citing_sentences, figure_legend, sentences, source_text


def test_source_text_is_the_file_the_sources_table_names(sources):
    for row in sources.itertuples():
        assert source_text(sources, row.source_id) == (paths.SOURCES / row.file).read_text(encoding="utf-8")


@pytest.mark.parametrize("source_id", ["nowhere2020", "", "OZDIRIK2020"])
def test_source_text_refuses_an_unknown_source(sources, source_id):
    with pytest.raises(KeyError, match="no single source"):
        source_text(sources, source_id)


def test_source_text_refuses_an_ambiguous_source(sources):
    doubled = sources.iloc[[0, 0]]
    with pytest.raises(KeyError, match="no single source"):
        source_text(doubled, sources["source_id"].iloc[0])


def test_figure_legend_and_its_months(texts):
    legend = figure_legend(texts[0], 3)
    assert legend.startswith("Figure 3. Hepatic metastases") and legend.endswith("CT = computed tomography.")
    assert [str(p) for p in printed_months(legend)] == ["2017-05", "2018-09", "2019-03"]
    # the raw extraction wraps the same legend over lines: same months
    assert printed_months(figure_legend(texts[1], 3)) == printed_months(legend)
    with pytest.raises(KeyError):
        figure_legend(texts[0], 9)


def test_sentences_keep_abbreviations_and_headings_apart():
    text = 'Heading\n\nA first one, e.g. this. Second vs. third? Yes.^[2] "Quoted" next.\nSame  paragraph.'
    assert sentences(text) == [
        "Heading",
        "A first one, e.g. this.",
        "Second vs. third?",
        "Yes.^[2]",
        '"Quoted" next.',
        "Same paragraph.",
    ]


def test_citing_sentences():
    text = (
        "Intro sentence.^[1] As Smith et al. showed, it works,^[2,5] and more.^[3-4] "
        "Nothing here. Another e.g. case.^[4]\n\nHeading\n\nLast one.^[5]\n\nReferences\n- [1] A. X."
    )
    assert citing_sentences(text, 4, stop_at="References") == [
        "As Smith et al. showed, it works,^[2,5] and more.^[3-4]",
        "Another e.g. case.^[4]",
    ]
    assert citing_sentences(text, 5) == [
        "As Smith et al. showed, it works,^[2,5] and more.^[3-4]",
        "Last one.^[5]",
    ]
    assert citing_sentences(text, 9) == []


@pytest.mark.parametrize(
    "source_id, numbers, stop",
    [
        ("ozdirik2020", (14, 16, 27), "References"),
        ("lasalvia2016", (16, 64, 65), "REFERENCES"),
    ],
)
def test_citing_sentences_are_verbatim_in_the_sources(text_of, source_id, numbers, stop):
    text = text_of(source_id)
    flat = normalise_whitespace(text)
    for number in numbers:
        found = citing_sentences(text, number, stop_at=stop)
        assert found, (source_id, number)
        for sentence in found:
            assert sentence in flat


@pytest.mark.parametrize("source_id", ["ozdirik2020", "lasalvia2016", "zilembo1993", "markey_ici_abstract"])
def test_one_sentence_splitter_for_the_texts_and_the_reading_view(source_id):
    """texts.sentences is the splitter the reading view's anchors rest on: on a source's
    body it gives exactly the sentences netbook.coverage locates and anchors."""
    from netbook import coverage, paths

    raw = (paths.SOURCES / coverage.source_files()[source_id]).read_text(encoding="utf-8")
    assert sentences(coverage.body(raw, source_id)) == [s.text for s in coverage.sentences(source_id)]
