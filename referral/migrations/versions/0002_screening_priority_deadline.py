"""referrals carry the eligibility screening, a priority and the decision deadline

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 12:40:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.add_column(sa.Column('screening_input', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('screening_decision', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('poverty_certificate', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column(
            'priority', sa.Enum('fast_track', 'urgent', 'normal', name='priority', native_enum=False, length=16),
            nullable=False, server_default='normal'))
        # Existing rows: 7 calendar days after creation (a safe early date; new rows count working days).
        batch_op.add_column(sa.Column('decision_due', sa.Date(), nullable=True))
    # the China date of creation (times are stored in UTC) plus 7 calendar days
    op.execute(
        "UPDATE referrals SET decision_due = "
        + ("date(created_at, '+8 hours', '+7 days')" if op.get_bind().dialect.name == 'sqlite'
           else "CAST((created_at AT TIME ZONE 'Asia/Shanghai') AS DATE) + 7")
    )
    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.alter_column('decision_due', existing_type=sa.Date(), nullable=False)
        batch_op.create_index(batch_op.f('ix_referrals_priority'), ['priority'], unique=False)
        batch_op.create_index(batch_op.f('ix_referrals_decision_due'), ['decision_due'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_referrals_decision_due'))
        batch_op.drop_index(batch_op.f('ix_referrals_priority'))
        batch_op.drop_column('decision_due')
        batch_op.drop_column('priority')
        batch_op.drop_column('poverty_certificate')
        batch_op.drop_column('screening_decision')
        batch_op.drop_column('screening_input')
