"""M: event subscriptions (what instances wait for: messages, signals) and timer starts with their occurrences

Revision ID: m5e7a9c1d3f5
Revises: i3d5f7a9c1e2
Create Date: 2026-11-30 15:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'm5e7a9c1d3f5'
down_revision = "i3d5f7a9c1e2"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('event_subscription',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('instance_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('element', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['instance_id'], ['process_instance.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_event_subscription_name', 'event_subscription', ['kind', 'name'], unique=False)
    op.create_index(op.f('ix_event_subscription_instance_id'), 'event_subscription', ['instance_id'], unique=False)
    op.create_table('timer_start',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('process_key', sa.String(length=200), nullable=False),
    sa.Column('definition_id', sa.Integer(), nullable=False),
    sa.Column('element', sa.String(length=200), nullable=False),
    sa.Column('expression', sa.String(length=500), nullable=False),
    sa.Column('next_at', sa.DateTime(), nullable=True),
    sa.Column('remaining', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['definition_id'], ['process_definition.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('process_key', 'element')
    )
    op.create_index(op.f('ix_timer_start_next_at'), 'timer_start', ['next_at'], unique=False)
    op.create_table('timer_start_occurrence',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('process_key', sa.String(length=200), nullable=False),
    sa.Column('element', sa.String(length=200), nullable=False),
    sa.Column('due_at', sa.DateTime(), nullable=False),
    sa.Column('instance_id', sa.Integer(), nullable=True),
    sa.Column('started_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['instance_id'], ['process_instance.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('process_key', 'element', 'due_at')
    )


def downgrade() -> None:
    op.drop_table('timer_start_occurrence')
    op.drop_index(op.f('ix_timer_start_next_at'), table_name='timer_start')
    op.drop_table('timer_start')
    op.drop_index(op.f('ix_event_subscription_instance_id'), table_name='event_subscription')
    op.drop_index('ix_event_subscription_name', table_name='event_subscription')
    op.drop_table('event_subscription')
