"""process drafts saved by the diagram editor

Revision ID: b7d3e2a91c40
Revises: 0f094b1fa1b1
Create Date: 2026-11-29 18:50:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'b7d3e2a91c40'
down_revision = '0f094b1fa1b1'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('process_draft',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('bpmn_xml', sa.Text(), nullable=False),
    sa.Column('saved_by', sa.String(length=100), nullable=False),
    sa.Column('saved_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('key')
    )


def downgrade() -> None:
    op.drop_table('process_draft')
