"""The Alembic migrations build exactly the schema the models describe."""
from __future__ import annotations


def test_the_migrated_schema_matches_the_models(app):
    from web.core.migrate import pending_changes

    with app.app_context():
        assert pending_changes() == []
