"""Alembic environment: online only, batch mode so SQLite ALTERs work, the engine passed in by haven.db.migrate."""

from alembic import context

from haven.db.schema import metadata

config = context.config
engine = config.attributes["engine"]

with engine.connect() as connection:
    context.configure(connection=connection, target_metadata=metadata(), render_as_batch=True, compare_type=True)
    with context.begin_transaction():
        context.run_migrations()
