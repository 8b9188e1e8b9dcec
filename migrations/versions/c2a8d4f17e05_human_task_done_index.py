"""an index for the done list (已办): a person's completed tasks, latest first

Revision ID: c2a8d4f17e05
Revises: b7d3e2a91c40
Create Date: 2026-11-29 20:05:00
"""
from alembic import op


revision = 'c2a8d4f17e05'
down_revision = 'b7d3e2a91c40'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_human_task_done', 'human_task', ['completed_by', 'completed_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_human_task_done', table_name='human_task')
