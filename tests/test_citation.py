"""CITATION.cff is valid Citation File Format 1.2.0 and agrees with the book."""

import json

import jsonschema
import yaml

from netbook import paths

SCHEMA = paths.ROOT / "tests" / "schemas" / "citation-file-format-1.2.0.schema.json"


def load_cff() -> dict:
    return yaml.safe_load((paths.ROOT / "CITATION.cff").read_text(encoding="utf-8"))


def test_citation_file_is_valid_cff():
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft7Validator(schema, format_checker=jsonschema.FormatChecker()).validate(load_cff())


def test_schema_rejects_a_broken_citation():
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    broken = load_cff() | {"cff-version": "1.2.0"}
    del broken["authors"]
    assert list(jsonschema.Draft7Validator(schema).iter_errors(broken)), (
        "schema accepted a CFF without authors"
    )


def test_title_matches_the_book():
    config = yaml.safe_load((paths.ROOT / "_config.yml").read_text(encoding="utf-8"))
    assert load_cff()["title"] == config["title"]
