"""Deciding which articles are new, updated, or copies of another, and writing them so."""
