"""Schema changes go through Alembic; `flask --app web db upgrade` and the tests call this."""
from __future__ import annotations

from alembic import command
from alembic.config import Config

from .config import ROOT
from .db import get_engine


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(ROOT / "migrations"))
    return config


def upgrade_connection(connection, revision: str = "head") -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    command.upgrade(config, revision)


def upgrade(revision: str = "head") -> None:
    with get_engine().begin() as connection:
        upgrade_connection(connection, revision)


def pending_changes() -> list:
    """Differences between the models and the migrated schema (empty when migrations are complete)."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from engine.models import Base
    import workflows.schema  # noqa: F401

    with get_engine().connect() as connection:
        return compare_metadata(MigrationContext.configure(connection), Base.metadata)
