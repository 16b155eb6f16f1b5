"""Use cases: short verbs that drive the aggregates through the ports."""
