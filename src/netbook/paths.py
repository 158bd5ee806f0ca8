"""Where things live. Every other module and chapter takes its paths from here."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data"
DATAPACKAGE = DATA / "datapackage.json"
SOURCES = DATA / "sources"
TABLES = DATA / "tables"  # hand-made extractions
DERIVED = DATA / "derived"  # made by code from the source texts (make data)
EDITORIAL = DATA / "editorial"  # the book's judgements, each with a rationale
CHAPTERS = ROOT / "chapters"
BUILD_HTML = ROOT / "_build" / "html"
JUPYTER_CACHE = ROOT / "_build" / ".jupyter_cache"
