"""In-process adapters of the embedded default."""
