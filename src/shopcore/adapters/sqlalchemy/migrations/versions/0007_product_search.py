"""product search: FTS5 with triggers on SQLite; a weighted tsvector and trigrams on PostgreSQL

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 09:00:00
"""

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# External content: the index reads products' rows, and the triggers keep it in step inside
# the writing transaction, so no event is needed for it to be fresh. A later migration that
# rebuilds products in batch mode on SQLite drops these triggers with the old table: it has to
# create them again and run 'rebuild'.
SQLITE_UP = [
    "CREATE VIRTUAL TABLE products_fts USING fts5(name, description, content='products',"
    " content_rowid='id', tokenize='unicode61 remove_diacritics 2', prefix='3')",
    "CREATE VIRTUAL TABLE products_fts_terms USING fts5vocab(products_fts, 'row')",
    "CREATE VIRTUAL TABLE products_fts_instances USING fts5vocab(products_fts, 'instance')",
    "CREATE TRIGGER products_fts_after_insert AFTER INSERT ON products BEGIN"
    " INSERT INTO products_fts(rowid, name, description)"
    " VALUES (new.id, new.name, new.description); END",
    "CREATE TRIGGER products_fts_after_delete AFTER DELETE ON products BEGIN"
    " INSERT INTO products_fts(products_fts, rowid, name, description)"
    " VALUES ('delete', old.id, old.name, old.description); END",
    "CREATE TRIGGER products_fts_after_update AFTER UPDATE OF name, description ON products"
    " BEGIN INSERT INTO products_fts(products_fts, rowid, name, description)"
    " VALUES ('delete', old.id, old.name, old.description);"
    " INSERT INTO products_fts(rowid, name, description)"
    " VALUES (new.id, new.name, new.description); END",
    "INSERT INTO products_fts(products_fts) VALUES ('rebuild')",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS products_fts_after_update",
    "DROP TRIGGER IF EXISTS products_fts_after_delete",
    "DROP TRIGGER IF EXISTS products_fts_after_insert",
    "DROP TABLE IF EXISTS products_fts_instances",
    "DROP TABLE IF EXISTS products_fts_terms",
    "DROP TABLE IF EXISTS products_fts",
]
# unaccent() is only STABLE; a generated column and an index need an IMMUTABLE fold. The GIN
# indexes take no pending list (fastupdate): a bulk insert is searched through the index at
# once, instead of by a sequential scan until autovacuum merges the list.
POSTGRES_UP = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE FUNCTION shopcore_fold(text) RETURNS text LANGUAGE sql IMMUTABLE STRICT"
    " PARALLEL SAFE AS $$ SELECT lower(public.unaccent('public.unaccent'::regdictionary, $1))"
    " $$",
    "ALTER TABLE products ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ("
    "setweight(to_tsvector('simple'::regconfig, shopcore_fold(name)), 'A') ||"
    " setweight(to_tsvector('simple'::regconfig, shopcore_fold(description)), 'B')) STORED",
    "CREATE INDEX ix_products_search_vector ON products USING gin (search_vector)"
    " WITH (fastupdate = off)",
    "CREATE INDEX ix_products_name_trgm ON products USING gin (shopcore_fold(name)"
    " gin_trgm_ops) WITH (fastupdate = off)",
]
# The extensions stay: other schemas in the same database may use them.
POSTGRES_DOWN = [
    "DROP INDEX IF EXISTS ix_products_name_trgm",
    "DROP INDEX IF EXISTS ix_products_search_vector",
    "ALTER TABLE products DROP COLUMN IF EXISTS search_vector",
    "DROP FUNCTION IF EXISTS shopcore_fold(text)",
]


def _run(statements: dict[str, list[str]]) -> None:
    for statement in statements.get(op.get_bind().dialect.name, []):
        op.execute(statement)


def upgrade() -> None:
    _run({"sqlite": SQLITE_UP, "postgresql": POSTGRES_UP})


def downgrade() -> None:
    _run({"sqlite": SQLITE_DOWN, "postgresql": POSTGRES_DOWN})
