"""Alembic's environment for missionflow: runs on the connection the store hands over."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from missionflow.store.database import VERSION_TABLE, include_name
from missionflow.store.models import Base


def run_migrations(connection: Connection) -> None:
    """Apply the requested migrations inside the caller's transaction."""
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        version_table=VERSION_TABLE,
        include_name=include_name,
        compare_type=True,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


def main() -> None:
    """Run on the connection that ``Store.migrate`` put in the configuration."""
    connection = context.config.attributes.get("connection")
    if not isinstance(connection, Connection):
        raise RuntimeError("missionflow runs its migrations through Store.migrate(), not the alembic command")
    run_migrations(connection)


# Alembic's proxies exist only while it runs this file; importing it elsewhere does nothing.
if hasattr(context, "config"):
    main()
