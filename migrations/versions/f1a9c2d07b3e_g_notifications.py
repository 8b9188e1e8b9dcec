"""G: the 消息 centre (notification)

Revision ID: f1a9c2d07b3e
Revises: d2a7c5e90b14
Create Date: 2026-11-30 12:10:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'f1a9c2d07b3e'
down_revision = 'd2a7c5e90b14'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('notification',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_code', sa.String(length=60), nullable=True),
    sa.Column('username', sa.String(length=100), nullable=True),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('text', sa.String(length=500), nullable=False),
    sa.Column('human_task_id', sa.Integer(), nullable=True),
    sa.Column('instance_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('read_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['human_task_id'], ['human_task.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['instance_id'], ['process_instance.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_notification_unit_unread', 'notification', ['unit_code', 'read_at'], unique=False)
    op.create_index('ix_notification_user_unread', 'notification', ['username', 'read_at'], unique=False)
    op.create_index(op.f('ix_notification_human_task_id'), 'notification', ['human_task_id'], unique=False)
    op.create_index(op.f('ix_notification_instance_id'), 'notification', ['instance_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_notification_instance_id'), table_name='notification')
    op.drop_index(op.f('ix_notification_human_task_id'), table_name='notification')
    op.drop_index('ix_notification_user_unread', table_name='notification')
    op.drop_index('ix_notification_unit_unread', table_name='notification')
    op.drop_table('notification')
