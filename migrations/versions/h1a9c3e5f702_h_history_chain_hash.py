"""H: tamper-evident history — history_event.chain_hash, filled in for the events already written

Revision ID: h1a9c3e5f702
Revises: f1a9c2d07b3e
Create Date: 2026-11-30 12:20:00
"""
from alembic import op
import sqlalchemy as sa

from engine.chain import GENESIS, event_digest

revision = 'h1a9c3e5f702'
down_revision = 'f1a9c2d07b3e'
branch_labels = None
depends_on = None

history = sa.table('history_event', sa.column('id', sa.Integer), sa.column('instance_id', sa.Integer),
                   sa.column('at', sa.DateTime), sa.column('kind', sa.String), sa.column('task_name', sa.String),
                   sa.column('actor', sa.String), sa.column('data', sa.JSON), sa.column('chain_hash', sa.String))


def upgrade() -> None:
    with op.batch_alter_table('history_event') as batch:
        batch.add_column(sa.Column('chain_hash', sa.String(length=64), nullable=True))
    connection = op.get_bind()
    rows = connection.execute(sa.select(history.c.id, history.c.instance_id, history.c.at, history.c.kind,
                                        history.c.task_name, history.c.actor, history.c.data)
                              .order_by(history.c.instance_id, history.c.id)).all()
    instance, previous = None, GENESIS
    for row in rows:
        if row.instance_id != instance:
            instance, previous = row.instance_id, GENESIS
        previous = event_digest(previous, row.at, row.kind, row.task_name, row.actor, row.data)
        connection.execute(history.update().where(history.c.id == row.id).values(chain_hash=previous))


def downgrade() -> None:
    with op.batch_alter_table('history_event') as batch:
        batch.drop_column('chain_hash')
