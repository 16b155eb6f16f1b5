"""`shopcore search-index --rebuild|--check`: the search index against the catalog."""

from __future__ import annotations

import sys
from collections.abc import Sequence

import click

from shopcore.entrypoints.cli.context import shop, stored_settings
from shopcore.library import App

SHOWN = 20


def rebuild_index(app: App) -> int:
    """Rebuild from the database with a progress bar on stderr; the number indexed."""
    with click.progressbar(length=app.count_products(), label="indexing",
                           file=sys.stderr) as bar:
        return app.rebuild_search_index(progress=bar.update)


def _listed(ids: Sequence[int]) -> str:
    shown = list(ids[:SHOWN])
    more = len(ids) - len(shown)
    return ", ".join(map(str, shown)) + (f" and {more} more" if more > 0 else "")


@click.command("search-index")
@click.option("--rebuild", is_flag=True, help="Replace the index with the catalog.")
@click.option("--check", is_flag=True,
              help="Report products missing, stale or extra in the index; exit 1 if any.")
def search_index(rebuild: bool, check: bool) -> None:
    """Rebuild the product search index from the database, or check it for drift."""
    if rebuild == check:
        raise click.UsageError("pass exactly one of --rebuild and --check")
    settings = stored_settings("index")
    with shop(settings) as app:
        engine = app.product_search.name
        if rebuild:
            indexed = rebuild_index(app)
            click.echo(f"indexed {indexed} product(s) with the {engine} engine")
            return
        drift = app.check_search_index()
    for label, ids in (("missing", drift.missing), ("stale", drift.stale),
                       ("extra", drift.extra)):
        click.echo(f"{label + ':':9}{len(ids)}" + (f"  ({_listed(ids)})" if ids else ""))
    if not drift.clean:
        click.echo(f"the {engine} index has drifted: run `shopcore search-index --rebuild`",
                   err=True)
        raise SystemExit(1)
    click.echo(f"the {engine} index matches the catalog")
