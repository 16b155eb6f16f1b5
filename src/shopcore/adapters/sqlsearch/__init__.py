"""Product search inside the database: SQLite FTS5 and PostgreSQL full text."""
