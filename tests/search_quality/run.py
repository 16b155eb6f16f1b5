"""Print MRR and recall@10 of every engine this checkout can build: `make search-quality`.

Usage: python -m tests.search_quality.run [ENGINE ...]   (default: every engine)
"""

from __future__ import annotations

import sys
from collections import defaultdict

from tests.search_quality.catalog import generate
from tests.search_quality.engines import ENGINES
from tests.search_quality.metrics import Figures, LabelledQuery, figures, load_queries

GOAL_MRR, GOAL_RECALL, FLOOR_MRR = 0.90, 0.95, 0.80


def by_kind(queries: list[LabelledQuery]) -> dict[str, list[LabelledQuery]]:
    kinds: dict[str, list[LabelledQuery]] = defaultdict(list)
    for query in queries:
        kinds[query.kind].append(query)
    return kinds


def line(label: str, found: Figures) -> str:
    return f"  {label:<14} MRR {found.mrr:.3f}   recall@10 {found.recall:.3f}   ({found.queries})"


def main(names: list[str]) -> int:
    queries, items = load_queries(), generate()
    print(f"{len(queries)} labelled queries over {len(items)} generated products")
    below = []
    for name in names or list(ENGINES):
        try:
            with ENGINES[name](items) as (engine, loaded):
                names_by_id = {p.id: p.name for p in loaded.products if p.id is not None}
                total = figures(engine, queries, names_by_id, loaded.category_ids)
                print(f"{name}:")
                print(line("all", total))
                for kind, some in by_kind(queries).items():
                    print(line(kind, figures(engine, some, names_by_id, loaded.category_ids)))
        except (ImportError, LookupError, OSError) as exc:
            print(f"{name}: skipped ({type(exc).__name__}: {exc})")
            continue
        except Exception as exc:  # a service that is not there: say so and go on
            print(f"{name}: skipped ({type(exc).__name__}: {str(exc).splitlines()[0]})")
            continue
        if total.mrr < FLOOR_MRR:
            below.append(name)
    print(f"goal: MRR >= {GOAL_MRR}, recall@10 >= {GOAL_RECALL} (SQLite, PostgreSQL); "
          f"every engine MRR >= {FLOOR_MRR}")
    if below:
        print(f"below the floor: {', '.join(below)}")
    return 1 if below else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
