"""Alembic environment of the ledger's migrations: runs on the connection Placet hands over."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from placet.stores.sql_schema import metadata

config = context.config
connection = config.attributes.get("connection")
if connection is None:
    # Run from the `alembic` command with `sqlalchemy.url` set: Placet itself always passes
    # a connection (`placet.stores.migrate.upgrade_database`).
    engine = create_engine(config.get_main_option("sqlalchemy.url") or "sqlite:///placet.db")
    with engine.begin() as own_connection:
        context.configure(connection=own_connection, target_metadata=metadata)
        with context.begin_transaction():
            context.run_migrations()
else:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()
