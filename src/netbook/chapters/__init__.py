"""Chapter-specific logic: one module per notebook (module name = notebook name)."""
