"""D2: start any process (instance_start), the office's role mappings, task priority

Revision ID: d2a7c5e90b14
Revises: c1d2e3f4a5b6
Create Date: 2026-11-30 11:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'd2a7c5e90b14'
down_revision = 'c1d2e3f4a5b6'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('role_mapping',
    sa.Column('process_key', sa.String(length=200), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('unit_code', sa.String(length=60), nullable=False),
    sa.ForeignKeyConstraint(['unit_code'], ['unit.code'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('process_key', 'name')
    )
    op.create_table('instance_start',
    sa.Column('instance_id', sa.Integer(), nullable=False),
    sa.Column('process_key', sa.String(length=200), nullable=False),
    sa.Column('started_by', sa.String(length=100), nullable=False),
    sa.Column('unit_code', sa.String(length=60), nullable=False),
    sa.Column('project_key', sa.String(length=50), nullable=True),
    sa.Column('request_key', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['instance_id'], ['process_instance.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('instance_id'),
    sa.UniqueConstraint('request_key')
    )
    with op.batch_alter_table('instance_start', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_instance_start_process_key'), ['process_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_instance_start_project_key'), ['project_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_instance_start_started_by'), ['started_by'], unique=False)
        batch_op.create_index(batch_op.f('ix_instance_start_unit_code'), ['unit_code'], unique=False)
    with op.batch_alter_table('human_task', schema=None) as batch_op:
        batch_op.add_column(sa.Column('priority', sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('human_task', schema=None) as batch_op:
        batch_op.drop_column('priority')
    with op.batch_alter_table('instance_start', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_instance_start_unit_code'))
        batch_op.drop_index(batch_op.f('ix_instance_start_started_by'))
        batch_op.drop_index(batch_op.f('ix_instance_start_project_key'))
        batch_op.drop_index(batch_op.f('ix_instance_start_process_key'))
    op.drop_table('instance_start')
    op.drop_table('role_mapping')
