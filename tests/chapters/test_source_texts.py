def test_every_csv_link_of_the_reading_view_names_a_file_of_the_package():
    """The reading view links each quoting table's CSV where the package keeps it
    (tables/, derived/ or editorial/): a link to a missing file fails here, without a browser."""
    import re

    from netbook import paths

    stored = (paths.CHAPTERS / "source_texts.ipynb").read_text(encoding="utf-8")
    links = set(re.findall(r'href=\\"\.\./([\w/]+\.csv)\\"', stored))
    assert any(link.startswith("derived/") for link in links), "derived tables are quoted too"
    missing = sorted(link for link in links if not (paths.DATA / link).exists())
    assert not missing, f"links to CSV files the package does not have: {missing}"
