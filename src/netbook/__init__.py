"""Helpers for the metastatic-NET review book.

The one entry point most readers need is :func:`load_table`::

    from netbook import load_table
    events = load_table("course_of_disease")

It returns a typed DataFrame that passed the table's schema and the provenance
rules, or raises :class:`TableError` naming the file, row, column and rule.
"""

__all__ = [
    "TableError",
    "extracted_values",
    "list_tables",
    "load_all_tables",
    "load_table",
]


def __getattr__(name: str):
    # Imported on first use: the pre-build step (netbook.cache_inputs) runs before
    # every build and needs none of pandas, which netbook.tables imports.
    if name in __all__:
        from netbook import tables

        return getattr(tables, name)
    raise AttributeError(f"module 'netbook' has no attribute {name!r}")
