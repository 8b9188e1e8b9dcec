"""G2: outbound channels (outbox, notification_preference, robot_webhook, user_account.email)

Revision ID: g2c4e6a8b0d1
Revises: h1a9c3e5f702
Create Date: 2026-11-30 12:45:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'g2c4e6a8b0d1'
down_revision = 'h1a9c3e5f702'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('user_account') as batch:
        batch.add_column(sa.Column('email', sa.String(length=254), nullable=True))
    op.create_table('outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('notification_id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=20), nullable=False),
    sa.Column('address', sa.String(length=500), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(), nullable=False),
    sa.Column('last_error', sa.String(length=500), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['notification_id'], ['notification.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_outbox_state_next', 'outbox', ['state', 'next_attempt_at'], unique=False)
    op.create_index(op.f('ix_outbox_notification_id'), 'outbox', ['notification_id'], unique=False)
    op.create_table('notification_preference',
    sa.Column('username', sa.String(length=60), nullable=False),
    sa.Column('channels', sa.JSON(), nullable=False),
    sa.Column('daily_digest', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('username')
    )
    op.create_table('robot_webhook',
    sa.Column('unit_code', sa.String(length=60), nullable=False),
    sa.Column('url', sa.String(length=500), nullable=False),
    sa.PrimaryKeyConstraint('unit_code')
    )


def downgrade() -> None:
    op.drop_table('robot_webhook')
    op.drop_table('notification_preference')
    op.drop_index(op.f('ix_outbox_notification_id'), table_name='outbox')
    op.drop_index('ix_outbox_state_next', table_name='outbox')
    op.drop_table('outbox')
    with op.batch_alter_table('user_account') as batch:
        batch.drop_column('email')
