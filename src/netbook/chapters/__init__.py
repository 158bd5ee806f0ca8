"""Companion modules of the chapters: one module per notebook, named after it."""
