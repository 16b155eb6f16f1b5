"""Relevance figures: a labelled query set over a generated catalog, scored per engine."""
