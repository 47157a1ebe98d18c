"""SQL storage shared by the SQLite and PostgreSQL adapters: schema, migrations and queries."""
