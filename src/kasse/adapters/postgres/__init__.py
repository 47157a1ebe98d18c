"""PostgreSQL store: the shared SQL repositories over psycopg 3, for N server processes."""
