"""`make bench`: the benchmark of shopcore under load (not a test)."""
