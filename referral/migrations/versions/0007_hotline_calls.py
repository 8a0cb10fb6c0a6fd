"""hotline calls taken in the operator console; the operator role (a new value, no schema change)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 19:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'calls',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('operator_id', sa.Integer(), nullable=False),
        sa.Column('conversation_id', sa.String(length=48), nullable=False),
        sa.Column('status', sa.Enum('active', 'draft', 'completed', 'dropped', name='callstatus',
                                    native_enum=False, length=16), nullable=False),
        sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('caller_phone', sa.String(length=20), nullable=True),
        sa.Column('turns', sa.JSON(), nullable=True),
        sa.Column('matter', sa.String(length=32), nullable=True),
        sa.Column('screening_outcome', sa.String(length=32), nullable=True),
        sa.Column('ticket_number', sa.String(length=16), nullable=True),
        sa.Column('referral_id', sa.Integer(), nullable=True),
        sa.Column('danger', sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.ForeignKeyConstraint(['operator_id'], ['staff_users.id']),
        sa.ForeignKeyConstraint(['referral_id'], ['referrals.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('conversation_id'),
    )
    with op.batch_alter_table('calls', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_calls_operator_id'), ['operator_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_calls_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_calls_started_at'), ['started_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_calls_referral_id'), ['referral_id'], unique=False)


def downgrade() -> None:
    op.drop_table('calls')
