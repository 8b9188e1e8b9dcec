"""incidents: a failed step of an instance, until it is retried or the instance cancelled

Revision ID: c1d2e3f4a5b6
Revises: e3c41e0da7a1
Create Date: 2026-11-30 11:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'c1d2e3f4a5b6'
down_revision = 'e3c41e0da7a1'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('incident',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('instance_id', sa.Integer(), nullable=False),
    sa.Column('element', sa.String(length=200), nullable=True),
    sa.Column('element_name', sa.String(length=300), nullable=True),
    sa.Column('variable', sa.String(length=200), nullable=True),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('resolved_at', sa.DateTime(), nullable=True),
    sa.Column('resolved_by', sa.String(length=100), nullable=True),
    sa.ForeignKeyConstraint(['instance_id'], ['process_instance.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('incident', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_incident_instance_id'), ['instance_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('incident', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_incident_instance_id'))
    op.drop_table('incident')
