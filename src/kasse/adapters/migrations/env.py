"""Alembic environment: kasse passes its own connection; it never reads a URL from a file."""

from alembic import context

from kasse.adapters.sql.tables import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
