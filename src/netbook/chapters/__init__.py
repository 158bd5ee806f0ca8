"""One companion module per chapter notebook, named after it: what that chapter needs
and a reader need not see (parsers of one paper's layout, long figure code)."""
