"""Alembic environment: runs on the connection the app hands over, or on DATABASE_URL."""
import os

from alembic import context
from sqlalchemy import create_engine

from engine.models import Base
import workflows.schema  # noqa: F401  (the domain's tables)

target_metadata = Base.metadata


def run_on(connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata,
                      render_as_batch=connection.dialect.name == "sqlite")
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is not None:
    run_on(connection)
else:
    with create_engine(os.environ["DATABASE_URL"]).begin() as own_connection:
        run_on(own_connection)
