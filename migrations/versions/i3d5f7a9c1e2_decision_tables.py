"""I3: DMN decision tables (decision_definition, decision_draft)

Revision ID: i3d5f7a9c1e2
Revises: i3f5a7c9e1b2
Create Date: 2026-11-30 15:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'i3d5f7a9c1e2'
down_revision = "i3f5a7c9e1b2"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('decision_definition',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('dmn_xml', sa.Text(), nullable=False),
    sa.Column('checksum', sa.String(length=64), nullable=False),
    sa.Column('deployed_at', sa.DateTime(), nullable=False),
    sa.Column('deployed_by', sa.String(length=100), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('key', 'version')
    )
    op.create_index(op.f('ix_decision_definition_key'), 'decision_definition', ['key'], unique=False)
    op.create_table('decision_draft',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('dmn_xml', sa.Text(), nullable=False),
    sa.Column('saved_by', sa.String(length=100), nullable=False),
    sa.Column('saved_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('key')
    )


def downgrade() -> None:
    op.drop_table('decision_draft')
    op.drop_index(op.f('ix_decision_definition_key'), table_name='decision_definition')
    op.drop_table('decision_definition')
