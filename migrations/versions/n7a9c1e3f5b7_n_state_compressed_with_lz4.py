"""N: on PostgreSQL, an instance's state is compressed with LZ4 instead of pglz

The state (SpiffWorkflow's serialized workflow, ~50 KB of JSON for a quarterly-report lifecycle) is written at every
step and read at every completion; PostgreSQL compresses such a value when it stores it out of line (TOAST).
Measured on this project's state on PostgreSQL 15 (bench/results.md, the sixth session): an UPDATE with its commit
took 1.6 ms with pglz, the default, and 0.8 ms with LZ4, and a read 0.42 ms against 0.31 ms; the value takes
9.5 KB instead of 12.6 KB. Column compression exists from PostgreSQL 14 (ALTER TABLE … SET COMPRESSION) and LZ4
only in servers built with it, so the change is made only where ``default_toast_compression`` offers ``lz4``.
Stored states keep pglz until their instance next steps; both are read alike. SQLite: nothing to do.

Revision ID: n7a9c1e3f5b7
Revises: m5e7a9c1d3f5
Create Date: 2026-12-01 04:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'n7a9c1e3f5b7'
down_revision = "m5e7a9c1d3f5"
branch_labels = None
depends_on = None


def _offers_lz4(bind) -> bool:
    if bind.dialect.name != "postgresql":
        return False
    return bind.execute(sa.text("SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression' "
                                "AND 'lz4' = ANY(enumvals)")).first() is not None


def upgrade() -> None:
    if _offers_lz4(op.get_bind()):
        op.execute("ALTER TABLE process_instance ALTER COLUMN state SET COMPRESSION lz4")


def downgrade() -> None:
    if _offers_lz4(op.get_bind()):
        op.execute("ALTER TABLE process_instance ALTER COLUMN state SET COMPRESSION pglz")
