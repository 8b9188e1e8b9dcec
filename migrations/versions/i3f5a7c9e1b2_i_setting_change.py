"""I: setting_change — who changed which office setting, from what to what, and when

Revision ID: i3f5a7c9e1b2
Revises: g2c4e6a8b0d1
Create Date: 2026-11-30 14:50:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'i3f5a7c9e1b2'
down_revision = 'g2c4e6a8b0d1'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('setting_change',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=100), nullable=False),
    sa.Column('item', sa.String(length=100), nullable=False),
    sa.Column('old', sa.JSON(), nullable=True),
    sa.Column('new', sa.JSON(), nullable=False),
    sa.Column('changed_by', sa.String(length=100), nullable=False),
    sa.Column('changed_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_setting_change_changed_at'), 'setting_change', ['changed_at'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_setting_change_changed_at'), table_name='setting_change')
    op.drop_table('setting_change')
